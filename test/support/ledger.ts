import type { Server } from "node:http";
import type { Engine } from "../../local/engine.js";
import {
  createLocalServer,
  type LocalFunctions,
  listen,
  localFunctions,
} from "../../local/server.js";
import { startTestEngine } from "./engine.js";

/** An HTTP answer; each test asserts the shape of the JSON it expects. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape the API has
  body: any;
  type: string | null;
}

/**
 * A running local ledger over a real engine (dynalite, or the endpoint that
 * `LEDGER_TEST_DYNAMODB_ENDPOINT` names), for integration tests.
 */
export interface RunningLedger {
  url: string;
  engine: Engine;
  fns: LocalFunctions;
  close(): Promise<void>;
  get(path: string): Promise<Answer>;
  post(path: string, body: unknown): Promise<Answer>;
}

let prefixes = 0;

/**
 * Starts a local ledger. `proofs`: whether it keeps the Merkle log and publishes checkpoints
 * after every append, as `npm start` does; off by default, since only the suites about
 * proofs need it and it adds its writes to every append.
 */
export async function startLedger(
  engine?: Engine,
  options: { proofs?: boolean } = {},
): Promise<RunningLedger> {
  const own = engine ?? (await startTestEngine({ tablePrefix: `t${++prefixes}` }));
  const fns = localFunctions(own, {}, options.proofs ? {} : { proofs: false });
  const server: Server = createLocalServer(fns);
  const url = await listen(server, 0);
  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(url + path, init);
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get("content-type"),
      body: text ? JSON.parse(text) : undefined,
    };
  };
  return {
    url,
    engine: own,
    fns,
    get: (path) => call(path),
    post: (path, body) =>
      call(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (!engine) await own.close();
    },
  };
}
