import { decide, stamp } from "../domain/decide.js";
import { EventIdConflict, VersionConflict } from "../domain/errors.js";
import type { AppendCommand, EventBody, LedgerEvent, Source, Timestamp } from "../domain/events.js";
import { contentKey } from "../domain/hash.js";
import type { DerivedWrite } from "../domain/projections/index.js";
import { projectEvent } from "../domain/projections/index.js";
import { evolve, fold, mayHoldEventId } from "../domain/state.js";
import { eventOf } from "../domain/verify.js";
import type { EventRecord, EventStore } from "../store/ports.js";
import { recordOf, VersionTaken } from "../store/ports.js";
import type { Position, Projector } from "./projector.js";
import { eventBytes } from "./projector.js";

/** A request to append one event, as validated from the API. */
export type AppendRequest = EventBody & {
  eventId?: string;
  expectedVersion?: number;
  source?: Source;
};

/** The answer to an append: 201 when written, 200 for an idempotent replay. */
export interface AppendResult {
  status: 200 | 201;
  answer: {
    entityId: string;
    version: number;
    eventId: string;
    type: string;
    recordedAt: Timestamp;
    hash: string;
  };
}

/** Thrown when an append keeps losing version races: the caller may retry later. */
export class ContentionError extends Error {
  constructor(readonly entityId: string) {
    super(`Too many concurrent writers on '${entityId}'; retry the request.`);
    this.name = "ContentionError";
  }
}

/** What an append needs from the outside world. */
export interface AppendDeps {
  events: EventStore;
  now: () => Date;
  newId: () => string;
  /** Whether an append files its event's derived writes before it answers. */
  projectOnAppend: boolean;
  /** Told when derived writes failed after the event was stored; the stream projector repairs them. */
  onViewError?: (entityId: string, error: unknown) => void;
}

const MAX_ATTEMPTS = 64;

/**
 * The derived writes of a batch's appends, filed together once every append of the batch
 * is stored: a few full requests instead of one or more per event.
 */
interface Filing {
  writes: DerivedWrite[][];
  /** Each entity's position after its last append of the batch, complete once filed. */
  positions: Map<string, Position>;
}
/**
 * The most events an append takes into the views besides its own: a writer that finds the
 * views further behind leaves them to the stream projector, so that an append's work stays
 * that of its event.
 */
const MAX_TRAILING = 100;

/**
 * The command side: appends events one at a time per entity, each a conditional put of the
 * next version, and files the event's derived writes before answering (read-your-writes).
 */
export class Appender {
  constructor(
    private readonly deps: AppendDeps,
    private readonly projector: Projector,
  ) {}

  /**
   * Appends one event. Each attempt takes the fold at some version V (which keeps a digest
   * of every `eventId`), then writes version V + 1 conditionally. Versions are dense, so if
   * that write succeeds every event stored before it has a version ≤ V and is in the fold:
   * an `eventId` the digests rule out is new, and only one they may hold is looked up. A
   * lost write folds the versions it lost to, and checks their ids on the next attempt.
   */
  async append(entityId: string, request: AppendRequest, actor: string): Promise<AppendResult> {
    return this.projector.inTurn(entityId, () => this.appendNow(entityId, request, actor));
  }

  /**
   * Appends many events: those of one entity in the order given, different entities in
   * parallel (at most `concurrency` at once). Each outcome stands alone, in input order:
   * one failure never stops the others. The derived writes of all of them are filed
   * together before the answer, so the batch costs full requests, not one per event.
   */
  async appendMany(
    items: readonly { entityId: string; request: AppendRequest }[],
    actor: string,
    concurrency = 8,
  ): Promise<PromiseSettledResult<AppendResult>[]> {
    const outcomes: PromiseSettledResult<AppendResult>[] = new Array(items.length);
    const byEntity = new Map<string, number[]>();
    items.forEach((item, i) => {
      byEntity.set(item.entityId, [...(byEntity.get(item.entityId) ?? []), i]);
    });
    const queues = [...byEntity.values()];
    const filing: Filing | undefined = this.deps.projectOnAppend
      ? { writes: [], positions: new Map() }
      : undefined;
    const worker = async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const i of queue) {
          const { entityId, request } = items[i] as (typeof items)[number];
          try {
            const value = await this.projector.inTurn(entityId, () =>
              this.appendNow(entityId, request, actor, filing),
            );
            outcomes[i] = { status: "fulfilled", value };
          } catch (reason) {
            outcomes[i] = { status: "rejected", reason };
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
    if (filing) await this.file(filing);
    return outcomes;
  }

  /** Files a batch's derived writes; only then are its positions known complete. */
  private async file(filing: Filing): Promise<void> {
    try {
      await this.projector.fileAll(filing.writes);
    } catch (error) {
      for (const entityId of filing.positions.keys()) this.deps.onViewError?.(entityId, error);
      return;
    }
    for (const [entityId, position] of filing.positions) {
      // A request that took the entity up meanwhile started from the store, and holds a
      // position of its own that is sound: it stays.
      if (this.projector.held(entityId)) continue;
      this.projector.remember({ ...position, complete: position.projected.state.version });
    }
  }

  private async appendNow(
    entityId: string,
    request: AppendRequest,
    actor: string,
    filing?: Filing,
  ): Promise<AppendResult> {
    const command = {
      ...request,
      entityId,
      eventId: request.eventId ?? this.deps.newId(),
    } as AppendCommand;
    const held = filing?.positions.get(entityId) ?? this.projector.held(entityId);
    // A command that expects a new stream need not read it first: the conditional put of
    // version 1 is the check, and a stream found there is loaded then (a replay or a 409).
    let assumedNew = !held && command.expectedVersion === 0;
    let loaded =
      held || assumedNew
        ? undefined
        : await this.projector.load(entityId, this.deps.projectOnAppend);
    let position =
      held ?? loaded?.position ?? this.projector.empty(entityId, this.deps.projectOnAppend);
    /** Events found past the position while appending: the views must take them in too. */
    const missed: LedgerEvent[] = [...(loaded?.tail ?? [])];
    let state = fold(entityId, missed, position.projected.state);
    const catchUp = async () => {
      if (assumedNew) {
        assumedNew = false;
        loaded = await this.projector.load(entityId, this.deps.projectOnAppend);
        position = loaded.position;
        missed.push(...loaded.tail);
        state = fold(entityId, missed, position.projected.state);
        return state.version > 0;
      }
      const { records } = await this.deps.events.read(entityId, { afterVersion: state.version });
      for (const record of records) {
        const event = eventOf(record);
        missed.push(event);
        state = evolve(state, event);
      }
      return records.length > 0;
    };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // An id this ledger generated is checked too: a write whose answer was lost (and whose
      // retry by the SDK then found the version taken) is this request's own event.
      if (mayHoldEventId(state, command.eventId)) {
        const existing = await this.deps.events.findByEventId(entityId, command.eventId);
        if (existing) return replay(existing, command, request.eventId === undefined ? 201 : 200);
      }
      let body: EventBody;
      try {
        body = decide(command, state);
      } catch (error) {
        // A head past the expected version is a conflict whatever else the stream holds.
        if (error instanceof VersionConflict && state.version > error.expectedVersion) throw error;
        // The position may trail the stream: judge only against the true head.
        if (await catchUp()) continue;
        throw error;
      }
      const { event, canonical } = stamp(body, command, state, { now: this.deps.now(), actor });
      try {
        await this.deps.events.append(recordOf(event, canonical));
      } catch (error) {
        if (!(error instanceof VersionTaken)) throw error;
        await catchUp();
        continue;
      }
      position = await this.takeIn(position, [...missed, event], loaded?.probe, filing);
      return { status: 201, answer: answerOf(event) };
    }
    throw new ContentionError(entityId);
  }

  /**
   * Takes the appended event (and any found past the position) into the position, and, when
   * appends project, files their derived writes. The event is already stored, so a failure
   * here must not fail the append (a client retry without an eventId would duplicate it):
   * reads look past the views to the head, and the stream projector brings them forward.
   */
  private async takeIn(
    position: Position,
    events: LedgerEvent[],
    probe?: number,
    filing?: Filing,
  ): Promise<Position> {
    const entityId = position.projected.state.entityId;
    const last = events[events.length - 1]?.version ?? 0;
    if (!this.deps.projectOnAppend) {
      let { projected, bytes } = position;
      for (const event of events) {
        projected = projectEvent(projected, event).after;
        bytes += eventBytes(event);
      }
      const next = { projected, bytes, complete: -1 };
      this.projector.remember(next);
      return next;
    }
    if (position.complete < 0 || last - position.complete > MAX_TRAILING + 1) {
      // The views are further behind than this event: the stream projector brings them on.
      this.projector.forget(entityId);
      filing?.positions.delete(entityId);
      return position;
    }
    if (filing) {
      // Until the batch is filed, no position of the entity may claim its writes: another
      // request on it starts from the store.
      this.projector.forget(entityId);
      try {
        const { position: next, writes } = await this.projector.derive(position, events, probe);
        filing.writes.push(...writes);
        filing.positions.set(entityId, next);
        return next;
      } catch (error) {
        filing.positions.delete(entityId);
        this.deps.onViewError?.(entityId, error);
        return position;
      }
    }
    try {
      const next = await this.projector.advance(position, events, probe);
      this.projector.remember(next);
      return next;
    } catch (error) {
      this.projector.forget(entityId);
      this.deps.onViewError?.(entityId, error);
      return position;
    }
  }
}

function answerOf(event: LedgerEvent): AppendResult["answer"] {
  const { entityId, version, eventId, type, recordedAt, hash } = event;
  return { entityId, version, eventId, type, recordedAt, hash };
}

/**
 * The answer for an event already stored under the command's `eventId`: 200 for a client's
 * replay, 201 when it is the request's own write (an id the ledger generated for it).
 */
function replay(existing: EventRecord, command: AppendCommand, status: 200 | 201): AppendResult {
  const event = eventOf(existing);
  if (contentKey(event) !== contentKey(command)) {
    throw new EventIdConflict(event.eventId, event.version);
  }
  return { status, answer: answerOf(event) };
}
