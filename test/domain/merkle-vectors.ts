import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * The published RFC 6962/9162 test vectors (read only): `../shared/data` beside the
 * checkout, or two levels up from a worktree kept under a folder of worktrees.
 */
export const VECTORS = ["../shared/data", "../../shared/data"]
  .map((dir) => resolve(process.cwd(), dir, "merkle-test-vectors"))
  .find((dir) => existsSync(dir)) as string;

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

/** Every case of one kind (`inclusion` or `consistency`), named by its file. */
export function vectorCases<T>(kind: "inclusion" | "consistency"): [string, T][] {
  const dir = join(VECTORS, kind);
  return jsonFiles(dir)
    .sort()
    .map((path) => [relative(dir, path), JSON.parse(readFileSync(path, "utf8")) as T]);
}

export function b64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}
