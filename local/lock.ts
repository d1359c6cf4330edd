import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The file in a data directory that names the process serving it. The engine's own store
 * lock (LevelDB's, which the operating system releases when its process dies) is what keeps
 * a second process out; this file only lets the second one say which process holds it.
 */
const PID_FILE = "sanctions-ledger.pid";

/**
 * A data directory that another process is serving. Without a live pid to name, the engine
 * only knows that its store would not open, which another holder is the likely reason for.
 */
export class DataDirInUse extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(
      pid === undefined
        ? `data directory ${dir} is in use by another process, or cannot be opened`
        : `data directory ${dir} is in use by another sanctions-ledger process (pid ${pid})`,
    );
    this.name = "DataDirInUse";
  }
}

/** Whether a process with this id is running (possibly under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The live process that the directory's pid file names, if any: a file left by a process
 * that was killed names a process that no longer runs, and is ignored.
 */
export function holderOf(dir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, PID_FILE), "utf8");
  } catch {
    return undefined;
  }
  const pid = /^\s*(\d{1,10})\s*$/.exec(text)?.[1];
  if (pid === undefined) return undefined;
  const n = Number(pid);
  return n > 0 && n !== process.pid && isAlive(n) ? n : undefined;
}

/**
 * Names this process in the directory's pid file (replacing any stale one), once this
 * process holds the directory; the returned function removes the file if it still names us.
 */
export function claimDataDir(dir: string): () => void {
  const file = join(dir, PID_FILE);
  const temp = `${file}.${process.pid}`;
  // Written aside then renamed, so that a reader never sees a half-written file.
  writeFileSync(temp, `${process.pid}\n`);
  renameSync(temp, file);
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
