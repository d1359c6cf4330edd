/**
 * The stream projector under faults, against a real dynalite server: random valid histories
 * of a few entities are appended through writers whose view writes fail, then the stream's
 * records are delivered to `projectorHandler` duplicated, reordered and dropped, while the
 * view store fails on random writes (before or after the write lands). Deliveries follow
 * Lambda's semantics for partial batch failures: a batch that reports failures is delivered
 * again from the lowest failed sequence number on, until it succeeds.
 *
 * Whatever the faults, every entity must end with derived records equal to those of a clean
 * projection of its stream: the read model's records as recorded at each event, rows whose
 * record-time history is exactly the rows that each prefix of the stream implies, the
 * search rows of its current names, and its card.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuditQueries } from "../../functions/app/audit.js";
import { Ledger } from "../../functions/app/ledger.js";
import { addDays } from "../../functions/domain/dates.js";
import { decide } from "../../functions/domain/decide.js";
import { DomainError } from "../../functions/domain/errors.js";
import type { EventBody, IsoDate, LedgerEvent, Measure } from "../../functions/domain/events.js";
import type { DerivedWrite, Projected } from "../../functions/domain/projections/index.js";
import { SNAPSHOT_EVERY } from "../../functions/domain/projections/index.js";
import type { EntityState } from "../../functions/domain/state.js";
import { entityDetails, evolve, fold, initialState } from "../../functions/domain/state.js";
import { entityOn, sanctionTimeline, timelines } from "../../functions/domain/timeline.js";
import { eventOf } from "../../functions/domain/verify.js";
import { logger } from "../../functions/handlers/http.js";
import { projectorHandler } from "../../functions/handlers/projector.js";
import type { Services } from "../../functions/handlers/wiring.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import type { RowRange, ViewStore } from "../../functions/store/ports.js";
import { ensureTable, eventsTableInput, viewsTableInput } from "../../functions/store/tables.js";
import { type Engine, startEngine } from "../../local/engine.js";
import { expectProjected as expectProjectedIn } from "../support/projection.js";
import { scaledRuns } from "../support/runs.js";

let engine: Engine;
/** The stores of the current run: each run has tables of its own, so its checks read only its rows. */
let events: DynamoEventStore;
let views: DynamoViewStore;

async function freshTables(label: string): Promise<void> {
  const names = { events: `${label}-events`, views: `${label}-views` };
  await ensureTable(engine.client, eventsTableInput(names.events));
  await ensureTable(engine.client, viewsTableInput(names.views));
  events = new DynamoEventStore(engine.doc, names.events);
  views = new DynamoViewStore(engine.doc, names.views);
}

beforeAll(async () => {
  engine = await startEngine({ tablePrefix: "faults" });
  // Injected faults are logged by the handler as errors: keep the output readable.
  vi.spyOn(logger, "error").mockImplementation(() => undefined);
  vi.spyOn(logger, "warn").mockImplementation(() => undefined);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await engine.close();
});

// ---- a view store with injected faults ------------------------------------------------

/**
 * `before`: the write never happens. `after`: it lands, but its answer is lost. `partial`:
 * some of its items land (a process dying between two batches), and the call fails.
 */
type Fault = "ok" | "before" | "after" | "partial";

class InjectedFault extends Error {
  constructor(readonly when: Fault) {
    super(`injected fault (${when} the write)`);
    this.name = "InjectedFault";
  }
}

/**
 * The DynamoDB view store, with writes that fail as `decide` says while `faulty` is set.
 * Reads always succeed. `crash` makes every write fail: a process dying between the event
 * write and the projection.
 */
class FaultyViews implements ViewStore {
  mode: "healthy" | "faulty" | "crash" = "healthy";
  constructor(private readonly decideFault: () => Fault = () => "ok") {}

  async write(writes: readonly DerivedWrite[]): Promise<void> {
    const fault =
      this.mode === "crash" ? "before" : this.mode === "faulty" ? this.decideFault() : "ok";
    if (fault === "before") throw new InjectedFault(fault);
    if (fault === "partial") {
      await views.write(writes.filter((_, i) => i % 2 === 0));
      throw new InjectedFault(fault);
    }
    await views.write(writes);
    if (fault === "after") throw new InjectedFault(fault);
  }
  filed(writes: readonly DerivedWrite[]) {
    return views.filed(writes);
  }
  getRecord<T>(...args: Parameters<ViewStore["getRecord"]>) {
    return views.getRecord<T>(...args);
  }
  getCards(entityIds: readonly string[]) {
    return views.getCards(entityIds);
  }
  queryRows(pk: string, range: RowRange, limit: number) {
    return views.queryRows(pk, range, limit);
  }
}

let ids = 0;
const ledgerOver = (viewStore: ViewStore) =>
  new Ledger({ events, views: viewStore, now: () => new Date(), newId: () => `gen-${++ids}` });

/** Takes the values of a generated array one after the other, round and round. */
function cycle<T>(values: readonly T[], fallback: T): () => T {
  let i = 0;
  return () => (values.length === 0 ? fallback : (values[i++ % values.length] as T));
}

// ---- random valid histories -----------------------------------------------------------

const BASE: IsoDate = "2022-03-01";
const AUTHORITIES = ["JP", "EU", "UK"] as const;
const NAMES = ["Alpha Bank", "Beta Trading Company", "Gamma Öl Shipping", "Delta Holdings"];
const ALIASES = ["Alpha", "ABC Holdings", "Kappa Export", "Sigma", "Beta Co"];

type Intent =
  | {
      kind: "impose";
      sid: number;
      authority: number;
      announce: number;
      lag: number;
      length: number | null;
      measures: Measure[];
    }
  | {
      kind: "amend";
      pick: number;
      from: number;
      measures: Measure[] | undefined;
      until: number | null | undefined;
      legalBasis: string | null | undefined;
    }
  | { kind: "lift"; pick: number; from: number }
  | { kind: "retract"; pick: number }
  | { kind: "entity"; name: number | undefined; add: number | undefined; remove: boolean };

const measures = fc.subarray<Measure>(["asset-freeze", "export-ban", "travel-ban"], {
  minLength: 1,
});
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const intent: fc.Arbitrary<Intent> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("impose" as const),
      sid: fc.nat({ max: 2 }),
      authority: fc.nat({ max: 2 }),
      announce: fc.nat({ max: 20 }),
      lag: fc.nat({ max: 10 }),
      length: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
      measures,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("amend" as const),
      pick: fc.nat(),
      from: fc.nat({ max: 60 }),
      measures: opt(measures),
      until: opt(fc.option(fc.integer({ min: 1, max: 30 }), { nil: null })),
      legalBasis: opt(fc.option(fc.constantFrom("Act A", "Act B"), { nil: null })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("lift" as const),
      pick: fc.nat(),
      from: fc.nat({ max: 50 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("retract" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("entity" as const),
      name: opt(fc.nat({ max: NAMES.length - 1 })),
      add: opt(fc.nat({ max: ALIASES.length - 1 })),
      remove: fc.boolean(),
    }),
  },
);

const daysBetween = (from: IsoDate, to: IsoDate) =>
  Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** The event body an intent stands for against `state`, or undefined when it has none. */
function bodyOf(i: Intent, state: EntityState): EventBody | undefined {
  const live = state.sanctions;
  const pick = (n: number) => live[n % Math.max(1, live.length)];
  switch (i.kind) {
    case "impose": {
      const effectiveFrom = addDays(BASE, i.announce + i.lag);
      return {
        type: "SanctionImposed",
        data: {
          sanctionId: `s${i.sid}`,
          authority: AUTHORITIES[i.authority] ?? "JP",
          measures: i.measures,
          announcedOn: addDays(BASE, i.announce),
          effectiveFrom,
          ...(i.length === null ? {} : { effectiveUntil: addDays(effectiveFrom, i.length) }),
        },
      };
    }
    case "amend": {
      const target = pick(i.pick);
      if (!target) return undefined;
      const { end } = sanctionTimeline(target);
      const span = end === null ? 90 : daysBetween(target.effectiveFrom, end);
      if (span <= 0) return undefined;
      const from = addDays(target.effectiveFrom, i.from % span);
      const changes = {
        ...(i.measures === undefined ? {} : { measures: i.measures }),
        ...(i.until === undefined
          ? {}
          : { effectiveUntil: i.until === null ? null : addDays(from, i.until) }),
        ...(i.legalBasis === undefined ? {} : { legalBasis: i.legalBasis }),
      };
      return {
        type: "SanctionAmended",
        data: {
          sanctionId: target.sanctionId,
          effectiveFrom: from,
          ...(Object.keys(changes).length === 0 ? { measures: ["arms-embargo"] } : changes),
        },
      } as EventBody;
    }
    case "lift": {
      const target = pick(i.pick);
      if (!target || target.lifting) return undefined;
      return {
        type: "SanctionLifted",
        data: { sanctionId: target.sanctionId, effectiveFrom: addDays(target.announcedOn, i.from) },
      };
    }
    case "retract": {
      const candidates = state.versions.flatMap((v, n) =>
        n > 0 && v.type !== "EventRetracted" && v.retractedBy === undefined ? [n + 1] : [],
      );
      const version = candidates[i.pick % Math.max(1, candidates.length)];
      if (version === undefined) return undefined;
      return { type: "EventRetracted", data: { version, reason: "recorded in error" } };
    }
    case "entity": {
      const aliases = entityDetails(state)?.aliases ?? [];
      const removable = i.remove ? aliases[0] : undefined;
      const add = i.add === undefined ? undefined : ALIASES[i.add];
      const data = {
        ...(i.name === undefined ? {} : { name: NAMES[i.name] }),
        ...(add === undefined && removable === undefined
          ? {}
          : {
              aliases: {
                ...(add === undefined ? {} : { add: [add] }),
                ...(removable === undefined ? {} : { remove: [removable] }),
              },
            }),
      };
      if (Object.keys(data).length === 0) return undefined;
      return { type: "EntityAmended", data } as EventBody;
    }
  }
}

/** An entity being written: the fold of what it holds so far. */
interface Written {
  entityId: string;
  state: EntityState;
}

/** A stream record, as DynamoDB Streams would deliver it for an appended event. */
interface StreamRecord {
  entityId: string;
  version: number;
  sequence: number;
}

let sequence = 0;

/**
 * Appends the event an intent stands for, if `decide` accepts it, through `writer`, and
 * returns the stream record of the append.
 */
async function appendIntent(
  writer: Ledger,
  entity: Written,
  intentOrRegistration: Intent | "register",
  n: number,
): Promise<StreamRecord | undefined> {
  const body: EventBody | undefined =
    intentOrRegistration === "register"
      ? {
          type: "EntityRegistered",
          data: { name: NAMES[n % NAMES.length] ?? "Alpha Bank", kind: "organization" },
        }
      : bodyOf(intentOrRegistration, entity.state);
  if (!body) return undefined;
  const eventId =
    intentOrRegistration === "register" ? `${entity.entityId}-reg` : `${entity.entityId}-e${n}`;
  try {
    decide({ ...body, entityId: entity.entityId, eventId } as never, entity.state);
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
  const result = await writer.append(entity.entityId, { ...body, eventId }, "test");
  expect(result.status).toBe(201);
  const stored = await events.findByEventId(entity.entityId, eventId);
  if (!stored) throw new Error(`event ${eventId} not found after its append`);
  entity.state = evolve(entity.state, eventOf(stored));
  return { entityId: entity.entityId, version: result.answer.version, sequence: ++sequence };
}

// ---- delivery with Lambda's semantics -------------------------------------------------

const toRecord = (r: StreamRecord): DynamoDBRecord => ({
  eventName: "INSERT",
  eventSource: "aws:dynamodb",
  dynamodb: {
    Keys: {
      [EVENTS_TABLE.partitionKey]: { S: r.entityId },
      [EVENTS_TABLE.sortKey]: { N: String(r.version) },
    },
    SequenceNumber: String(r.sequence),
    StreamViewType: "NEW_IMAGE",
  },
});

/** How a run delivers records: all the choices come from fast-check. */
interface DeliveryPlan {
  /** Per record: 0 drops it, 1 delivers it, 2 or 3 deliver it that many times. */
  copies: number[];
  /** Sort keys that reorder the delivered records. */
  order: number[];
  /** Batch sizes. */
  batches: number[];
  /** Per delivery: whether its view store injects faults. */
  faulty: boolean[];
  /** The fault of each write in a faulty delivery. */
  faults: Fault[];
  /** Per delivery: which projector instance runs it (0, 1: warm; 2: a fresh one). */
  instance: number[];
}

const deliveryPlan: fc.Arbitrary<DeliveryPlan> = fc.record({
  copies: fc.array(fc.constantFrom(0, 1, 1, 1, 2, 3), { minLength: 1, maxLength: 20 }),
  order: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 20 }),
  batches: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
  faulty: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  faults: fc.array(fc.constantFrom<Fault>("ok", "ok", "ok", "before", "after", "partial"), {
    minLength: 1,
    maxLength: 30,
  }),
  instance: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 8 }),
});

/** The most deliveries of one batch that may inject faults; later ones are healthy. */
const MAX_FAULTY_ATTEMPTS = 3;
const MAX_ATTEMPTS = 12;

/** A set of projector instances, as Lambda would keep warm containers or start fresh ones. */
function projectors(plan: DeliveryPlan) {
  const fault = cycle(plan.faults, "ok");
  const warm = [0, 1].map(() => {
    const store = new FaultyViews(fault);
    return { store, ledger: ledgerOver(store) };
  });
  const pickInstance = cycle(plan.instance, 0);
  const isFaulty = cycle(plan.faulty, false);
  return {
    /** Delivers one batch, as Lambda would, once. */
    async deliver(batch: StreamRecord[], attempt: number) {
      const n = pickInstance();
      const instance =
        warm[n] ??
        (() => {
          const store = new FaultyViews(fault);
          return { store, ledger: ledgerOver(store) };
        })();
      instance.store.mode = attempt < MAX_FAULTY_ATTEMPTS && isFaulty() ? "faulty" : "healthy";
      const handler = projectorHandler(() => ({ ledger: instance.ledger }) as Services);
      const result = await handler({ Records: batch.map(toRecord) } as DynamoDBStreamEvent);
      instance.store.mode = "healthy";
      return result.batchItemFailures;
    },
  };
}

/**
 * Duplicates, drops and reorders `records` as the plan says, keeping at least one record of
 * each entity, then delivers them in batches; a batch that reports failures is delivered
 * again from its lowest failed sequence number on, until it succeeds.
 */
async function deliverAll(
  records: readonly StreamRecord[],
  plan: DeliveryPlan,
  projector: ReturnType<typeof projectors>,
) {
  const copies = cycle(plan.copies, 1);
  const order = cycle(plan.order, 0);
  let delivered = records.flatMap((r) => Array.from({ length: copies() }, () => r));
  for (const entityId of new Set(records.map((r) => r.entityId))) {
    if (!delivered.some((r) => r.entityId === entityId)) {
      const own = records.filter((r) => r.entityId === entityId);
      delivered.push(own[order() % own.length] as StreamRecord);
    }
  }
  delivered = delivered
    .map((r) => ({ r, key: order() }))
    .sort((a, b) => a.key - b.key)
    .map(({ r }) => r);
  const size = cycle(plan.batches, 2);
  for (let start = 0; start < delivered.length; ) {
    const n = size();
    let batch = delivered.slice(start, start + n);
    start += n;
    for (let attempt = 0; ; attempt++) {
      expect(attempt, "a batch is retried until it succeeds").toBeLessThan(MAX_ATTEMPTS);
      const failures = await projector.deliver(batch, attempt);
      if (failures.length === 0) break;
      const sequences = new Set(batch.map((r) => String(r.sequence)));
      for (const f of failures) {
        // An identifier Lambda does not know makes it retry the whole batch: never send one.
        expect(sequences.has(f.itemIdentifier)).toBe(true);
      }
      const lowest = Math.min(...failures.map((f) => Number(f.itemIdentifier)));
      batch = batch.filter((r) => r.sequence >= lowest);
      expect(batch.length).toBeGreaterThan(0);
    }
  }
}

// ---- what a projected entity must look like -------------------------------------------

const expectProjected = (entityId: string) => expectProjectedIn(events, views, entityId);

// ---- the properties -------------------------------------------------------------------

let runs = 0;
/** Runs per property; RELIABILITY_RUNS=500 for a longer search. */
const NUM_RUNS = Number(process.env.RELIABILITY_RUNS ?? scaledRuns(15));

describe("the stream projector under faults", () => {
  it("duplicated, reordered, dropped records and failing view writes: every view converges", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(intent, { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 3 }),
        fc.array(
          fc.constantFrom<FaultyViews["mode"]>("crash", "crash", "crash", "faulty", "healthy"),
          {
            minLength: 1,
            maxLength: 10,
          },
        ),
        fc.nat({ max: 100 }),
        deliveryPlan,
        async (histories, writerModes, split, plan) => {
          const run = ++runs;
          await freshTables(`run${run}`);
          const writerFault = cycle(plan.faults, "ok");
          const writerStore = new FaultyViews(writerFault);
          const writer = ledgerOver(writerStore);
          const writerMode = cycle(writerModes, "crash");
          const entities: Written[] = histories.map((_, e) => ({
            entityId: `run${run}-e${e}`,
            state: initialState(`run${run}-e${e}`),
          }));
          // The appends in round-robin order across the entities, registrations first.
          const steps: { entity: Written; what: Intent | "register"; n: number }[] = [];
          entities.forEach((entity, e) => {
            steps.push({ entity, what: "register", n: e });
          });
          const longest = Math.max(...histories.map((h) => h.length));
          for (let n = 0; n < longest; n++) {
            histories.forEach((h, e) => {
              const what = h[n];
              if (what) steps.push({ entity: entities[e] as Written, what, n: n + 1 });
            });
          }
          const appendSteps = async (from: number, to: number) => {
            const out: StreamRecord[] = [];
            for (const step of steps.slice(from, to)) {
              writerStore.mode = writerMode();
              const record = await appendIntent(writer, step.entity, step.what, step.n);
              if (record) out.push(record);
            }
            writerStore.mode = "healthy";
            return out;
          };
          const projector = projectors(plan);
          // Some appends, then the projector delivers their records while the rest are
          // appended, then it delivers the rest along with repeats of the first records.
          const cut = entities.length + (split % (steps.length - entities.length + 1));
          const first = await appendSteps(0, cut);
          const [, rest] = await Promise.all([
            deliverAll(first, plan, projector),
            appendSteps(cut, steps.length),
          ]);
          const copies = cycle(plan.copies, 0);
          const replayed = first.filter(() => copies() > 1);
          await deliverAll([...rest, ...replayed], plan, projector);
          for (const entity of entities) {
            await expectProjected(entity.entityId);
            expect(entity.state).toEqual(
              fold(entity.entityId, (await events.read(entity.entityId)).records.map(eventOf)),
            );
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  }, 600_000);
});

describe("a crash between the event write and the projection", () => {
  const DAYS = [5, 25, 60].map((d) => addDays(BASE, d));

  it("the next read looks past the view; the next projection or append brings it to the head", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(intent, { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.constantFrom("project" as const, "append-same" as const, "append-fresh" as const),
        fc.nat(),
        async (history, crashes, repair, pick) => {
          const run = ++runs;
          await freshTables(`crash${run}`);
          const entity: Written = {
            entityId: `crash${run}`,
            state: initialState(`crash${run}`),
          };
          const store = new FaultyViews();
          const writer = ledgerOver(store);
          const crashed = cycle(crashes, true);
          const records: StreamRecord[] = [];
          const steps: (Intent | "register")[] = ["register", ...history];
          for (const [n, what] of steps.entries()) {
            store.mode = crashed() ? "crash" : "healthy";
            const record = await appendIntent(writer, entity, what, n);
            if (record) records.push(record);
          }
          // The last append always crashes: the stored view is left behind.
          store.mode = "crash";
          const last = await appendIntent(
            writer,
            entity,
            { kind: "entity", name: undefined, add: 4, remove: false },
            steps.length,
          );
          if (last) records.push(last);
          store.mode = "healthy";
          const stream = (await events.read(entity.entityId)).records.map(eventOf);
          const head = fold(entity.entityId, stream);
          expect((await views.getRecord("head", entity.entityId))?.version ?? 0).toBeLessThan(
            stream.length,
          );

          // Reads are right at once: in another process, and in the one that crashed.
          for (const reader of [ledgerOver(views), writer]) {
            for (const asOf of DAYS) {
              const answer = await reader.state(entity.entityId, { asOf });
              expect(answer).toEqual({
                ...entityOn(head, asOf),
                asOf,
                knownAt: expect.any(String),
              });
            }
            const timeline = await reader.timeline(entity.entityId, {});
            expect(timeline.sanctions.map((s) => s.intervals)).toEqual(
              timelines(head).map((t) =>
                t.intervals.map(({ from, until, measures, scope, legalBasis, basis }) => ({
                  from,
                  until,
                  measures,
                  scope,
                  legalBasis,
                  basis,
                })),
              ),
            );
          }
          // As known at each version: the prefix of the stream, whatever the view holds.
          const reader = ledgerOver(views);
          for (const [k, event] of stream.entries()) {
            const asOf = DAYS[k % DAYS.length] as IsoDate;
            const answer = await reader.state(entity.entityId, {
              asOf,
              knownAt: event.recordedAt,
            });
            expect(answer).toEqual({
              ...entityOn(fold(entity.entityId, stream.slice(0, k + 1)), asOf),
              asOf,
              knownAt: event.recordedAt,
            });
          }

          // The repair: a stream record of any version, or the next append.
          if (repair === "project") {
            const record = records[pick % records.length] as StreamRecord;
            const handler = projectorHandler(() => ({ ledger: ledgerOver(views) }) as Services);
            const result = await handler({ Records: [toRecord(record)] } as DynamoDBStreamEvent);
            expect(result.batchItemFailures).toEqual([]);
          } else {
            const appender = repair === "append-same" ? writer : ledgerOver(views);
            const result = await appender.append(
              entity.entityId,
              { type: "EntityAmended", data: { aliases: { add: [`repair ${run}`] } } },
              "test",
            );
            expect(result.answer.version).toBe(stream.length + 1);
          }
          await expectProjected(entity.entityId);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  }, 600_000);
});

describe("snapshots under faults", () => {
  it("a projection left behind past a snapshot writes it when it catches up; knownAt reads stay exact", async () => {
    await freshTables("snapshots");
    const entityId = "snap";
    const count = SNAPSHOT_EVERY + 5;
    const store = new FaultyViews();
    const writer = ledgerOver(store);
    const records: StreamRecord[] = [];
    for (let v = 1; v <= count; v++) {
      // The writer crashes after the event write from a few versions before the snapshot on.
      store.mode = v >= SNAPSHOT_EVERY - 5 ? "crash" : "healthy";
      const body: EventBody =
        v === 1
          ? { type: "EntityRegistered", data: { name: "Snapshot Holdings", kind: "other" } }
          : { type: "EntityAmended", data: { aliases: { add: [`alias ${v}`] } } };
      const result = await writer.append(entityId, body, "test");
      expect(result.answer.version).toBe(v);
      records.push({ entityId, version: v, sequence: ++sequence });
    }
    store.mode = "healthy";
    const stream = (await events.read(entityId)).records.map(eventOf);
    const at = (v: number) => (stream[v - 1] as LedgerEvent).recordedAt;
    const prefix = (v: number) => fold(entityId, stream.slice(0, v));
    expect((await views.getRecord("head", entityId))?.version).toBe(SNAPSHOT_EVERY - 6);
    expect(await views.getRecord("snapshot", entityId)).toBeUndefined();

    const checkKnownAt = async () => {
      const reader = ledgerOver(views);
      for (const v of [1, 50, SNAPSHOT_EVERY - 1, SNAPSHOT_EVERY, SNAPSHOT_EVERY + 1, count]) {
        const answer = await reader.state(entityId, { asOf: BASE, knownAt: at(v) });
        expect(answer, `as known at v${v}`).toEqual({
          ...entityOn(prefix(v), BASE),
          asOf: BASE,
          knownAt: at(v),
        });
      }
    };
    // Before the projector runs: the view trails, and no snapshot exists yet.
    await checkKnownAt();

    // The projector catches up through failing writes, one record of the tail at a time.
    const plan: DeliveryPlan = {
      copies: [1, 0, 2],
      order: [3, 1, 2],
      batches: [2],
      faulty: [true, true, false],
      faults: ["ok", "ok", "before", "ok", "after", "ok", "partial", "ok"],
      instance: [0, 2, 1],
    };
    await deliverAll(records.slice(SNAPSHOT_EVERY - 8), plan, projectors(plan));
    await expectProjected(entityId);
    const snapshot = await views.getRecord<Projected>("snapshot", entityId);
    expect(snapshot?.version).toBe(SNAPSHOT_EVERY);
    expect(snapshot?.value.state).toEqual(prefix(SNAPSHOT_EVERY));
    expect(
      await views.getRecord("snapshot", entityId, { upTo: at(SNAPSHOT_EVERY - 1) }),
    ).toBeUndefined();
    // After it: reads before the view's head start from the snapshot.
    await checkKnownAt();
  }, 300_000);
});

describe("projection regressions found by the properties above", () => {
  it("an alias-only amendment, then a lifting: the lifted sanction's force rows are closed", async () => {
    // Without any fault: the rows an event leaves alone must keep their identity, or the
    // view's open rows no longer name them and a later event cannot close them.
    await freshTables("regress-alias");
    const ledger = ledgerOver(views);
    const entityId = "regress-alias";
    const append = (body: EventBody) => ledger.append(entityId, body, "test");
    await append({ type: "EntityRegistered", data: { name: "Alpha Bank", kind: "organization" } });
    await append({
      type: "SanctionImposed",
      data: {
        sanctionId: "s0",
        authority: "JP",
        measures: ["export-ban"],
        announcedOn: BASE,
        effectiveFrom: BASE,
      },
    });
    await append({ type: "EntityAmended", data: { aliases: { add: ["Beta Co"] } } });
    await append({
      type: "SanctionLifted",
      data: { sanctionId: "s0", effectiveFrom: "2022-03-10" },
    });
    const audit = new AuditQueries({ views, ledger, now: () => new Date() });
    const listed = await audit.sanctions({ asOf: "2022-04-01", authority: "JP", limit: 100 });
    expect.soft(listed.items, "/sanctions on a day after the lifting").toEqual([]);
    expect.soft((await ledger.state(entityId, { asOf: "2022-04-01" })).inForce).toEqual([]);
    await expectProjected(entityId);
  });
});
