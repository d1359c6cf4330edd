import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, signatureOf } from "../../local/notify.js";
import { type MainProcess, raw, startMain, stopMain } from "./support.js";

/** `npm start -- --notify URL` as an operator runs it, restarted over one data directory. */

const started: MainProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "ledger-notify-"));
let server: Server | undefined;
afterAll(async () => {
  await Promise.all(started.map((p) => stopMain(p, "SIGKILL")));
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm start --notify, across a restart", () => {
  it("delivers each notice of the feed to the webhook once, none lost", async () => {
    const counts = new Map<string, number>();
    let up = false;
    let bad = 0;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (!up) return void res.writeHead(503).end();
        const body = Buffer.concat(chunks).toString("utf8");
        const secret = readFileSync(join(dir, "notify-secret"), "utf8").trim();
        if (req.headers[SIGNATURE_HEADER] !== signatureOf(secret, body)) {
          bad++;
          return void res.writeHead(401).end();
        }
        const id = (JSON.parse(body) as { id: string }).id;
        counts.set(id, (counts.get(id) ?? 0) + 1);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    // First run: the demo's notices are taken into the outbox while the receiver is down.
    const first = startMain(["--data", dir, "--demo", "--notify", hook]);
    started.push(first);
    const url = await first.listening;
    const feed = (await raw(url, { path: "/notices?limit=1000" })).body as {
      items: { id: string }[];
    };
    expect(feed.items.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await stopMain(first)).toBe(0);
    expect(counts.size).toBe(0);

    // Second run over the same data, the receiver up: every notice arrives, once.
    up = true;
    const second = startMain(["--data", dir, "--notify", hook]);
    started.push(second);
    await second.listening;
    await until(() => feed.items.every((e) => counts.has(e.id)), "every notice of the feed");
    await new Promise((r) => setTimeout(r, 1000));
    expect(await stopMain(second)).toBe(0);

    // A third run finds nothing left to send.
    const before = new Map(counts);
    const third = startMain(["--data", dir, "--notify", hook]);
    started.push(third);
    await third.listening;
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stopMain(third)).toBe(0);

    expect(bad).toBe(0);
    expect(counts).toEqual(before);
    for (const [id, n] of counts) expect(n, id).toBe(1);
  }, 180_000);
});
