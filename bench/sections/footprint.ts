/**
 * Footprint: the local runtime as a user runs it (`npm start -- --data DIR`, its own
 * process), the three sample publications imported into it through the HTTP client, then
 * the data directory's size on disk and the server's peak resident memory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LedgerClient } from "../../cli/client.js";
import type { Publication } from "../../cli/import/model.js";
import { parseOfacCsv } from "../../cli/import/ofac.js";
import { runImport } from "../../cli/import/run.js";
import { parseUnXml } from "../../cli/import/un.js";
import { type Row, round, type Section, since } from "../report.js";
import type { Options } from "./options.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const QUICK_ENTRIES = 300;
const MiB = 1024 * 1024;

/** The three publications, in the order a team would load them. */
const PUBLICATIONS = [
  {
    name: "OFAC SDN 2019",
    published: "2019-01-15",
    read: () => parseOfacCsv(sample("ofac-sdn-2019")),
  },
  {
    name: "OFAC Consolidated 2025",
    published: "2025-12-01",
    read: () => parseOfacCsv(sample("ofac-consolidated-2025")),
  },
  {
    name: "UN Consolidated 2026",
    published: "2026-02-27",
    read: () => parseUnXml(sample("un-consolidated-2026/UN_consolidated.xml")),
  },
];

function sample(path: string): string {
  return join(ROOT, "samples", path);
}

/** Bytes of every file under `dir`. */
async function directoryBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return bytes;
}

/** The peak resident set of a process (Linux), in bytes. */
async function peakMemory(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const kib = status && /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib ? Number(kib) * 1024 : undefined;
}

/** The Node.js flags that `npm start` gives the server (`tsx <flags> local/main.ts`). */
async function startFlags(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const words = scripts.start.split(/\s+/);
  return words.slice(words.indexOf("tsx") + 1, words.indexOf("local/main.ts"));
}

/** Starts the local runtime over `dataDir` in a process of its own; resolves with its URL. */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [...(await startFlags()), "--import", "tsx", "local/main.ts", "--data", dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", POWERTOOLS_LOG_LEVEL: "ERROR" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return await new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`the server exited (${code}): ${err}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

export async function footprint(options: Options): Promise<Section> {
  const flags = await startFlags();
  const dataDir = await mkdtemp(join(tmpdir(), "ledger-footprint-"));
  const { child, url } = await startServer(dataDir);
  const pid = child.pid as number;
  let peak = 0;
  const sampler = setInterval(() => {
    void peakMemory(pid).then((bytes) => {
      if (bytes !== undefined) peak = Math.max(peak, bytes);
    });
  }, 500);
  try {
    const client = new LedgerClient({ url });
    const imported: { name: string; entries: number; events: number; seconds: number }[] = [];
    for (const p of PUBLICATIONS) {
      const full: Publication = await p.read();
      const publication = options.quick
        ? { ...full, entries: full.entries.slice(0, QUICK_ENTRIES) }
        : full;
      const start = performance.now();
      const { summary } = await runImport(client, publication, {
        published: p.published,
        concurrency: 4,
      });
      const seconds = since(start) / 1000;
      imported.push({
        name: p.name,
        entries: publication.entries.length,
        events: summary.written,
        seconds,
      });
      options.log(`footprint: ${p.name}: ${summary.written} events in ${seconds.toFixed(1)} s`);
    }
    const events = imported.reduce((n, i) => n + i.events, 0);
    peak = Math.max(peak, (await peakMemory(pid)) ?? 0);
    clearInterval(sampler);
    // The engine writes its state out as it stops, as a user's server does at Ctrl-C.
    await stopServer(child);
    const bytes = await directoryBytes(dataDir);
    const rows: Row[] = [
      {
        measure: `local data directory after importing the three sample publications (${events} events)`,
        value: bytes / MiB,
        unit: "MiB",
        target: "< 200 MB",
        met: bytes < 200 * 1000 * 1000,
      },
      {
        measure: "the local server's peak resident memory over those imports",
        value: peak / MiB,
        unit: "MiB",
        target: "< 500 MB",
        met: peak < 500 * 1000 * 1000,
      },
      { measure: "data directory bytes per event", value: bytes / Math.max(1, events), unit: "B" },
    ];
    return {
      name: "footprint",
      title: `Footprint of the local runtime after three imports${options.quick ? ` (QUICK: first ${QUICK_ENTRIES} entries of each)` : ""}`,
      rows,
      notes: [
        `npm start's server (tsx local/main.ts --data DIR) in its own process; ${imported
          .map(
            (i) =>
              `${i.name}: ${i.entries} entries, ${i.events} events in ${i.seconds.toFixed(1)} s`,
          )
          .join("; ")}; imported with cli/import over HTTP, concurrency 4.`,
        `Peak memory is the process's VmHWM (the engine's worker thread included), the server started as npm start does (node ${flags.join(" ")}); the directory is measured after the server stopped.`,
      ],
      data: {
        quick: options.quick,
        imported,
        events,
        dataDirBytes: bytes,
        peakResidentBytes: peak,
        bytesPerEvent: round(bytes / Math.max(1, events), 1),
      },
    };
  } finally {
    clearInterval(sampler);
    await stopServer(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}
