import { dateOf } from "../domain/dates.js";
import { decide, stamp } from "../domain/decide.js";
import { EntityNotFound, EventIdConflict, VersionConflict } from "../domain/errors.js";
import type {
  AppendCommand,
  EventBody,
  IsoDate,
  LedgerEvent,
  Source,
  Timestamp,
} from "../domain/events.js";
import { contentKey } from "../domain/hash.js";
import type { EntityHead } from "../domain/pages.js";
import { allPages, changedPages, entityOnPage, headOf, yearOf } from "../domain/pages.js";
import { diffRows, rowsOf, touchedGroups } from "../domain/projection.js";
import type { EntityState } from "../domain/state.js";
import { evolve, fold, initialState, isRegistered, mayHoldEventId } from "../domain/state.js";
import type { EntityOnDate, SanctionTimeline } from "../domain/timeline.js";
import { entityOn, timelines } from "../domain/timeline.js";
import type { Verification } from "../domain/verify.js";
import { againstWitness, eventOf, verifyChain } from "../domain/verify.js";
import type {
  EntityView,
  EventRecord,
  EventStore,
  StreamHead,
  ViewStore,
  YearPage,
} from "../store/ports.js";
import { recordOf, VersionTaken } from "../store/ports.js";
import { decodeToken, encodeToken, InvalidToken } from "./tokens.js";

/** What the ledger needs from the outside world; injected so the core stays deterministic. */
export interface LedgerDeps {
  events: EventStore;
  views: ViewStore;
  /** The current time. */
  now: () => Date;
  /** A fresh unique id, for events whose client supplied none. */
  newId: () => string;
  /** Told when a view could not be written after its event was; the stream projector repairs it. */
  onViewError?: (entityId: string, error: unknown) => void;
  /**
   * Whether an append brings the views to its event before it answers. Off, an append is
   * only the event store's path (state, conditional put) and the stream projector alone
   * maintains the views; every answer stays exact, as reads look past the views.
   * @default true
   */
  projectOnAppend?: boolean;
}

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

const MAX_ATTEMPTS = 64;
/**
 * Every this many versions the projection keeps a snapshot of the fold, so that a
 * `knownAt` read replays at most this many events whatever the history length.
 */
export const SNAPSHOT_EVERY = 100;
/** How many entity views a ledger keeps in memory between requests. */
const RECENT_VIEWS = 1000;

/** The application service: the use cases of the ledger over its stores. */
export class Ledger {
  /**
   * Views this process wrote or read lately, most recent last. A remembered view may trail
   * the stream, as a stored one may: appends write only into the version after it, and
   * reads look past it, so it saves a read and never changes an answer.
   */
  private readonly recent = new Map<string, EntityView>();
  /**
   * Read-model heads this process read lately, with the pages it read at each: valid while
   * the stream's head is still the head's version.
   */
  private readonly heads = new Map<
    string,
    { head: EntityHead; pages: Map<number, YearPage | undefined> }
  >();
  /** States this process appended, when appends do not project (`projectOnAppend` off). */
  private readonly states = new Map<string, EntityState>();
  /** The tail of each entity's queue of appends in this process. */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(private readonly deps: LedgerDeps) {}

  private remember(view: EntityView): void {
    const known = this.recent.get(view.entityId);
    if (known && known.version > view.version) return;
    keepRecent(this.recent, view.entityId, view);
  }

  /**
   * The state an append without projection starts from: the one this process appended
   * last, else the stored view's. Kept apart from the views: it has no open rows, and a
   * projection must never start from it.
   */
  private async appendState(entityId: string): Promise<EntityState | undefined> {
    const known = this.states.get(entityId);
    if (known) return known;
    return (await this.deps.views.getEntity(entityId))?.state;
  }

  private rememberState(state: EntityState): void {
    keepRecent(this.states, state.entityId, state);
  }

  /** The entity's view, from memory or the store. */
  private async view(entityId: string): Promise<EntityView | undefined> {
    const known = this.recent.get(entityId);
    if (known) return known;
    const view = await this.deps.views.getEntity(entityId);
    if (view) this.remember(view);
    return view;
  }

  /**
   * Appends one event. Each attempt takes the state at some version V (the fold of
   * versions 1..V, which keeps a digest of every `eventId`), then writes version V + 1
   * conditionally. Versions are dense, so if that write succeeds every event stored before
   * it has a version ≤ V and is in the state: an `eventId` the state's digests rule out is
   * new, and only one they may hold is looked up in the store. A lost write folds the
   * versions it lost to into the state, which checks their ids on the next attempt.
   */
  async append(entityId: string, request: AppendRequest, actor: string): Promise<AppendResult> {
    return this.inTurn(entityId, () => this.appendNow(entityId, request, actor));
  }

  /**
   * Runs appends to one entity one after the other within this process. Writers in other
   * processes still race, and the conditional write settles those races; in one process a
   * queue spares the attempts that would only lose.
   */
  private async inTurn<T>(entityId: string, work: () => Promise<T>): Promise<T> {
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

  private async appendNow(
    entityId: string,
    request: AppendRequest,
    actor: string,
  ): Promise<AppendResult> {
    const command = {
      ...request,
      entityId,
      eventId: request.eventId ?? this.deps.newId(),
    } as AppendCommand;
    const projecting = this.deps.projectOnAppend !== false;
    const view = projecting ? await this.view(entityId) : undefined;
    let state =
      (projecting ? view?.state : await this.appendState(entityId)) ?? initialState(entityId);
    /** Events found past the view while appending: the view must take them in too. */
    const missed: LedgerEvent[] = [];
    const catchUp = async () => {
      const more = await this.readAfter(state.entityId, state.version);
      missed.push(...more);
      const moved = more.length > 0;
      state = fold(entityId, more, state);
      return moved;
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
        // The view may trail the stream after a crash: judge only against the true head.
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
      if (projecting) await this.updateViews(entityId, view, [...missed, event]);
      else this.rememberState(evolve(state, event));
      return { status: 201, answer: answerOf(event) };
    }
    throw new ContentionError(entityId);
  }

  /**
   * Appends many events: those of one entity in the order given, different entities in
   * parallel (at most `concurrency` at once). Each outcome stands alone, in input order:
   * one failure never stops the others.
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
    const worker = async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const i of queue) {
          const item = items[i] as (typeof items)[number];
          try {
            outcomes[i] = {
              status: "fulfilled",
              value: await this.append(item.entityId, item.request, actor),
            };
          } catch (reason) {
            outcomes[i] = { status: "rejected", reason };
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
    return outcomes;
  }

  /**
   * Projects events after an append. The event is already stored, so a failure here must
   * not fail the append (a client retry without an eventId would duplicate it): reads look
   * past the view to the head, and the stream projector brings the views forward.
   */
  private async updateViews(
    entityId: string,
    view: EntityView | undefined,
    events: LedgerEvent[],
  ): Promise<void> {
    try {
      await this.advance(entityId, view, events);
    } catch (error) {
      this.deps.onViewError?.(entityId, error);
    }
  }

  /**
   * Moves the views forward by `events`, the next ones after the entity view's version:
   * event by event, the index rows that the event ends are closed at its `recordedAt` and
   * the rows it begins are opened from it, then the entity view is written. Every write is
   * idempotent, so a projection interrupted anywhere is completed by running it again.
   */
  private async advance(
    entityId: string,
    view: EntityView | undefined,
    events: LedgerEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    let state = view?.state ?? initialState(entityId);
    const open: Record<string, string> = { ...(view?.openRows ?? {}) };
    // A view from before the read model was kept has no pages: the first event files them all.
    let paged = view === undefined || view.version === 0 || view.readModel === true;
    for (const event of events) {
      const next = evolve(state, event);
      const groups = touchedGroups(state, event);
      const { opened, closed } = diffRows(rowsOf(state, groups), rowsOf(next, groups));
      await inBatches([...opened], ([id, row]) =>
        this.deps.views.openRow(row, id, event.recordedAt),
      );
      await inBatches([...closed], async ([id, row]) => {
        const from = open[id];
        if (from !== undefined) await this.deps.views.closeRow(row, id, from, event.recordedAt);
      });
      for (const id of closed.keys()) delete open[id];
      for (const id of opened.keys()) open[id] = event.recordedAt;
      // The pages before the head: a head at a version tells readers its pages are filed.
      const pages = paged ? changedPages(state, next) : allPages(next);
      await inBatches([...pages], ([year, sanctions]) =>
        this.deps.views.putPage({
          entityId,
          year,
          version: next.version,
          recordedAt: event.recordedAt,
          sanctions,
        }),
      );
      await this.deps.views.putHead(headOf(next));
      paged = true;
      state = next;
      if (state.version % SNAPSHOT_EVERY === 0) {
        await this.deps.views.putSnapshot({ entityId, version: state.version, state });
      }
    }
    const next = { entityId, version: state.version, state, openRows: open, readModel: true };
    await this.deps.views.putEntity(next);
    this.remember(next);
  }

  /** Brings the entity's views up to the head of its stream. Returns the head version. */
  async project(entityId: string): Promise<number> {
    const view = await this.view(entityId);
    const events = await this.readAfter(entityId, view?.version ?? 0);
    await this.advance(entityId, view, events);
    return (view?.version ?? 0) + events.length;
  }

  /** The entity on `asOf`, as known at `knownAt` (or now). */
  async state(
    entityId: string,
    query: { asOf?: IsoDate; knownAt?: Timestamp },
  ): Promise<EntityOnDate & { asOf: IsoDate; knownAt: Timestamp }> {
    const now = this.deps.now();
    const asOf = query.asOf ?? dateOf(now);
    const fromPages = this.holdsView(entityId, query.knownAt)
      ? undefined
      : await this.stateFromPages(entityId, asOf, query.knownAt, now);
    const answer = fromPages ?? (await this.stateFromFold(entityId, asOf, query.knownAt, now));
    const {
      entityId: id,
      name,
      kind,
      aliases,
      country,
      identifiers,
      version,
      inForce,
      pending,
      basis,
    } = answer.on;
    return {
      entityId: id,
      name,
      kind,
      aliases,
      country,
      identifiers,
      version,
      asOf,
      knownAt: answer.knownAt,
      inForce,
      pending,
      basis,
    };
  }

  /** Whether this process holds a view that answers as known at `knownAt` (or now). */
  private holdsView(entityId: string, knownAt: Timestamp | undefined): boolean {
    const view = this.recent.get(entityId);
    if (!view) return false;
    const head = view.state.headRecordedAt;
    return knownAt === undefined || (head !== null && head <= knownAt);
  }

  /**
   * The answer from the read model: the head as recorded at `knownAt`, read together with
   * the stream's own head then, and after them the page of `asOf`'s year as recorded then.
   * Three reads of one item each, whatever the length of the history; a process that read the entity's head before reads
   * only the stream's head while it is unchanged (and a page it does not hold). Undefined
   * when the read model does not reach the stream's head (a projection under way, or one
   * that failed): the fold answers then.
   */
  private async stateFromPages(
    entityId: string,
    asOf: IsoDate,
    knownAt: Timestamp | undefined,
    now: Date,
  ): Promise<{ on: EntityOnDate; knownAt: Timestamp } | undefined> {
    const year = yearOf(asOf);
    const answer = (stream: StreamHead, head: EntityHead, page: YearPage | undefined) => {
      const on = entityOnPage(head, page?.sanctions ?? [], asOf);
      if (!on) throw new EntityNotFound(entityId);
      return { on, knownAt: knownAt ?? echoNow(now, stream.recordedAt) };
    };
    const held = knownAt === undefined ? this.heads.get(entityId) : undefined;
    if (held) {
      const [stream, page] = await Promise.all([
        this.deps.events.head(entityId),
        held.pages.has(year) ? held.pages.get(year) : this.deps.views.getPage(entityId, year),
      ]);
      if (!stream) throw new EntityNotFound(entityId);
      // Pages are filed before their head: the latest page read after the head is the
      // page at that head, unless a later event has filed one since.
      if (stream.version === held.head.version && (!page || page.version <= stream.version)) {
        held.pages.set(year, page);
        return answer(stream, held.head, page);
      }
    }
    const [stream, head] = await Promise.all([
      this.deps.events.head(entityId, knownAt),
      this.deps.views.getHead(entityId, knownAt),
    ]);
    if (!stream) throw new EntityNotFound(entityId);
    if (!head || head.version !== stream.version) return undefined;
    // The page only after the head: pages are filed before their head, so this read sees
    // every version of the page up to the head's. Read at once with the head, it could
    // miss one filed just before the head was.
    const page = await this.deps.views.getPage(entityId, year, knownAt);
    // A page filed after the head's event belongs to a later version than the one read.
    if (page && page.version > head.version) return undefined;
    if (knownAt === undefined) this.holdHead(head, year, page);
    return answer(stream, head, page);
  }

  private holdHead(head: EntityHead, year: number, page: YearPage | undefined): void {
    keepRecent(this.heads, head.entityId, { head, pages: new Map([[year, page]]) });
  }

  /** The answer from the fold of the stream: the view (or a snapshot) and the events after it. */
  private async stateFromFold(
    entityId: string,
    asOf: IsoDate,
    knownAt: Timestamp | undefined,
    now: Date,
  ): Promise<{ on: EntityOnDate; knownAt: Timestamp }> {
    const known = await this.known(entityId, knownAt, now);
    const on = entityOn(known.state, asOf);
    if (!on) throw new EntityNotFound(entityId);
    return { on, knownAt: known.knownAt };
  }

  /** Each sanction of the entity on the valid-time axis, as known at `knownAt` (or now). */
  async timeline(
    entityId: string,
    query: { knownAt?: Timestamp },
  ): Promise<{ entityId: string; knownAt: Timestamp; sanctions: TimelineAnswer[] }> {
    const { state, knownAt } = await this.known(entityId, query.knownAt, this.deps.now());
    if (!isRegistered(state)) throw new EntityNotFound(entityId);
    return { entityId, knownAt, sanctions: timelines(state).map(timelineAnswer) };
  }

  /** A page of the entity's stream, oldest first. */
  async events(
    entityId: string,
    query: { knownAt?: Timestamp; fromVersion?: number; limit: number; nextToken?: string },
  ): Promise<{ entityId: string; events: LedgerEvent[]; nextToken?: string }> {
    const after =
      query.nextToken !== undefined
        ? versionOf(decodeToken("events", query.nextToken))
        : (query.fromVersion ?? 1) - 1;
    const first = await this.deps.events.read(entityId, { afterVersion: 0, limit: 1 });
    const head = first.records[0];
    if (!head || (query.knownAt !== undefined && head.recordedAt > query.knownAt)) {
      throw new EntityNotFound(entityId);
    }
    const page = await this.deps.events.read(entityId, {
      afterVersion: after,
      limit: query.limit,
      ...(query.knownAt === undefined ? {} : { knownAt: query.knownAt }),
    });
    const events = page.records.map(eventOf);
    const last = events[events.length - 1];
    return {
      entityId,
      events,
      ...(page.more && last ? { nextToken: encodeToken("events", last.version) } : {}),
    };
  }

  /**
   * Recomputes the entity's hash chain from the stored records, and checks its head
   * against the last head the views recorded (a witness kept apart from the events).
   */
  async verify(entityId: string): Promise<Verification> {
    // The witness first: every event it has seen was stored before it was filed, so the
    // stream read after it holds them all unless someone removed them. Read the other way
    // round, an append landing between the two reads would look like a cut.
    const witness = await this.deps.views.getHead(entityId);
    const { records } = await this.deps.events.read(entityId);
    // A stream emptied of every event is still a broken one if the views saw it.
    if (records.length === 0 && !witness) throw new EntityNotFound(entityId);
    return againstWitness(verifyChain(entityId, records), records, witness);
  }

  /** The state known at `knownAt`, or the head state and the moment to echo. */
  private async known(
    entityId: string,
    knownAt: Timestamp | undefined,
    now: Date,
  ): Promise<{ state: EntityState; knownAt: Timestamp }> {
    if (knownAt === undefined) {
      const state = await this.catchUp(await this.viewState(entityId));
      return { state, knownAt: echoNow(now, state.headRecordedAt) };
    }
    const view = await this.view(entityId);
    if (view && view.state.headRecordedAt !== null && view.state.headRecordedAt <= knownAt) {
      return { state: await this.catchUp(view.state, knownAt), knownAt };
    }
    // The latest snapshot known then, and the few events recorded after it up to knownAt.
    const snapshot = await this.deps.views.getSnapshot(entityId, knownAt);
    const base = snapshot?.state ?? initialState(entityId);
    return { state: await this.catchUp(base, knownAt), knownAt };
  }

  private async viewState(entityId: string): Promise<EntityState> {
    const view = await this.view(entityId);
    return view?.state ?? initialState(entityId);
  }

  /** Folds the events after the state's version (up to `knownAt`) into it. */
  private async catchUp(state: EntityState, knownAt?: Timestamp): Promise<EntityState> {
    return fold(
      state.entityId,
      await this.readAfter(state.entityId, state.version, knownAt),
      state,
    );
  }

  /** The events after `version` (up to `knownAt`), oldest first. */
  private async readAfter(
    entityId: string,
    version: number,
    knownAt?: Timestamp,
  ): Promise<LedgerEvent[]> {
    const { records } = await this.deps.events.read(entityId, {
      afterVersion: version,
      ...(knownAt === undefined ? {} : { knownAt }),
    });
    return records.map(eventOf);
  }
}

/** A sanction's timeline in the API's shape. */
export interface TimelineAnswer {
  sanctionId: string;
  authority: string;
  program: string | null;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  end: IsoDate | null;
  intervals: SanctionTimeline["intervals"];
}

function timelineAnswer(t: SanctionTimeline): TimelineAnswer {
  const { endBasis: _, initialTerms: __, ...rest } = t;
  return {
    ...rest,
    intervals: t.intervals.map(({ from, until, measures, scope, legalBasis, basis }) => ({
      from,
      until,
      measures,
      scope,
      legalBasis,
      basis,
    })),
  };
}

/** Puts `value` last in a map used as a least-recently-used cache of `RECENT_VIEWS` entries. */
function keepRecent<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > RECENT_VIEWS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

/** Row writes in flight at once for one projection: enough to overlap, few enough to not flood. */
const ROW_WRITES_AT_ONCE = 16;

async function inBatches<T>(items: readonly T[], write: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += ROW_WRITES_AT_ONCE) {
    await Promise.all(items.slice(i, i + ROW_WRITES_AT_ONCE).map(write));
  }
}

/**
 * The moment a read "now" answers as of: now, or the stream's head if it was recorded later
 * (a writer's clock ahead of the reader's), so that the answer holds as known at the moment.
 */
function echoNow(now: Date, head: Timestamp | null): Timestamp {
  const nowIso = now.toISOString();
  return head !== null && head > nowIso ? head : nowIso;
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

function versionOf(position: string | number): number {
  if (typeof position === "number" && Number.isSafeInteger(position) && position >= 0) {
    return position;
  }
  throw new InvalidToken();
}
