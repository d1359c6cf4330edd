import type { IsoDate } from "../../functions/domain/events.js";
import type { HeldEntity, ImportPlan, PlannedEntry, PlannedEvent } from "./diff.js";
import { amendmentOf, keyOf, planImport } from "./diff.js";
import type { ListName, Publication } from "./model.js";

/** The part of the HTTP client the importer needs. A problem answer rejects with `status`. */
export interface ImportClient {
  get(path: string, query?: Record<string, string | undefined>): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
}

/** Progress of an import, for a progress bar or a log. */
export interface ImportProgress {
  phase: "reading" | "writing";
  done: number;
  total: number;
  events: number;
}

/** What an import did, by kind of change. */
export interface ImportSummary {
  list: ListName;
  published: IsoDate;
  entries: number;
  registered: number;
  imposed: number;
  amended: number;
  lifted: number;
  unchanged: number;
  /** Events already in the ledger (an interrupted import completed, or a concurrent one). */
  alreadyRecorded: number;
  rejected: { entityId: string; ref: string; reason: string }[];
  written: number;
}

export interface ImportOptions {
  published: IsoDate;
  dryRun?: boolean;
  /** Concurrent requests. @default 4 */
  concurrency?: number;
  onProgress?: (progress: ImportProgress) => void;
}

/** A far future day: a sanction in force on it is open-ended (not lifted, no end). */
const OPEN_ENDED_ON = "9999-12-31";

const AUTHORITY: Record<ListName, string> = {
  "ofac-sdn": "US-OFAC",
  "ofac-cons": "US-OFAC",
  un: "UN",
};

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown })?.status;
  return typeof status === "number" ? status : undefined;
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

interface StateAnswer {
  name: string;
  kind: string;
  aliases: string[];
  country: string | null;
  inForce: { sanctionId: string; program: string | null }[];
}

interface TimelineAnswer {
  sanctions: { sanctionId: string }[];
}

/** Reads what the ledger holds of the publication's entries and of the list's other entities. */
export async function readHeld(
  client: ImportClient,
  publication: Publication,
  options: Pick<ImportOptions, "concurrency" | "onProgress">,
): Promise<Map<string, HeldEntity | undefined>> {
  const held = new Map<string, HeldEntity | undefined>();
  const concurrency = (options.concurrency ?? 4) * 4;
  let done = 0;
  const entries = new Map(publication.entries.map((e) => [e.entityId, e]));
  const read = async (entityId: string) => {
    try {
      const state = (await client.get(`/entities/${entityId}`, {
        asOf: OPEN_ENDED_ON,
      })) as StateAnswer;
      const open = state.inForce.map((s) => ({ sanctionId: s.sanctionId, program: s.program }));
      let all = open.map((s) => s.sanctionId);
      const listed = entries.get(entityId);
      const missing = listed?.sanctions.some(
        (s) => !open.some((o) => keyOf(publication.list, o.sanctionId) === s.key),
      );
      if (missing) {
        const timeline = (await client.get(`/entities/${entityId}/timeline`)) as TimelineAnswer;
        all = timeline.sanctions.map((s) => s.sanctionId);
      }
      const current: HeldEntity = {
        name: state.name,
        kind: state.kind,
        aliases: state.aliases,
        country: state.country,
        open,
        all,
      };
      // Only an entity whose details differ needs to know which list registered it.
      if (listed && amendmentOf(listed, current, true)) {
        const first = (await client.get(`/entities/${entityId}/events`, { limit: "1" })) as {
          events: { eventId: string }[];
        };
        const owner = /^imp\.([a-z-]+)\./.exec(first.events[0]?.eventId ?? "")?.[1];
        if (owner === "ofac-sdn" || owner === "ofac-cons" || owner === "un") current.owner = owner;
      }
      held.set(entityId, current);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      held.set(entityId, undefined);
    }
    options.onProgress?.({
      phase: "reading",
      done: ++done,
      total: publication.entries.length,
      events: 0,
    });
  };
  await pool(
    publication.entries.map((e) => e.entityId),
    concurrency,
    read,
  );
  // Entities the ledger holds open sanctions of this list on, that the publication omits.
  let nextToken: string | undefined;
  const others = new Set<string>();
  do {
    const page = (await client.get("/sanctions", {
      asOf: OPEN_ENDED_ON,
      authority: AUTHORITY[publication.list],
      limit: "1000",
      nextToken,
    })) as {
      items: { entityId: string; sanctions: { sanctionId: string }[] }[];
      nextToken?: string;
    };
    for (const item of page.items) {
      if (held.has(item.entityId)) continue;
      if (item.sanctions.some((s) => keyOf(publication.list, s.sanctionId) !== undefined)) {
        others.add(item.entityId);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  await pool([...others], concurrency, async (entityId) => {
    const state = (await client.get(`/entities/${entityId}`, {
      asOf: OPEN_ENDED_ON,
    })) as StateAnswer;
    held.set(entityId, {
      name: state.name,
      kind: state.kind,
      aliases: state.aliases,
      country: state.country,
      open: state.inForce.map((s) => ({ sanctionId: s.sanctionId, program: s.program })),
      all: state.inForce.map((s) => s.sanctionId),
    });
  });
  return held;
}

/**
 * Batches of at most 100 items that never split one entity's events across batches sent
 * at once: an entity's events go in order, in one batch (or, past 100, in consecutive
 * rounds).
 */
export function batchesOf(entries: readonly PlannedEntry[]): PlannedEvent[][][] {
  const rounds: PlannedEvent[][][] = [];
  const chunks = entries.map((e) => {
    const parts: PlannedEvent[][] = [];
    for (let i = 0; i < e.events.length; i += 100) parts.push(e.events.slice(i, i + 100));
    return parts;
  });
  const depth = Math.max(0, ...chunks.map((c) => c.length));
  for (let round = 0; round < depth; round++) {
    const batches: PlannedEvent[][] = [];
    let current: PlannedEvent[] = [];
    for (const parts of chunks) {
      const part = parts[round];
      if (!part) continue;
      if (current.length + part.length > 100) {
        batches.push(current);
        current = [];
      }
      current.push(...part);
    }
    if (current.length > 0) batches.push(current);
    rounds.push(batches);
  }
  return rounds;
}

/** Imports a publication: reads the ledger, plans the difference, and sends it in batches. */
export async function runImport(
  client: ImportClient,
  publication: Publication,
  options: ImportOptions,
): Promise<{ plan: ImportPlan; summary: ImportSummary }> {
  const held = await readHeld(client, publication, options);
  const plan = planImport(publication, options.published, held);
  const summary: ImportSummary = {
    list: publication.list,
    published: options.published,
    entries: publication.entries.length,
    registered: 0,
    imposed: 0,
    amended: 0,
    lifted: 0,
    unchanged: plan.unchanged,
    alreadyRecorded: 0,
    rejected: publication.rejected.map((r) => ({
      entityId: "",
      ref: r.ref,
      reason: r.reason,
    })),
    written: 0,
  };
  const count = (type: PlannedEvent["type"]) => {
    if (type === "EntityRegistered") summary.registered++;
    else if (type === "EntityAmended") summary.amended++;
    else if (type === "SanctionImposed") summary.imposed++;
    else summary.lifted++;
  };
  if (options.dryRun) {
    for (const entry of plan.entries) for (const e of entry.events) count(e.type);
    return { plan, summary };
  }
  const refs = new Map(plan.entries.map((e) => [e.entityId, e.ref]));
  const total = plan.entries.reduce((n, e) => n + e.events.length, 0);
  let sent = 0;
  for (const round of batchesOf(plan.entries)) {
    await pool(round, options.concurrency ?? 4, async (batch) => {
      const answer = (await client.post("/batches", {
        items: batch.map(({ entityId, type, eventId, data, source }) => ({
          entityId,
          type,
          eventId,
          data,
          source,
          // The ledger held no such entity when the plan was made: one registered since by
          // someone else is a conflict, and the ledger need not read a stream to know it.
          ...(type === "EntityRegistered" ? { expectedVersion: 0 } : {}),
        })),
      })) as { results: { status: number; title?: string; detail?: string }[] };
      answer.results.forEach((result, i) => {
        const item = batch[i] as PlannedEvent;
        if (result.status === 201) {
          summary.written++;
          count(item.type);
        } else if (result.status === 200) {
          summary.alreadyRecorded++;
          count(item.type);
        } else {
          summary.rejected.push({
            entityId: item.entityId,
            ref: refs.get(item.entityId) ?? "",
            reason:
              `${item.type} ${result.status} ${result.title ?? ""}: ${result.detail ?? ""}`.trim(),
          });
        }
      });
      sent += batch.length;
      options.onProgress?.({
        phase: "writing",
        done: sent,
        total,
        events: summary.written,
      });
    });
  }
  return { plan, summary };
}
