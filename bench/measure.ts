/** Latency and DynamoDB cost of calls made one after the other. */
import { total } from "./counting.js";
import type { Harness } from "./local.js";
import { median, p95, round, since } from "./report.js";

/** Medians per call of what the calls cost, and their latency quantiles. */
export interface Measured {
  p50: number;
  p95: number;
  /** DynamoDB requests per call (median). */
  requests: number;
  /** Items the engine returned per call (median). */
  items: number;
  /** KiB the engine returned per call (median). */
  kb: number;
  samples: number;
}

/** The columns of a measurement in the detail tables, after those that name it. */
export const MEASURED_COLUMNS = [
  "requests",
  "items read",
  "KB read",
  "p50 ms",
  "p95 ms",
  "samples",
];

/** A measurement's cells under {@link MEASURED_COLUMNS}. */
export function measuredCells(m: Measured): (string | number)[] {
  return [m.requests, m.items, round(m.kb, 1), round(m.p50, 2), round(m.p95, 2), m.samples];
}

/**
 * Samples of one kind of call. Each call is timed with the DynamoDB requests it caused:
 * the server runs in this process and calls are made one at a time, so the counter sees
 * exactly the requests of the call.
 */
export class Samples {
  private readonly ms: number[] = [];
  private readonly requests: number[] = [];
  private readonly items: number[] = [];
  private readonly bytes: number[] = [];

  constructor(private readonly h: Harness) {}

  async take<T>(call: () => Promise<T>): Promise<T> {
    this.h.counter.reset();
    const start = performance.now();
    const result = await call();
    this.ms.push(since(start));
    const t = total(this.h.counter.snapshot());
    this.requests.push(t.requests);
    this.items.push(t.items);
    this.bytes.push(t.bytes);
    return result;
  }

  get count(): number {
    return this.ms.length;
  }

  summary(): Measured {
    return {
      p50: median(this.ms),
      p95: p95(this.ms),
      requests: median(this.requests),
      items: median(this.items),
      kb: median(this.bytes) / 1024,
      samples: this.ms.length,
    };
  }
}

/** Makes `count` calls one after the other; answers their summary and the last result. */
export async function measureCalls<T>(
  h: Harness,
  count: number,
  call: () => Promise<T>,
): Promise<{ measured: Measured; last: T }> {
  const samples = new Samples(h);
  let last: T | undefined;
  for (let i = 0; i < count; i++) last = await samples.take(call);
  return { measured: samples.summary(), last: last as T };
}
