import type { IsoDate, LedgerEvent } from "../../functions/domain/events.js";
import { coverageOf, fold } from "../../functions/domain/state.js";
import { unlessNotFound } from "../client.js";
import type { EntityHistory } from "./backfill.js";
import { planBackfill } from "./backfill.js";
import type { HeldEntity, ImportPlan, PlannedEntry, PlannedEvent } from "./diff.js";
import {
  amendmentOf,
  importEventId,
  importOwner,
  keyOf,
  listStreamOf,
  planImport,
} from "./diff.js";
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
  /** Events retracted to correct the list's history (a backfill). */
  corrected: number;
  unchanged: number;
  /** Whether the publication was dated on or before the latest the ledger recorded for its list. */
  backfill: boolean;
  /** The dates of the list's publications the ledger recorded before this import. */
  coverage: IsoDate[];
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
  const heldOf = async (entityId: string): Promise<HeldEntity> => {
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
      const owner = importOwner(first.events[0]?.eventId);
      if (owner) current.owner = owner;
    }
    return current;
  };
  const read = async (entityId: string) => {
    held.set(entityId, await unlessNotFound(heldOf(entityId)));
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
  const others = new Set<string>();
  for (const entityId of await listedOn(client, publication.list, OPEN_ENDED_ON)) {
    if (!held.has(entityId)) others.add(entityId);
  }
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

/** The entities the ledger holds a sanction of `list` on, in force on `asOf`. */
async function listedOn(client: ImportClient, list: ListName, asOf: IsoDate): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await client.get("/sanctions", {
      asOf,
      authority: AUTHORITY[list],
      limit: "1000",
      nextToken,
    })) as {
      items: { entityId: string; sanctions: { sanctionId: string }[] }[];
      nextToken?: string;
    };
    for (const item of page.items) {
      if (item.sanctions.some((s) => keyOf(list, s.sanctionId) !== undefined)) {
        ids.push(item.entityId);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return ids;
}

/** Every event of a stream, oldest first; undefined when the ledger does not know the entity. */
function readStream(client: ImportClient, entityId: string): Promise<LedgerEvent[] | undefined> {
  return unlessNotFound(
    (async () => {
      const events: LedgerEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = (await client.get(`/entities/${entityId}/events`, {
          limit: "1000",
          nextToken,
        })) as { events: LedgerEvent[]; nextToken?: string };
        events.push(...page.events);
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    })(),
  );
}

/** The list's coverage, as its stream records it: the dates of the publications imported. */
export async function readCoverage(
  client: ImportClient,
  list: ListName,
): Promise<{ registered: boolean; dates: IsoDate[] }> {
  const events = await readStream(client, listStreamOf(list));
  if (!events) return { registered: false, dates: [] };
  const { publications } = coverageOf(fold(listStreamOf(list), events));
  const dates = publications.filter((p) => p.list === list).map((p) => p.publishedOn);
  return { registered: true, dates: [...new Set(dates)] };
}

/**
 * For a backfill: the stream of every entity of the publication, and of every entity that
 * holds a sanction of the list on one of the recorded publication dates or open-ended.
 */
export async function readHistories(
  client: ImportClient,
  publication: Publication,
  recorded: readonly IsoDate[],
  options: Pick<ImportOptions, "concurrency" | "onProgress">,
): Promise<Map<string, EntityHistory | undefined>> {
  const ids = new Set(publication.entries.map((e) => e.entityId));
  for (const asOf of [...recorded, OPEN_ENDED_ON]) {
    for (const entityId of await listedOn(client, publication.list, asOf)) ids.add(entityId);
  }
  const histories = new Map<string, EntityHistory | undefined>();
  let done = 0;
  await pool([...ids], (options.concurrency ?? 4) * 4, async (entityId) => {
    const events = await readStream(client, entityId);
    if (!events || events.length === 0) histories.set(entityId, undefined);
    else {
      const owner = importOwner(events[0]?.eventId);
      histories.set(entityId, { state: fold(entityId, events), ...(owner ? { owner } : {}) });
    }
    options.onProgress?.({ phase: "reading", done: ++done, total: ids.size, events: 0 });
  });
  return histories;
}

/** The list stream's events for this import: its registration if new, and the publication's record. */
function recordOf(
  publication: Publication,
  published: IsoDate,
  coverage: { registered: boolean; dates: IsoDate[] },
): PlannedEntry | undefined {
  const entityId = listStreamOf(publication.list);
  const source = { title: publication.title, publishedOn: published };
  const events: PlannedEvent[] = [];
  if (!coverage.registered) {
    events.push({
      entityId,
      type: "EntityRegistered",
      eventId: `imp.${publication.list}.list`,
      data: { name: publication.title, kind: "list" },
      source,
    });
  }
  if (!coverage.dates.includes(published)) {
    events.push({
      entityId,
      type: "PublicationImported",
      eventId: importEventId(publication.list, published, "list", "publication"),
      data: {
        list: publication.list,
        publishedOn: published,
        title: publication.title,
        entries: publication.entries.length,
      },
      source,
    });
  }
  return events.length > 0 ? { entityId, ref: "list", events } : undefined;
}

/**
 * Imports a publication: reads the list's coverage and the ledger, plans the difference, and
 * sends it in batches; then records the publication on the list's stream. A publication
 * dated after the latest recorded one is a difference against what the ledger holds; one
 * dated on or before it is a backfill (see `planBackfill`).
 */
export async function runImport(
  client: ImportClient,
  publication: Publication,
  options: ImportOptions,
): Promise<{ plan: ImportPlan; summary: ImportSummary }> {
  const coverage = await readCoverage(client, publication.list);
  const latest = coverage.dates.reduce<IsoDate | undefined>(
    (a, d) => (a === undefined || d > a ? d : a),
    undefined,
  );
  let plan: ImportPlan;
  if (latest === undefined || options.published > latest) {
    const held = await readHeld(client, publication, options);
    plan = {
      ...planImport(publication, options.published, held, latest),
      coverage: [...coverage.dates].sort(),
      backfill: false,
    };
  } else {
    const histories = await readHistories(client, publication, coverage.dates, options);
    plan = planBackfill(publication, options.published, [...coverage.dates].sort(), histories);
  }
  const record = recordOf(publication, options.published, coverage);
  if (record) plan.record = record;
  const summary: ImportSummary = {
    list: publication.list,
    published: options.published,
    entries: publication.entries.length,
    registered: 0,
    imposed: 0,
    amended: 0,
    lifted: 0,
    corrected: 0,
    unchanged: plan.unchanged,
    backfill: plan.backfill === true,
    coverage: plan.coverage ?? [],
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
    else if (type === "SanctionLifted") summary.lifted++;
    else if (type === "EventRetracted") summary.corrected++;
  };
  if (options.dryRun) {
    for (const entry of plan.entries) for (const e of entry.events) count(e.type);
    return { plan, summary };
  }
  const refs = new Map(plan.entries.map((e) => [e.entityId, e.ref]));
  const total =
    plan.entries.reduce((n, e) => n + e.events.length, 0) + (record?.events.length ?? 0);
  let sent = 0;
  // The publication is recorded last, and only once every entry is: an interrupted or
  // refused import is not yet coverage, and running it again completes it.
  const send = (round: PlannedEvent[][]) =>
    pool(round, options.concurrency ?? 4, async (batch) => {
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
        const listed = item.entityId !== listStreamOf(publication.list);
        if (result.status === 201) {
          summary.written++;
          if (listed) count(item.type);
        } else if (result.status === 200) {
          summary.alreadyRecorded++;
          if (listed) count(item.type);
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
  for (const round of batchesOf(plan.entries)) await send(round);
  if (record && !summary.rejected.some((x) => x.entityId !== "")) await send([record.events]);
  return { plan, summary };
}
