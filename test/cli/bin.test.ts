import { execFile } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo } from "../../local/demo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

const BIN = fileURLToPath(new URL("../../bin/sanctions-ledger.mjs", import.meta.url));

/** Runs the bin shim as its own process, from a directory outside the project. */
function sanctionsLedger(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: tmpdir(), env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let ledger: RunningLedger;
beforeAll(async () => {
  ledger = await startLedger();
  await loadDemo(ledger.engine);
});
afterAll(async () => {
  await ledger.close();
});

describe("bin/sanctions-ledger.mjs", () => {
  it("starts from another directory and prints the help", async () => {
    const res = await sanctionsLedger(["--help"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: sanctions-ledger [options] [command]");
    expect(res.stdout).toContain("state [options] <entityId>");
  });

  it("answers from a running ledger, with the exit code of the command", async () => {
    const ok = await sanctionsLedger(["verify", "country-ru"], { LEDGER_URL: ledger.url });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid: chain of 7 events, head [0-9a-f]{64}\n$/);
    const missing = await sanctionsLedger(["state", "ru-nobody", "--url", ledger.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404 Entity not found");
  });

  it("names the URL when nothing listens there", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await sanctionsLedger(["state", "x", "--url", `http://127.0.0.1:${port}`]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain(
      `error: Cannot reach the ledger at http://127.0.0.1:${port}: connection refused`,
    );
    // Port 1 is on fetch's list of blocked ports: it is refused before any connection.
    const blocked = await sanctionsLedger(["state", "x", "--url", "http://127.0.0.1:1"]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("error: Cannot reach the ledger at http://127.0.0.1:1: ");
  });
});
