import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo } from "../../local/demo.js";
import {
  CLOUDEVENTS_JSON,
  LocalNotifier,
  notifySecret,
  SECRET_ENV,
  SIGNATURE_HEADER,
  signatureOf,
} from "../../local/notify.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

const SECRET = "test-secret";

/** A webhook receiver that counts each notice id, accepting only the first `accept` POSTs. */
interface Receiver {
  url: string;
  counts: Map<string, number>;
  types: Map<string, string>;
  accept: number;
  badSignatures: number;
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const state = {
    counts: new Map<string, number>(),
    types: new Map<string, string>(),
    accept: 0,
    badSignatures: 0,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (state.accept <= 0) {
        res.writeHead(503).end();
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8");
      if (
        req.headers[SIGNATURE_HEADER] !== signatureOf(SECRET, body) ||
        req.headers["content-type"] !== CLOUDEVENTS_JSON
      ) {
        state.badSignatures++;
        res.writeHead(401).end();
        return;
      }
      state.accept--;
      const event = JSON.parse(body) as { id: string; type: string; specversion: string };
      expect(event.specversion).toBe("1.0");
      state.counts.set(event.id, (state.counts.get(event.id) ?? 0) + 1);
      state.types.set(event.id, event.type);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let api: RunningLedger;
let hook: Receiver;
let dir: string;
beforeAll(async () => {
  api = await startLedger();
  await loadDemo(api.engine);
  hook = await receiver();
  dir = mkdtempSync(join(tmpdir(), "ledger-notices-"));
});
afterAll(async () => {
  await hook.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const notifier = (now: string) =>
  new LocalNotifier({
    url: hook.url,
    dir,
    secret: SECRET,
    services: api.fns.services,
    now: () => new Date(now),
    pollMs: 20,
    backoffMs: 10,
    maxBackoffMs: 50,
    log: () => {},
  });

describe("notices POSTed to a webhook", () => {
  it("delivers each notice exactly once across a restart, none lost", async () => {
    // The feed holds the demo's corrections; the first run adds the notices of its day.
    hook.accept = 3;
    const first = notifier("2022-04-05T10:00:00.000Z");
    first.start();
    await until(() => hook.accept === 0, "three deliveries");
    await until(() => first.pending().length > 0, "notices waiting in the outbox");
    await first.stop();
    const waiting = first.pending().length;
    expect(waiting).toBeGreaterThan(0);
    expect([...hook.counts.values()]).toEqual([1, 1, 1]);

    // Restarted on the next day, with the receiver up: what waited, and the new day's notices.
    hook.accept = 1000;
    const second = notifier("2022-04-06T10:00:00.000Z");
    second.start();
    await until(() => second.pending().length === 0 && hook.counts.size > 3, "the outbox drained");
    // A correction recorded now is told too.
    const res = await api.post("/entities/ru-vtb-bank/events", {
      type: "SanctionLifted",
      eventId: "vtb-lift-past",
      data: { sanctionId: "jp-asset-freeze", effectiveFrom: "2022-04-03", reason: "Test" },
    });
    expect(res.status).toBe(201);
    const told = await api.get("/notices?limit=1000");
    const lifted = (told.body.items as { id: string; subject: string; time: string }[]).filter(
      (e) => e.subject === "ru-vtb-bank/jp-asset-freeze" && e.time >= res.body.recordedAt,
    );
    expect(lifted.length).toBeGreaterThan(0);
    await until(() => lifted.every((e) => hook.counts.has(e.id)), "the new correction");
    await second.stop();

    expect(hook.badSignatures).toBe(0);
    expect([...hook.counts.values()].every((n) => n === 1)).toBe(true);
    // Every notice of the feed was delivered, and the day notices of both days.
    const feed = await api.get("/notices?limit=1000");
    expect(feed.status).toBe(200);
    const ids = feed.body.items.map((e: { id: string }) => e.id) as string[];
    for (const id of ids) expect(hook.counts.get(id), id).toBe(1);
    const days = [...hook.types.values()].filter((t) => t !== "sanctions-ledger.status.corrected");
    // 2022-04-05: the luxury-goods ban enters into force (as known at the start of that day).
    expect(days).toContain("sanctions-ledger.sanction.entered-into-force");
    expect(readdirSync(join(dir, "outbox")).filter((f) => f.endsWith(".json"))).toEqual([]);
  });
});

describe("the order of deliveries", () => {
  it("runs the days missed while down, and delivers oldest first, the next waiting behind a refused one", async () => {
    const attempts: { id: string; time: string }[] = [];
    const accepted: { id: string; time: string }[] = [];
    let accepting = false;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const { id, time } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          id: string;
          time: string;
        };
        attempts.push({ id, time });
        if (!accepting) {
          res.writeHead(503).end();
          return;
        }
        accepted.push({ id, time });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const at = mkdtempSync(join(tmpdir(), "ledger-notices-order-"));
    // The server last ran its days on 2022-04-04 and starts again on 2022-04-07.
    writeFileSync(join(at, "last-day"), "2022-04-04");
    const notifier = new LocalNotifier({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      dir: at,
      secret: SECRET,
      services: api.fns.services,
      now: () => new Date("2022-04-07T10:00:00.000Z"),
      pollMs: 20,
      backoffMs: 5,
      maxBackoffMs: 20,
      log: () => {},
    });
    try {
      notifier.start();
      const ran = () => readFileSync(join(at, "last-day"), "utf8") === "2022-04-07";
      await until(() => ran() && existsSync(join(at, "cursor")), "the days and the feed taken in");
      // Everything is in the outbox now: from here on, only the oldest is tried.
      const from = attempts.length;
      await until(() => attempts.length >= from + 5, "five more refused attempts");
      const waiting = notifier.pending();
      expect(waiting.length).toBeGreaterThan(1);
      // Refused, the oldest notice is tried again and again; none after it is tried.
      const tried = attempts.slice(from).map((a) => `${a.time}_${a.id}.json`);
      expect(new Set(tried)).toEqual(new Set([waiting[0]]));

      accepting = true;
      await until(() => notifier.pending().length === 0, "the outbox drained");
      expect(accepted.map((a) => `${a.time}_${a.id}.json`)).toEqual(waiting);
      // 2022-04-05, missed while down: the luxury-goods ban entered into force that day.
      expect(accepted.some((a) => a.time === "2022-04-05T00:00:00.000Z")).toBe(true);
    } finally {
      await notifier.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      rmSync(at, { recursive: true, force: true });
    }
  });
});

describe("the signing secret", () => {
  it("is LEDGER_NOTIFY_SECRET where set, and no file is written", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledger-secret-"));
    try {
      expect(notifySecret(dir, { [SECRET_ENV]: "from-the-environment" })).toBe(
        "from-the-environment",
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("else 32 random bytes in hex, created once in the data directory, readable by its owner only", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledger-secret-"));
    try {
      const secret = notifySecret(dir, {});
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(join(dir, "notify-secret")).mode & 0o777).toBe(0o600);
      expect(notifySecret(dir, {})).toBe(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
