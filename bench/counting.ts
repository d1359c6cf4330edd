/**
 * Counts the DynamoDB requests a client sends: by table and operation, with the items and
 * bytes they return. Installed as a middleware on a client's stack, so it sees every call
 * of the code under test (the ledger's stores, the handlers) without touching that code.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** What the requests of one table and operation did. */
export interface Tally {
  /** HTTP requests sent to the engine, each retry included. */
  requests: number;
  /** Items returned (`Item`, `Items`, `Responses`) or written (`BatchWriteItem`). */
  items: number;
  /** Bytes of the engine's answers. */
  bytes: number;
}

/** Keys are `table/Operation`, e.g. `bench-events/PutItem`. */
export type Counts = Record<string, Tally>;

interface BenchContext {
  benchKey?: string;
}

/** Tallies requests per table and operation; `snapshot()` and `reset()` delimit a measure. */
export class RequestCounter {
  private counts: Counts = {};

  /** Installs the counter on a client's middleware stack (its own stack, not a copy). */
  install(client: Pick<DynamoDBDocumentClient, "middlewareStack">, name = "benchCounter"): this {
    // The command and its table are known before serialization…
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input?: { TableName?: string; RequestItems?: object } }).input;
        const table =
          input?.TableName ?? (Object.keys(input?.RequestItems ?? {}).join("+") || "unknown");
        const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
        (context as BenchContext).benchKey = `${table}/${operation}`;
        return next(args);
      },
      { step: "initialize", name: `${name}Name`, priority: "high" },
    );
    // …and every attempt is counted inside the retry loop, with what the engine answered.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (context as BenchContext).benchKey ?? "unknown/Unknown";
        const tally = this.tally(key);
        tally.requests++;
        const result = await next(args);
        const response = result.response as { headers?: Record<string, string> };
        tally.bytes += Number(response.headers?.["content-length"] ?? 0);
        tally.items += itemsOf(key, result.output, args);
        return result;
      },
      { step: "finalizeRequest", name: `${name}Attempts`, priority: "low" },
    );
    return this;
  }

  private tally(key: string): Tally {
    let tally = this.counts[key];
    if (!tally) {
      tally = { requests: 0, items: 0, bytes: 0 };
      this.counts[key] = tally;
    }
    return tally;
  }

  reset(): void {
    this.counts = {};
  }

  /** The counts since the last reset (a copy). */
  snapshot(): Counts {
    return structuredClone(this.counts);
  }

  /** Runs `work` and answers its result with the requests it made. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; counts: Counts }> {
    this.reset();
    const result = await work();
    return { result, counts: this.snapshot() };
  }
}

function itemsOf(key: string, output: unknown, args: unknown): number {
  const out = output as {
    Item?: unknown;
    Items?: unknown[];
    Responses?: Record<string, unknown[]>;
  };
  if (out.Items) return out.Items.length;
  if (out.Item) return 1;
  if (out.Responses) return Object.values(out.Responses).reduce((n, r) => n + r.length, 0);
  if (key.endsWith("/BatchWriteItem")) {
    const body = (args as { request?: { body?: unknown } }).request?.body;
    if (typeof body === "string") {
      const parsed = JSON.parse(body) as { RequestItems?: Record<string, unknown[]> };
      return Object.values(parsed.RequestItems ?? {}).reduce((n, r) => n + r.length, 0);
    }
  }
  return 0;
}

/** The sum of the tallies whose key matches. */
export function total(counts: Counts, match: (key: string) => boolean = () => true): Tally {
  const sum: Tally = { requests: 0, items: 0, bytes: 0 };
  for (const [key, tally] of Object.entries(counts)) {
    if (!match(key)) continue;
    sum.requests += tally.requests;
    sum.items += tally.items;
    sum.bytes += tally.bytes;
  }
  return sum;
}

/** `{"events/PutItem": 1, …}` divided by `n`: the requests per operation, e.g. per append. */
export function perOperation(counts: Counts, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, tally] of Object.entries(counts)) out[key] = round(tally.requests / n, 3);
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
