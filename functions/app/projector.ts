import type { LedgerEvent } from "../domain/events.js";
import type { EntityHead } from "../domain/pages.js";
import type { DerivedWrite, Projected } from "../domain/projections/index.js";
import { initialProjected, projectEvent, SNAPSHOT_EVERY } from "../domain/projections/index.js";
import { eventOf } from "../domain/verify.js";
import type { EventStore, ViewStore } from "../store/ports.js";
import { type ByteLru, MEMORY_PER_JSON_BYTE } from "./cache.js";

/**
 * Where this process stands on an entity: its projection at some version (a fold with what
 * the projections keep beside it), and the version up to which every derived write is
 * known to be durable (-1 when unknown: a writer that does not project).
 */
export interface Position {
  projected: Projected;
  complete: number;
  /** An estimate of the memory the position holds, for the cache's budget. */
  bytes: number;
}

/** Raised when a catch-up stops at its deadline: the progress it made is kept. */
export class ProjectionIncomplete extends Error {
  constructor(
    readonly entityId: string,
    readonly version: number,
  ) {
    super(`projection of '${entityId}' stopped at version ${version} to meet its deadline`);
    this.name = "ProjectionIncomplete";
  }
}

/**
 * The last version whose writes a stored head vouches for: every event before it, or,
 * for a head filed with others, every event before the first of its batch.
 */
function vouchedFor(head: { version: number; filedFrom?: number }): number {
  return (head.filedFrom ?? head.version) - 1;
}

/** Events read per page during a catch-up. */
const READ_PAGE = 1000;
/** A catch-up files its writes every this many events, or this many writes, whichever first. */
const FLUSH_EVENTS = 50;
const FLUSH_WRITES = 100;
/** The memory an event adds to a position, estimated from its JSON. */
export function eventBytes(event: LedgerEvent): number {
  return (JSON.stringify(event.data).length + 400) * MEMORY_PER_JSON_BYTE;
}

/**
 * Brings an entity's derived records (read model, rows, card, snapshots) up to the head of
 * its stream. Progress is the read model's head: the head of version V is filed only once
 * every write of the events before V is durable, so a projection that stops anywhere (a
 * crash, a deadline) resumes from V, takes V in again, and goes on; every write is
 * idempotent, so taking an event in twice changes nothing.
 */
export class Projector {
  /** The tail of each entity's queue of work in this process. */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: { events: EventStore; views: ViewStore },
    private readonly positions: ByteLru<Position>,
  ) {}

  /**
   * Runs work on one entity one piece after the other within this process: appends and
   * projections of an entity share its position, which a step takes over and updates.
   * Writers in other processes still race, and the conditional write settles those races.
   */
  async inTurn<T>(entityId: string, work: () => Promise<T>): Promise<T> {
    const before = this.turns.get(entityId) ?? Promise.resolve();
    const mine = before.then(work, work);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(entityId, settled);
    try {
      return await mine;
    } finally {
      if (this.turns.get(entityId) === settled) this.turns.delete(entityId);
    }
  }

  /** This process's position on the entity, or one rebuilt from the store. */
  async position(entityId: string): Promise<Position> {
    return this.held(entityId) ?? (await this.load(entityId)).position;
  }

  /** The position this process holds on the entity, if any. */
  held(entityId: string): Position | undefined {
    return this.positions.get(entityId);
  }

  /** Keeps a position for the next append or projection in this process. */
  remember(position: Position): void {
    this.positions.set(position.projected.state.entityId, position, position.bytes);
  }

  /** Forgets the entity's position (after a failure that may have left it ahead of the store). */
  forget(entityId: string): void {
    this.positions.delete(entityId);
  }

  /** The position on a stream that holds no event yet (`complete`: for a writer that projects). */
  empty(entityId: string, complete = true): Position {
    return {
      projected: initialProjected(entityId),
      complete: complete ? 0 : -1,
      bytes: 1024 * MEMORY_PER_JSON_BYTE,
    };
  }

  /**
   * A position rebuilt from the store, and the events after it. A stream of at most one
   * snapshot's interval is read whole, in the one request that also tells it is short; a
   * longer one from its latest snapshot. With `complete` (a writer that projects, or the
   * projector), the read model's head is read alongside: the position stands at the last
   * version whose writes are known durable, and `probe` names the head's own event, whose
   * writes may have been cut short. Without it, the position is the stream's start or a
   * snapshot, and every event read is in the tail.
   */
  async load(
    entityId: string,
    complete = true,
  ): Promise<{ position: Position; tail: LedgerEvent[]; probe?: number }> {
    const first = await this.deps.events.read(entityId, { limit: SNAPSHOT_EVERY });
    // A new entity has no read model: its head is read only for a stream that exists.
    const head =
      complete && first.records.length > 0
        ? await this.deps.views.getRecord<EntityHead>("head", entityId)
        : undefined;
    const start = this.empty(entityId, complete);
    const done = head ? vouchedFor(head) : start.complete;
    let { projected, bytes } = start;
    let events = first.records.map(eventOf);
    if (first.more) {
      const latest = await this.deps.views.getRecord<Projected>("snapshot", entityId);
      // A snapshot is a fold, a sound place to start whatever its writes; but the writes of
      // the head's own event may be partial, so the start must not lie beyond `done`.
      const snapshot =
        !latest || !head || latest.version <= done
          ? latest
          : await this.deps.views.getRecord<Projected>("snapshot", entityId, {
              before: head.recordedAt,
            });
      if (snapshot) {
        projected = snapshot.value;
        bytes = snapshot.bytes * MEMORY_PER_JSON_BYTE;
      }
      const rest = await this.deps.events.read(entityId, { afterVersion: projected.state.version });
      events = rest.records.map(eventOf);
    }
    let i = 0;
    for (; i < events.length && (events[i] as LedgerEvent).version <= done; i++) {
      const event = events[i] as LedgerEvent;
      projected = projectEvent(projected, event).after;
      bytes += eventBytes(event);
    }
    return {
      position: { projected, complete: done, bytes },
      tail: events.slice(i),
      ...(head && head.filedFrom === undefined ? { probe: head.version } : {}),
    };
  }

  /**
   * Takes events (the next ones after the position's version) in, and files the writes of
   * those past `complete`; those of `probe`, the version of a head found in the store, only
   * if they are not all durable already. Returns the new position, complete up to its version.
   */
  async advance(from: Position, events: readonly LedgerEvent[], probe?: number): Promise<Position> {
    let position = from;
    let pending: DerivedWrite[][] = [];
    let pendingWrites = 0;
    for (const event of events) {
      const step = await this.derive(position, [event], probe);
      position = step.position;
      pending.push(...step.writes);
      pendingWrites += step.writes.reduce((n, w) => n + w.length, 0);
      if (pending.length >= FLUSH_EVENTS || pendingWrites >= FLUSH_WRITES) {
        await this.file(pending);
        position = { ...position, complete: position.projected.state.version };
        pending = [];
        pendingWrites = 0;
      }
    }
    await this.file(pending);
    return { ...position, complete: position.projected.state.version };
  }

  /**
   * The writes of events taken into a position, not yet filed: the position returned keeps
   * the `complete` it had, since nothing it vouches for has been written. The caller files
   * them with {@link fileAll} and only then may hold the position as complete.
   */
  async derive(
    from: Position,
    events: readonly LedgerEvent[],
    probe?: number,
  ): Promise<{ position: Position; writes: DerivedWrite[][] }> {
    let position = from;
    const writes: DerivedWrite[][] = [];
    for (const event of events) {
      const step = projectEvent(position.projected, event);
      const filed = event.version === probe && (await this.deps.views.filed(step.writes));
      if (event.version > position.complete && !filed) writes.push(step.writes);
      position = {
        projected: step.after,
        complete: position.complete,
        bytes: position.bytes + eventBytes(event),
      };
    }
    return { position, writes };
  }

  /**
   * Files the writes of many events, of one entity or several, in as few requests as they
   * fit: every head goes after every other write, so a head found in the store still means
   * that every write before its event is durable.
   */
  async fileAll(perEvent: readonly DerivedWrite[][]): Promise<void> {
    await this.file(perEvent);
  }

  /**
   * Brings the entity's derived records up to the head of its stream, page by page. With a
   * deadline (ms since the epoch), it stops once past it and throws ProjectionIncomplete,
   * its progress filed. Returns the head version.
   */
  project(entityId: string, deadline?: number): Promise<number> {
    return this.inTurn(entityId, async () => {
      try {
        return await this.projectNow(entityId, deadline);
      } catch (error) {
        // A step that failed may have left the held position half taken over.
        if (!(error instanceof ProjectionIncomplete)) this.forget(entityId);
        throw error;
      }
    });
  }

  private async projectNow(entityId: string, deadline?: number): Promise<number> {
    let position = await this.position(entityId);
    // Another process may have filed further: its work need not be done again.
    const stored = await this.deps.views.getRecord<EntityHead>("head", entityId);
    if (stored && vouchedFor(stored) > position.complete) {
      position = { ...position, complete: vouchedFor(stored) };
    }
    const probe =
      stored && stored.filedFrom === undefined && stored.version > position.complete
        ? stored.version
        : undefined;
    for (;;) {
      const page = await this.deps.events.read(entityId, {
        afterVersion: position.projected.state.version,
        limit: READ_PAGE,
      });
      const events = page.records.map(eventOf);
      for (let i = 0; i < events.length; i += FLUSH_EVENTS) {
        position = await this.advance(position, events.slice(i, i + FLUSH_EVENTS), probe);
        this.remember(position);
        if (
          deadline !== undefined &&
          Date.now() > deadline &&
          (page.more || i + FLUSH_EVENTS < events.length)
        ) {
          throw new ProjectionIncomplete(entityId, position.projected.state.version);
        }
      }
      if (!page.more) break;
    }
    this.remember(position);
    return position.projected.state.version;
  }

  /**
   * Files the writes of consecutive events. One event's go in one call. Several events'
   * heads go only after all their other writes are durable: a head filed is the promise
   * that every write before its event is.
   */
  private async file(perEvent: readonly DerivedWrite[][]): Promise<void> {
    if (perEvent.length === 0) return;
    if (perEvent.length === 1) {
      await this.deps.views.write(perEvent[0] as DerivedWrite[]);
      return;
    }
    const heads: DerivedWrite[] = [];
    const rest: DerivedWrite[] = [];
    for (const writes of perEvent) {
      for (const w of writes)
        (w.type === "record" && w.record.kind === "head" ? heads : rest).push(w);
    }
    await this.deps.views.write(rest);
    await this.deps.views.write(heads);
  }
}
