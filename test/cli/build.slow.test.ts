import { execFile } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "../../cli/build.mjs";
import { loadDemo } from "../../local/demo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

function node(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: tmpdir(), env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
let ledger: RunningLedger;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sanctions-ledger-build-"));
  ledger = await startLedger();
  await loadDemo(ledger.engine);
});
afterAll(async () => {
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the built CLI (npm run build:cli)", () => {
  it("is one module with chunks that answers --version, --help and commands", async () => {
    const out = join(dir, "dist");
    const outputs: string[] = await buildCli({ outdir: out });
    expect(outputs.some((f) => f.endsWith("/cli.mjs"))).toBe(true);
    // What --version loads holds neither a transpiler nor the AWS credential chain.
    const main = readFileSync(join(out, "cli.mjs"), "utf8");
    expect(main).not.toMatch(/from "tsx|esbuild|fromNodeProviderChain/);

    const version = await node([join(out, "cli.mjs"), "--version"]);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    const help = await node([join(out, "cli.mjs"), "--help"]);
    expect(help.stdout).toContain("Usage: sanctions-ledger [options] [command]");
    const verify = await node([join(out, "cli.mjs"), "verify", "country-ru", "--url", ledger.url]);
    expect(verify.stdout).toMatch(/^valid: chain of 7 events, head [0-9a-f]{64}\n$/);
    expect(verify.code).toBe(0);
  });
});

describe("bin/sanctions-ledger.mjs", () => {
  /**
   * A copy of the project's layout: the bin and package.json copied, the sources and
   * node_modules linked. Its package.json names another version, which the bundle compiles
   * in; run from source, the CLI reads the version of the package.json next to cli/.
   */
  function layout() {
    const root = mkdtempSync(join(dir, "layout-"));
    mkdirSync(join(root, "bin"));
    copyFileSync(join(ROOT, "bin/sanctions-ledger.mjs"), join(root, "bin/sanctions-ledger.mjs"));
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ ...pkg, version: "9.9.9-bundle" }));
    for (const linked of ["cli", "functions", "node_modules"]) {
      symlinkSync(join(ROOT, linked), join(root, linked));
    }
    return root;
  }

  it("runs the bundle when it is current, else the TypeScript", async () => {
    const root = layout();
    const bin = join(root, "bin/sanctions-ledger.mjs");
    expect((await node([bin, "--version"])).stdout).toBe(`${VERSION}\n`); // no bundle yet

    await buildCli({ root, outdir: join(root, "dist") });
    expect(await node([bin, "--version"])).toEqual({
      code: 0,
      stdout: "9.9.9-bundle\n",
      stderr: "",
    });

    // A source edited after the build: the bundle is stale, the sources run.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, "package.json"), later, later);
    expect((await node([bin, "--version"])).stdout).toBe(`${VERSION}\n`);
  });
});
