import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEngine } from "../../local/engine.js";
import { allowedHostName } from "../../local/options.js";
import { type MainProcess, raw, startMain, stopMain } from "./support.js";

/** `npm start` as an operator runs it: one process per server, on a real data directory. */

const started: MainProcess[] = [];
const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ledger-local-"));
  dirs.push(dir);
  return dir;
}

function main(args: string[]): MainProcess {
  const process = startMain(args);
  started.push(process);
  return process;
}

afterAll(async () => {
  await Promise.all(started.map((p) => stopMain(p, "SIGKILL")));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const pidFile = (dir: string) => join(dir, "sanctions-ledger.pid");

describe("a data directory in use", () => {
  it("is reported with the pid of the process that holds it, and the second exits non-zero", async () => {
    const dir = dataDir();
    const first = main(["--data", dir]);
    await first.listening;
    expect(readFileSync(pidFile(dir), "utf8").trim()).toBe(String(first.child.pid));

    const second = main(["--data", dir]);
    expect(await second.exited).not.toBe(0);
    expect(second.stderr()).toContain(
      `data directory ${dir} is in use by another sanctions-ledger process (pid ${first.child.pid})`,
    );
    expect(second.stderr()).not.toContain("ECONNREFUSED");

    // The first one is untouched, and removes its pid file when it stops.
    const url = await first.listening;
    expect((await raw(url, { path: "/sanctions" })).status).toBe(200);
    expect(await stopMain(first)).toBe(0);
    expect(() => readFileSync(pidFile(dir))).toThrow();
  });

  it("is free again once its process is killed, though the pid file stays", async () => {
    const dir = dataDir();
    const killed = main(["--data", dir]);
    await killed.listening;
    await stopMain(killed, "SIGKILL");
    expect(readFileSync(pidFile(dir), "utf8").trim()).toBe(String(killed.child.pid));

    const next = main(["--data", dir]);
    const url = await next.listening;
    expect((await raw(url, { path: "/sanctions" })).status).toBe(200);
    expect(readFileSync(pidFile(dir), "utf8").trim()).toBe(String(next.child.pid));
    await stopMain(next);
  });

  it("is not blocked by a pid file naming a live process that does not hold it", async () => {
    const dir = dataDir();
    // This test's own process is alive, and holds no ledger.
    writeFileSync(pidFile(dir), `${process.pid}\n`);
    const next = main(["--data", dir]);
    await next.listening;
    expect(readFileSync(pidFile(dir), "utf8").trim()).toBe(String(next.child.pid));
    await stopMain(next);
  });
  it("is reported, without a pid, when another kind of process holds it", async () => {
    const dir = dataDir();
    // An engine in this test's process holds the store's lock and writes no pid file.
    const engine = await startEngine({ path: dir });
    try {
      const next = main(["--data", dir]);
      expect(await next.exited).not.toBe(0);
      expect(next.stderr()).toContain(
        `data directory ${dir} is in use by another process, or cannot be opened`,
      );
    } finally {
      await engine.close();
    }
  });
});

describe("--allowed-host", () => {
  it("adds a host name the server answers to", async () => {
    const server = main(["--memory", "--allowed-host", "ledger.test", "--allowed-host", "Box"]);
    const url = await server.listening;
    const { port } = new URL(url);
    for (const host of [`ledger.test:${port}`, `box:${port}`, `localhost:${port}`]) {
      expect((await raw(url, { path: "/sanctions", headers: { host } })).status).toBe(200);
    }
    expect(
      (await raw(url, { path: "/sanctions", headers: { host: `evil.example:${port}` } })).status,
    ).toBe(403);
    await stopMain(server);
  });

  it("refuses a value that is not a host name, before starting", async () => {
    const server = main(["--memory", "--allowed-host", "ledger.test:8080"]);
    expect(await server.exited).not.toBe(0);
    expect(server.stderr()).toContain("--allowed-host ledger.test:8080 is not a host name");
  });

  it.each([
    ["http://ledger.test"],
    ["ledger.test:8080"],
    ["ledger.test:80"],
    ["a/b"],
    ["user@box"],
    ["box?x"],
    [""],
    ["[::1"],
  ])("finds %j is not a host name", (value) => {
    expect(() => allowedHostName(value)).toThrow("is not a host name");
  });

  it.each([
    ["ledger.test", "ledger.test"],
    ["Box", "box"],
    ["[::1]", "[::1]"],
    ["192.168.1.5", "192.168.1.5"],
  ])("reads %j as the host name %j", (value, name) => {
    expect(allowedHostName(value)).toBe(name);
  });
});
