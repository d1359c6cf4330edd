/** Ledgers over the engine's stores, as the benchmarks need them. */
import { randomUUID } from "node:crypto";
import { type AppendRequest, Ledger } from "../functions/app/ledger.js";
import { decide, stamp } from "../functions/domain/decide.js";
import type { AppendCommand, LedgerEvent } from "../functions/domain/events.js";
import { SNAPSHOT_EVERY } from "../functions/domain/projections/index.js";
import type { EntityState } from "../functions/domain/state.js";
import { evolve, initialState } from "../functions/domain/state.js";
import { DynamoEventStore, DynamoViewStore } from "../functions/store/dynamo.js";
import { type EventRecord, recordOf, type ViewStore } from "../functions/store/ports.js";
import type { Engine } from "../local/engine.js";

/**
 * The view store with only the methods that `keep` names; every other method does nothing
 * and answers `undefined` (a `get…`: nothing found) or `true` (a write). A proxy rather
 * than a list of methods, so that a store method added later is suppressed too instead of
 * breaking the benchmark.
 */
export function viewsWith(store: ViewStore, keep: (method: string) => boolean): ViewStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== "string" || typeof value !== "function") return value;
      if (keep(property)) return value.bind(target);
      return async () => (property.startsWith("get") ? undefined : true);
    },
  });
}

/** Reads only: `get…` and `query…` methods. */
export const READS = (method: string) => method.startsWith("get") || method.startsWith("query");

export function eventStore(engine: Engine): DynamoEventStore {
  return new DynamoEventStore(engine.doc, engine.tables.events);
}

export function viewStore(engine: Engine): DynamoViewStore {
  return new DynamoViewStore(engine.doc, engine.tables.views);
}

/**
 * A ledger with the projector off (`projectOnAppend: false`, as a writer deployed with
 * `projectOnAppend: false` runs): the first append of an entity reads its view (GetItem),
 * every append writes its event (conditional PutItem) and looks the eventId up (Query) only
 * when the state's digests of the ids it holds may match the client's. Nothing is projected
 * and no view, row, head, page or snapshot is written; later appends start from the state
 * the process appended last.
 */
export function storeOnlyLedger(engine: Engine): Ledger {
  return new Ledger({
    events: eventStore(engine),
    views: viewsWith(viewStore(engine), READS),
    now: () => new Date(),
    newId: randomUUID,
    projectOnAppend: false,
  });
}

/** A ledger over the real stores, with the projection on, as the writer runs it. */
export function fullLedger(engine: Engine): Ledger {
  return new Ledger({
    events: eventStore(engine),
    views: viewStore(engine),
    now: () => new Date(),
    newId: randomUUID,
  });
}

/**
 * The records of a stream stamped with the ledger's own domain functions (`decide`,
 * `stamp`, `evolve`: what `Ledger.append` runs, minus the store and the projection), and
 * the fold after each `every` versions. `clock(version)` gives each event's time.
 */
export function stampStream(
  entityId: string,
  requests: readonly AppendRequest[],
  clock: (version: number) => Date,
  every?: number,
): { records: EventRecord[]; events: LedgerEvent[]; state: EntityState; folds: EntityState[] } {
  let state = initialState(entityId);
  const records: EventRecord[] = [];
  const events: LedgerEvent[] = [];
  const folds: EntityState[] = [];
  for (const request of requests) {
    const command = {
      ...request,
      entityId,
      eventId: request.eventId ?? `seed-${state.version + 1}`,
    } as AppendCommand;
    const body = decide(command, state);
    const { event, canonical } = stamp(body, command, state, {
      now: clock(state.version + 1),
      actor: "bench",
    });
    records.push(recordOf(event, canonical));
    events.push(event);
    state = evolve(state, event);
    if (every !== undefined && state.version % every === 0) folds.push(state);
  }
  return { records, events, state, folds };
}

/** The stored outcome of seeding one stream. */
export interface Seeded {
  entityId: string;
  records: EventRecord[];
  state: EntityState;
  snapshots: number;
}

/**
 * Writes streams into the stores as the writer and the projector would have left them: each
 * event through `EventStore.append`, then the stream projected by the ledger's own projector
 * (the read model, rows, card and snapshots). Setup, not measured.
 */
export async function seedStreams(
  engine: Engine,
  streams: readonly { entityId: string; requests: readonly AppendRequest[] }[],
  clock: (entityIndex: number, version: number) => Date,
  concurrency = 8,
): Promise<Seeded[]> {
  const events = eventStore(engine);
  const projector = fullLedger(engine);
  const seeded: Seeded[] = new Array(streams.length);
  const one = async (index: number) => {
    const { entityId, requests } = streams[index] as (typeof streams)[number];
    const { records, state } = stampStream(entityId, requests, (version) => clock(index, version));
    if (streams.length === 1) {
      // One long stream: its versions in parallel, each conditional on its own key.
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < records.length) await events.append(records[next++] as EventRecord);
        }),
      );
    } else {
      for (const record of records) await events.append(record);
    }
    await projector.project(entityId);
    seeded[index] = {
      entityId,
      records,
      state,
      snapshots: Math.floor(state.version / SNAPSHOT_EVERY),
    };
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, streams.length) }, async () => {
      while (next < streams.length) await one(next++);
    }),
  );
  return seeded;
}
