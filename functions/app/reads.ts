import { dateOf } from "../domain/dates.js";
import { EntityNotFound } from "../domain/errors.js";
import type { IsoDate, LedgerEvent, Timestamp } from "../domain/events.js";
import type { DetailsRecord, EntityHead, PagedTimeline } from "../domain/pages.js";
import { entityOnPage, yearOf } from "../domain/pages.js";
import type { Projected } from "../domain/projections/index.js";
import { pageKey } from "../domain/projections/read-model.js";
import type { EntityState } from "../domain/state.js";
import { fold, initialState, isRegistered } from "../domain/state.js";
import type { EntityOnDate, SanctionTimeline } from "../domain/timeline.js";
import { entityOn, timelines } from "../domain/timeline.js";
import { eventOf } from "../domain/verify.js";
import type { LogStore } from "../store/log.js";
import type { EventStore, ReadRecord, StreamHead, ViewStore } from "../store/ports.js";
import { ByteLru, MEMORY_PER_JSON_BYTE } from "./cache.js";
import { decodeToken, encodeToken, InvalidToken } from "./tokens.js";

/** A stored event as listed, with its leaf in the ledger-wide log once sequenced. */
export type ListedEvent = LedgerEvent & { leafIndex?: number };

/** What the questions across entities ask of one entity (`EntityReads`, or a `Ledger`). */
export type EntitySource = Pick<
  EntityReads,
  "state" | "events" | "headAt" | "stateAt" | "streamUpTo"
>;

/** The entity on a day as the API answers it. */
export type StateAnswer = EntityOnDate & { asOf: IsoDate; knownAt: Timestamp };

/** A sanction's timeline in the API's shape. */
export interface TimelineAnswer {
  sanctionId: string;
  authority: string;
  program: string | null;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  end: IsoDate | null;
  undetermined: SanctionTimeline["undetermined"];
  intervals: SanctionTimeline["intervals"];
}

/** The read model as a process holds it for current answers: valid while the stream's head stands. */
interface Held {
  head: ReadRecord<EntityHead>;
  details: ReadRecord<DetailsRecord>;
  pages: Map<number, ReadRecord<PagedTimeline[]> | undefined>;
}

/**
 * The questions about one entity: its state on a day, its timeline, its stream and its
 * chain. A point-in-time answer has two paths: the read model (the head, the details and
 * one year page, as recorded by `knownAt`), or, where the read model does not reach the
 * stream's head, the fold of the stream from a snapshot.
 */
export class EntityReads {
  private readonly held: ByteLru<Held>;

  constructor(
    private readonly deps: {
      events: EventStore;
      views: ViewStore;
      now: () => Date;
      /** The fold this process holds of the entity's head, if any (an appender's). */
      held?: (entityId: string) => EntityState | undefined;
      /**
       * The ledger-wide Merkle log, where the sequencer keeps each event's leaf: read for the
       * `leafIndex` of listed events.
       */
      log?: LogStore;
    },
    heldBytes: number,
  ) {
    this.held = new ByteLru(heldBytes);
  }

  /** The entity on `asOf`, as known at `knownAt` (or now). */
  async state(
    entityId: string,
    query: { asOf?: IsoDate; knownAt?: Timestamp },
  ): Promise<StateAnswer> {
    const now = this.deps.now();
    const asOf = query.asOf ?? dateOf(now);
    const answer =
      (await this.fromReadModel(entityId, asOf, query.knownAt, now)) ??
      (await this.fromFold(entityId, asOf, query.knownAt, now));
    const { on, knownAt } = answer;
    return {
      entityId: on.entityId,
      name: on.name,
      kind: on.kind,
      aliases: on.aliases,
      country: on.country,
      identifiers: on.identifiers,
      version: on.version,
      asOf,
      knownAt,
      inForce: on.inForce,
      pending: on.pending,
      undetermined: on.undetermined,
      basis: on.basis,
    };
  }

  /**
   * The answer from the read model: the stream's head, the read model's head, its details
   * and the page of `asOf`'s year, as recorded by `knownAt`, read together. The head names
   * the versions of the details and pages filed with it, so a record of another version
   * (a projection in flight) is told apart; undefined, and the fold answers, when the read
   * model does not reach the stream's head. A process holding the entity's read model reads
   * only the stream's head (and a page it does not hold) while that head stands.
   */
  private async fromReadModel(
    entityId: string,
    asOf: IsoDate,
    knownAt: Timestamp | undefined,
    now: Date,
  ): Promise<{ on: EntityOnDate; knownAt: Timestamp } | undefined> {
    const year = yearOf(asOf);
    const views = this.deps.views;
    const upTo = knownAt === undefined ? {} : { upTo: knownAt };
    const page = () => views.getRecord<PagedTimeline[]>("page", pageKey(entityId, year), upTo);
    const held = knownAt === undefined ? this.held.get(entityId) : undefined;
    let stream: StreamHead | undefined;
    let parts: Held;
    if (held) {
      const [s, p] = await Promise.all([
        this.deps.events.head(entityId),
        held.pages.has(year) ? held.pages.get(year) : page(),
      ]);
      stream = s;
      parts = { ...held, pages: new Map(held.pages).set(year, p) };
    } else {
      // The stream's head first: an entity unknown then costs one request, not four.
      stream = await this.deps.events.head(entityId, knownAt);
      if (!stream) return notFound(entityId);
      const [head, details, p] = await Promise.all([
        views.getRecord<EntityHead>("head", entityId, upTo),
        views.getRecord<DetailsRecord>("details", entityId, upTo),
        page(),
      ]);
      if (!head || !details) return undefined;
      parts = { head, details, pages: new Map([[year, p]]) };
    }
    if (!stream) return notFound(entityId);
    const { head, details } = parts;
    const p = parts.pages.get(year);
    const sound =
      head.version === stream.version &&
      details.version === head.value.detailsVersion &&
      (p?.version ?? 0) === (head.value.pages[year] ?? 0);
    if (!sound) {
      if (held) this.held.delete(entityId);
      return undefined;
    }
    const on = entityOnPage(
      { entityId, version: head.version },
      head.value,
      details.value,
      p?.value ?? [],
      asOf,
    );
    if (!on) return notFound(entityId);
    if (knownAt === undefined) {
      let bytes = head.bytes + details.bytes;
      for (const kept of parts.pages.values()) bytes += kept?.bytes ?? 0;
      this.held.set(entityId, parts, bytes * MEMORY_PER_JSON_BYTE);
    }
    return { on, knownAt: knownAt ?? echoNow(now, stream.recordedAt) };
  }

  /** The answer from the fold of the stream. */
  private async fromFold(
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

  /** A page of the entity's stream, oldest first, each event with its leaf once sequenced. */
  async events(
    entityId: string,
    query: { knownAt?: Timestamp; fromVersion?: number; limit: number; nextToken?: string },
  ): Promise<{ entityId: string; events: ListedEvent[]; nextToken?: string }> {
    const page = await this.page(entityId, query);
    const first = page.events[0];
    const last = page.events.at(-1);
    const log = this.deps.log;
    if (!log || !first || !last) return page;
    const claims = await log.claims(entityId, first.version, last.version);
    const leaves = new Map(
      claims.filter((c) => c.confirmed).map((c) => [c.version, { hash: c.hash, at: c.leafIndex }]),
    );
    return {
      ...page,
      events: page.events.map((e) => {
        const leaf = leaves.get(e.version);
        // A leaf of another hash is not this event's: the event was altered since.
        return leaf && leaf.hash === e.hash ? { ...e, leafIndex: leaf.at } : e;
      }),
    };
  }

  /**
   * The entity's events recorded at or before `knownAt`, oldest first, read straight from
   * its stream (none for an entity unknown then).
   */
  async streamUpTo(entityId: string, knownAt: Timestamp): Promise<LedgerEvent[]> {
    // The store pages a read up to `knownAt` itself, and stops at the first event after it.
    const { records } = await this.deps.events.read(entityId, { knownAt });
    return records.map(eventOf);
  }

  /** The entity's last version recorded at or before `knownAt`, and when it was recorded. */
  headAt(entityId: string, knownAt: Timestamp): Promise<StreamHead | undefined> {
    return this.deps.events.head(entityId, knownAt);
  }

  /** The fold of the entity's stream as known at `knownAt` (from a snapshot where one is filed). */
  async stateAt(entityId: string, knownAt: Timestamp): Promise<EntityState> {
    return (await this.known(entityId, knownAt, this.deps.now())).state;
  }

  private async page(
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

  /** The fold known at `knownAt`, or the head fold and the moment to echo. */
  async known(
    entityId: string,
    knownAt: Timestamp | undefined,
    now: Date,
  ): Promise<{ state: EntityState; knownAt: Timestamp }> {
    const held = this.deps.held?.(entityId);
    let base: EntityState;
    if (held && (knownAt === undefined || (held.headRecordedAt ?? "") <= knownAt)) {
      base = held;
    } else {
      const snapshot = await this.deps.views.getRecord<Projected>(
        "snapshot",
        entityId,
        knownAt === undefined ? {} : { upTo: knownAt },
      );
      base = snapshot?.value.state ?? initialState(entityId);
    }
    const { records } = await this.deps.events.read(entityId, {
      afterVersion: base.version,
      ...(knownAt === undefined ? {} : { knownAt }),
    });
    const state = fold(entityId, records.map(eventOf), base);
    return { state, knownAt: knownAt ?? echoNow(now, state.headRecordedAt) };
  }
}

function notFound(entityId: string): never {
  throw new EntityNotFound(entityId);
}

function timelineAnswer(t: SanctionTimeline): TimelineAnswer {
  const { endBasis: _, initialTerms: __, ...rest } = t;
  return {
    ...rest,
    undetermined: t.undetermined ?? null,
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

/**
 * The moment a read "now" answers as of: now, or the stream's head if it was recorded later
 * (a writer's clock ahead of the reader's), so that the answer holds as known at the moment.
 */
export function echoNow(now: Date, head: Timestamp | null): Timestamp {
  const nowIso = now.toISOString();
  return head !== null && head > nowIso ? head : nowIso;
}

function versionOf(position: string | number): number {
  if (typeof position === "number" && Number.isSafeInteger(position) && position >= 0) {
    return position;
  }
  throw new InvalidToken();
}
