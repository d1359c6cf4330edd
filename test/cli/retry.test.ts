import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  backoffMs,
  ConnectionError,
  LedgerClient,
  ProblemError,
  type RetryOptions,
  retryAfterMs,
  safeToRepeat,
  withEventIds,
} from "../../cli/client.js";
import { run } from "../../cli/main.js";

interface Received {
  method: string;
  url: string;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number, body: string) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

/** A fake ledger on 127.0.0.1 answering each request as `handler` says (n counts from 1). */
async function fakeLedger(handler: Handler) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", body });
      handler(req, res, received.length, body);
    });
  });
  // Each request on a new connection, so that a reset one is not reused.
  server.keepAliveTimeout = 1;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

function answer(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const APPENDED = {
  entityId: "ru-vtb-bank",
  version: 3,
  type: "SanctionLifted",
  recordedAt: "2023-01-09T10:00:00.000Z",
  hash: "ab".repeat(32),
};

/** Retry settings for tests: no real waiting, the waits recorded. */
function instantRetry(extra: RetryOptions = {}) {
  const waits: number[] = [];
  const retry: RetryOptions = {
    baseDelayMs: 100,
    maxDelayMs: 5_000,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  };
  return { retry, waits };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("retries", () => {
  it("retries an append through 429 and 503 to its 201, with one eventId it generated", async () => {
    const fake = await fakeLedger((_req, res, n, body) => {
      if (n === 1)
        return answer(res, 429, { message: "Too Many Requests" }, { "retry-after": "2" });
      if (n === 2) return answer(res, 503, { title: "Unavailable", status: 503, detail: "busy" });
      return answer(res, 201, { ...APPENDED, eventId: JSON.parse(body).eventId });
    });
    const { retry, waits } = instantRetry();
    const client = new LedgerClient({ url: fake.url, retry });
    const sent = { type: "SanctionLifted", data: { sanctionId: "jp-asset-freeze" } };
    const result = await client.send<{ eventId: string }>("POST", "/entities/ru-vtb-bank/events", {
      body: sent,
    });

    expect(result.status).toBe(201);
    expect(result.attempts).toBe(3);
    expect(fake.received).toHaveLength(3);
    const ids = fake.received.map((r) => JSON.parse(r.body).eventId);
    expect(ids[0]).toMatch(UUID);
    expect(new Set(ids).size).toBe(1);
    expect(result.body.eventId).toBe(ids[0]);
    expect(sent).not.toHaveProperty("eventId"); // the caller's object is left alone
    // Retry-After: 2 asks for more than the jittered backoff (0.5 × 100 ms).
    expect(waits).toEqual([2000, 100]);
  });

  it("keeps the caller's eventId, and gives each batch item without one its own", async () => {
    const fake = await fakeLedger((_req, res, n) =>
      n === 1 ? answer(res, 502, { message: "Bad Gateway" }) : answer(res, 200, { results: [] }),
    );
    const { retry } = instantRetry();
    const client = new LedgerClient({ url: fake.url, retry });
    await client.post("/batches", {
      items: [
        { entityId: "a", type: "EntityRegistered", eventId: "mine-1", data: {} },
        { entityId: "b", type: "EntityRegistered", data: {} },
        { entityId: "c", type: "EntityRegistered", data: {} },
      ],
    });
    expect(fake.received).toHaveLength(2);
    const [first, second] = fake.received.map((r) => JSON.parse(r.body).items);
    expect(first[0].eventId).toBe("mine-1");
    expect(first[1].eventId).toMatch(UUID);
    expect(first[2].eventId).toMatch(UUID);
    expect(first[1].eventId).not.toBe(first[2].eventId);
    expect(second).toEqual(first);
  });

  it("retries reads through 502, 503 and 504, not through 500 or 4xx", async () => {
    const statuses = [502, 503, 504];
    const fake = await fakeLedger((_req, res, n) =>
      n <= statuses.length
        ? answer(res, statuses[n - 1] ?? 500, { message: "upstream" })
        : answer(res, 200, { ok: true }),
    );
    const { retry, waits } = instantRetry();
    const client = new LedgerClient({ url: fake.url, retry });
    expect(await client.get("/sanctions")).toEqual({ ok: true });
    expect(fake.received).toHaveLength(4);
    // Full jitter under a doubling cap: 0.5 × 100, 0.5 × 200, 0.5 × 400.
    expect(waits).toEqual([50, 100, 200]);

    for (const status of [500, 400, 404, 409]) {
      const once = await fakeLedger((_req, res) => answer(res, status, { message: "no" }));
      const c = new LedgerClient({ url: once.url, retry: instantRetry().retry });
      await expect(c.get("/sanctions")).rejects.toBeInstanceOf(ProblemError);
      expect(once.received).toHaveLength(1);
    }
  });

  it("gives up after the configured attempts with the last answer", async () => {
    const fake = await fakeLedger((_req, res) =>
      answer(res, 503, { title: "Unavailable", status: 503, detail: "still busy" }),
    );
    const { retry, waits } = instantRetry({ attempts: 3 });
    const client = new LedgerClient({ url: fake.url, retry });
    const error = await client.get("/sanctions").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).status).toBe(503);
    expect(fake.received).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it("does not wait longer than maxDelayMs: a longer Retry-After ends the retries", async () => {
    const fake = await fakeLedger((_req, res) =>
      answer(res, 429, { message: "slow down" }, { "retry-after": "3600" }),
    );
    const { retry, waits } = instantRetry();
    const client = new LedgerClient({ url: fake.url, retry });
    await expect(client.get("/sanctions")).rejects.toMatchObject({ status: 429 });
    expect(fake.received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("retries a read whose connection is reset, and says so after the last attempt", async () => {
    const fake = await fakeLedger((req, res, n) => {
      if (n <= 2) return req.socket.resetAndDestroy();
      answer(res, 200, { ok: true });
    });
    const notices: string[] = [];
    const { retry, waits } = instantRetry({ onRetry: (r) => notices.push(r.reason) });
    const client = new LedgerClient({ url: fake.url, retry });
    expect(await client.get("/sanctions")).toEqual({ ok: true });
    expect(fake.received).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(notices[0]).toContain(`Cannot reach the ledger at ${fake.url}`);

    const always = await fakeLedger((req) => req.socket.resetAndDestroy());
    const c = new LedgerClient({ url: always.url, retry: instantRetry({ attempts: 2 }).retry });
    const error = await c.get("/sanctions").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/\(after 2 attempts\)$/);
    expect(always.received).toHaveLength(2);
  });

  it("never repeats a request that is not safe to repeat", async () => {
    const reset = await fakeLedger((req) => req.socket.resetAndDestroy());
    const client = new LedgerClient({ url: reset.url, retry: instantRetry().retry });
    // Not an append or a batch: sent once, whatever happens.
    await expect(client.post("/other", { a: 1 })).rejects.toBeInstanceOf(ConnectionError);
    expect(reset.received).toHaveLength(1);
    // An append whose body is no object cannot be given an eventId.
    await expect(client.post("/entities/x/events", ["not", "an", "event"])).rejects.toBeInstanceOf(
      ConnectionError,
    );
    expect(reset.received).toHaveLength(2);

    expect(safeToRepeat("GET", "/sanctions", undefined)).toBe(true);
    expect(safeToRepeat("POST", "/entities/x/events", { type: "T" })).toBe(false);
    expect(safeToRepeat("POST", "/entities/x/events", { type: "T", eventId: "e" })).toBe(true);
    expect(safeToRepeat("POST", "/batches", { items: [{ eventId: "a" }, {}] })).toBe(false);
    expect(safeToRepeat("POST", "/batches", { items: [{ eventId: "a" }] })).toBe(true);
    expect(withEventIds("GET", "/entities/x/events", { type: "T" })).toEqual({ type: "T" });
  });

  it("is off with attempts: 1", async () => {
    const fake = await fakeLedger((_req, res) => answer(res, 503, { message: "busy" }));
    const client = new LedgerClient({ url: fake.url, retry: { attempts: 1 } });
    await expect(client.get("/sanctions")).rejects.toMatchObject({ status: 503 });
    expect(fake.received).toHaveLength(1);
  });
});

describe("Retry-After and backoff", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  it("reads delay-seconds and HTTP dates", () => {
    expect(retryAfterMs("0", now)).toBe(0);
    expect(retryAfterMs(" 7 ", now)).toBe(7000);
    expect(retryAfterMs("Sun, 01 Mar 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Sun, 01 Mar 2026 11:00:00 GMT", now)).toBe(0); // already past
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("1.5", now)).toBeUndefined();
    expect(retryAfterMs("-1", now)).toBeUndefined();
  });

  it("waits a random time under a doubling cap, never above maxDelayMs", () => {
    const top = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 };
    expect([0, 1, 2, 3, 4, 10].map((r) => backoffMs(r, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffMs(5, { ...top, random: () => 0 })).toBe(0);
  });
});

describe("sanctions-ledger append, retried", () => {
  it("notes each retry on stderr and reports the event written once", async () => {
    const fake = await fakeLedger((_req, res, n, body) => {
      if (n === 1) return answer(res, 503, { message: "Service Unavailable" });
      return answer(res, 201, { ...APPENDED, eventId: JSON.parse(body).eventId });
    });
    const out = { stdout: "", stderr: "" };
    const code = await run(
      ["append", "ru-vtb-bank", "--file", "-", "--url", fake.url],
      {
        stdout: (t) => {
          out.stdout += t;
        },
        stderr: (t) => {
          out.stderr += t;
        },
        env: {},
        readStdin: async () => '{"type":"SanctionLifted","data":{"sanctionId":"jp-asset-freeze"}}',
      },
      { retry: instantRetry().retry },
    );
    expect(code).toBe(0);
    expect(out.stderr).toMatch(
      /^note: POST http:\/\/127\.0\.0\.1:\d+\/entities\/ru-vtb-bank\/events: 503 Service Unavailable; retrying in 0\.1 s \(attempt 2 of 5\)\n$/,
    );
    const eventId = JSON.parse(fake.received[0]?.body ?? "{}").eventId;
    expect(out.stdout).toBe(
      `201 written version 3 (eventId ${eventId}, SanctionLifted, recorded 2023-01-09T10:00:00.000Z, hash ${"ab".repeat(32)})\n`,
    );
  });
});
