/**
 * The system under test: the embedded engine (dynalite in its worker thread, over its
 * real HTTP interface on loopback), a request counter on the document client that the
 * handlers use, and the local HTTP server running the real handlers.
 */
import type { Server } from "node:http";
import { createServer } from "node:http";
import { type Engine, startEngine } from "../local/engine.js";
import { createLocalServer, listen, localFunctions } from "../local/server.js";
import { RequestCounter } from "./counting.js";

export interface Harness {
  engine: Engine;
  counter: RequestCounter;
  /** The base URL of the local ledger. */
  url: string;
  /**
   * The base URL of a second server over the same engine that answers every request with
   * fresh functions, as a new Lambda container would: no view in the process's memory.
   */
  coldUrl: string;
  close(): Promise<void>;
}

let prefixes = 0;

/** Starts an engine with its own tables, the counter, and the local server over both. */
export async function startHarness(options: { proofs?: boolean } = {}): Promise<Harness> {
  const engine = await startEngine({ tablePrefix: `bench${++prefixes}` });
  // The counter must be on the stack before the stores are built over `engine.doc`.
  const counter = new RequestCounter().install(engine.doc);
  // The sequencer is a function of its own in AWS: the sections that measure the API leave
  // it out (the proofs section measures it), unless asked to run as `npm start` does.
  const server = createLocalServer(
    localFunctions(engine, {}, options.proofs ? {} : { proofs: false }),
  );
  const url = await listen(server, 0);
  const fresh = () => localFunctions(engine, {}, { proofs: false });
  const coldServer = createLocalServer({
    get ledger() {
      return fresh().ledger;
    },
    get services() {
      return fresh().services;
    },
    // A fresh build of the functions per request: every answer from a cold start.
    handlers: {
      writer: (event) => fresh().handlers.writer(event),
      reader: (event) => fresh().handlers.reader(event),
      audit: (event) => fresh().handlers.audit(event),
      proofs: (event) => fresh().handlers.proofs(event),
      docs: (event) => fresh().handlers.docs(event),
    },
    projectAppended: (answers) => fresh().projectAppended(answers),
    sequenceAppended: async () => {},
  });
  const coldUrl = await listen(coldServer, 0);
  return {
    engine,
    counter,
    url,
    coldUrl,
    close: async () => {
      await closeServer(server);
      await closeServer(coldServer);
      await engine.close();
    },
  };
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** An extra HTTP endpoint beside the ledger, for baselines that must also go over HTTP. */
export async function serveJson(
  answer: (url: URL) => Promise<unknown>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    try {
      const body = JSON.stringify(await answer(new URL(req.url ?? "/", "http://localhost")));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });
  const url = await listen(server, 0);
  return { url, close: () => closeServer(server) };
}

/** GET a JSON answer; throws on any status but 200. */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** POST a JSON body; throws on a status of 300 or more. */
export async function postJson<T = unknown>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}
