import type { IsoDate, LedgerEvent, Timestamp } from "../domain/events.js";
import type { EntityState } from "../domain/state.js";
import type { WitnessedVerification } from "../domain/verify.js";
import type { LogStore } from "../store/log.js";
import type { EventStore, StreamHead, ViewStore } from "../store/ports.js";
import type { AppendRequest, AppendResult } from "./append.js";
import { Appender } from "./append.js";
import { ByteLru } from "./cache.js";
import { type ChainDeps, verifyChain } from "./chain.js";
import type { Position } from "./projector.js";
import { Projector } from "./projector.js";
import type { ListedEvent, StateAnswer, TimelineAnswer } from "./reads.js";
import { EntityReads } from "./reads.js";

export type { AppendRequest, AppendResult } from "./append.js";
export { ContentionError } from "./append.js";
export { ProjectionIncomplete } from "./projector.js";
export type { ListedEvent, StateAnswer, TimelineAnswer } from "./reads.js";

/** What the ledger needs from the outside world; injected so the core stays deterministic. */
export interface LedgerDeps {
  events: EventStore;
  views: ViewStore;
  /** The current time. */
  now: () => Date;
  /** A fresh unique id, for events whose client supplied none. */
  newId: () => string;
  /** Told when derived writes failed after their event was stored; the stream projector repairs them. */
  onViewError?: (entityId: string, error: unknown) => void;
  /**
   * Whether an append files its event's derived writes before it answers. Off, an append is
   * only the event store's path and the stream projector alone maintains the views; every
   * answer about one entity stays exact, as reads look past the views.
   * @default true
   */
  projectOnAppend?: boolean;
  /**
   * The memory (estimated bytes) this process may hold in folds of entities it appended to
   * or projected, and in read models it answered from.
   * @default { positions: 64 MiB, reads: 32 MiB }
   */
  cacheBytes?: { positions?: number; reads?: number };
  /**
   * The ledger-wide Merkle log, where the sequencer keeps each event's leaf: read for the
   * `leafIndex` of listed events and as a witness of every version's hash in `verify`.
   * @default - no log: events carry no `leafIndex`, `verify` knows only the views' witness
   */
  log?: LogStore;
}

const MiB = 1024 * 1024;

/** The default budgets of {@link LedgerDeps.cacheBytes}. */
export const CACHE_BYTES = { positions: 64 * MiB, reads: 32 * MiB } as const;

/**
 * The command side and the projection alone, as a function that only appends builds them
 * (without the questions, so that its bundle holds none of their code).
 */
export function appendOnly(deps: LedgerDeps): Appender {
  return new Appender(appenderDeps(deps), projectOnly(deps));
}

/** The projection alone, as the stream projector builds it. */
export function projectOnly(
  deps: LedgerDeps,
  positions = new ByteLru<Position>(deps.cacheBytes?.positions ?? CACHE_BYTES.positions),
): Projector {
  return new Projector(deps, positions);
}

/** The questions about one entity and its chain, as the reader builds them. */
export function entityQuestions(
  deps: Omit<LedgerDeps, "newId">,
): Pick<Ledger, "state" | "events" | "timeline" | "verify"> {
  const reads = readOnly(deps);
  return {
    state: (entityId, query) => reads.state(entityId, query),
    events: (entityId, query) => reads.events(entityId, query),
    timeline: (entityId, query) => reads.timeline(entityId, query),
    verify: (entityId) => verifyChain(chainDeps(deps), entityId),
  };
}

/**
 * The questions about one entity alone, as a function that only reads builds them; `held`,
 * where this process also appends, gives the fold it holds of an entity's head.
 */
export function readOnly(
  deps: Omit<LedgerDeps, "newId">,
  held?: (entityId: string) => EntityState | undefined,
): EntityReads {
  return new EntityReads(
    { ...chainDeps(deps), now: deps.now, ...(held ? { held } : {}) },
    deps.cacheBytes?.reads ?? CACHE_BYTES.reads,
  );
}

function chainDeps(deps: Pick<LedgerDeps, "events" | "views" | "log">): ChainDeps {
  return { events: deps.events, views: deps.views, ...(deps.log ? { log: deps.log } : {}) };
}

function appenderDeps(deps: LedgerDeps) {
  return {
    events: deps.events,
    now: deps.now,
    newId: deps.newId,
    projectOnAppend: deps.projectOnAppend !== false,
    ...(deps.onViewError ? { onViewError: deps.onViewError } : {}),
  };
}

/**
 * The application service, composed of three parts each readable alone: the command side
 * (`Appender`), the projection (`Projector`) and the questions about one entity
 * (`EntityReads`). The questions across entities are `AuditQueries`.
 */
export class Ledger {
  private readonly appender: Appender;
  private readonly projector: Projector;
  private readonly reads: EntityReads;
  private readonly chain: ChainDeps;
  /** The positions cache, exposed for tests of its budget. */
  readonly positions: ByteLru<Position>;

  constructor(deps: LedgerDeps) {
    this.chain = chainDeps(deps);
    this.positions = new ByteLru(deps.cacheBytes?.positions ?? CACHE_BYTES.positions);
    this.projector = projectOnly(deps, this.positions);
    this.appender = new Appender(appenderDeps(deps), this.projector);
    this.reads = readOnly(deps, (entityId) => this.projector.held(entityId)?.projected.state);
  }

  /** Appends one event (see `Appender.append`). */
  append(entityId: string, request: AppendRequest, actor: string): Promise<AppendResult> {
    return this.appender.append(entityId, request, actor);
  }

  /** Appends many events, their derived writes filed together (see `Appender.appendMany`). */
  appendMany(
    items: readonly { entityId: string; request: AppendRequest }[],
    actor: string,
    concurrency = 8,
  ): Promise<PromiseSettledResult<AppendResult>[]> {
    return this.appender.appendMany(items, actor, concurrency);
  }

  /**
   * Brings the entity's views up to the head of its stream. With a deadline (ms since the
   * epoch) it stops past it, its progress kept, and throws ProjectionIncomplete. Returns the
   * head version. Whatever record named the entity (a duplicate, an old one, one of many
   * dropped), the views are brought to the stream's head.
   */
  project(entityId: string, deadline?: number): Promise<number> {
    return this.projector.project(entityId, deadline);
  }

  /**
   * The version up to which this process has filed every derived write of the entity, or
   * -1 when it holds no such knowledge. A runtime whose only writer is this process may skip
   * a stream record whose version is at most this: its views hold everything before it.
   */
  projectedThrough(entityId: string): number {
    return this.projector.held(entityId)?.complete ?? -1;
  }

  /** The entity on `asOf`, as known at `knownAt` (or now). */
  state(entityId: string, query: { asOf?: IsoDate; knownAt?: Timestamp }): Promise<StateAnswer> {
    return this.reads.state(entityId, query);
  }

  /** Each sanction of the entity on the valid-time axis, as known at `knownAt` (or now). */
  timeline(
    entityId: string,
    query: { knownAt?: Timestamp },
  ): Promise<{ entityId: string; knownAt: Timestamp; sanctions: TimelineAnswer[] }> {
    return this.reads.timeline(entityId, query);
  }

  /** A page of the entity's stream, oldest first, each event with its leaf once sequenced. */
  events(
    entityId: string,
    query: { knownAt?: Timestamp; fromVersion?: number; limit: number; nextToken?: string },
  ): Promise<{ entityId: string; events: ListedEvent[]; nextToken?: string }> {
    return this.reads.events(entityId, query);
  }

  /** The entity's last version recorded at or before `knownAt`, and when it was recorded. */
  headAt(entityId: string, knownAt: Timestamp): Promise<StreamHead | undefined> {
    return this.reads.headAt(entityId, knownAt);
  }

  /** The entity's events recorded at or before `knownAt`, oldest first. */
  streamUpTo(entityId: string, knownAt: Timestamp): Promise<LedgerEvent[]> {
    return this.reads.streamUpTo(entityId, knownAt);
  }

  /** The fold of the entity's stream as known at `knownAt` (from a snapshot where one is filed). */
  stateAt(entityId: string, knownAt: Timestamp): Promise<EntityState> {
    return this.reads.stateAt(entityId, knownAt);
  }

  /** Recomputes the entity's hash chain and checks it against its witnesses. */
  verify(entityId: string): Promise<WitnessedVerification> {
    return verifyChain(this.chain, entityId);
  }
}
