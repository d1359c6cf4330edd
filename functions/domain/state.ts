import type {
  EntityAmendedData,
  EntityKind,
  EntityRegisteredData,
  EventType,
  Identifier,
  IsoDate,
  LedgerEvent,
  Measure,
  SanctionAmendedData,
  Scope,
  Timestamp,
  UndeterminedStart,
} from "./events.js";
import { GENESIS_HASH } from "./events.js";

/** A live amendment of a sanction. */
export interface AmendmentRecord {
  version: number;
  effectiveFrom: IsoDate;
  measures?: readonly Measure[];
  scope?: Scope | null;
  effectiveUntil?: IsoDate | null;
  legalBasis?: string | null;
}

/** The live lifting of a sanction. */
export interface LiftingRecord {
  version: number;
  effectiveFrom: IsoDate;
  reason?: string;
}

/** A live imposition with the live amendments and lifting that belong to it. */
export interface SanctionRecord {
  sanctionId: string;
  version: number;
  authority: string;
  program?: string;
  measures: readonly Measure[];
  scope?: Scope;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  effectiveUntil?: IsoDate;
  legalBasis?: string;
  undetermined?: UndeterminedStart;
  amendments: AmendmentRecord[];
  lifting?: LiftingRecord;
}

/** A live record of a list publication imported (on a list's stream). */
export interface PublicationRecord {
  version: number;
  list: string;
  publishedOn: IsoDate;
  title: string;
  entries: number;
}

/** What the rules need to know of every version of the stream. */
export interface VersionRecord {
  type: EventType;
  /** The version of the retraction that removed this event, if any. */
  retractedBy?: number;
  /** {@link eventIdKey} of the event's `eventId`: lets a writer skip the look-up of ids it has not seen. */
  key?: number;
}

/** The entity's details as registered and then amended. */
export interface EntityDetails {
  name: string;
  kind: EntityKind;
  aliases: string[];
  country: string | null;
  identifiers: Identifier[];
}

/**
 * The fold of an entity's stream: everything the rules and the point-in-time answers
 * need. `version` counts every event folded, retractions included.
 */
export interface EntityState {
  entityId: string;
  version: number;
  headHash: string;
  headRecordedAt: Timestamp | null;
  /** The registration and the live entity amendments, in version order. */
  entityEvents: { version: number; data: EntityRegisteredData | EntityAmendedData }[];
  /** Live impositions, in version order. */
  sanctions: SanctionRecord[];
  /** Index `v - 1` describes version `v`. */
  versions: VersionRecord[];
  /** On a list's stream, the live publications imported, in version order (absent: none). */
  publications?: PublicationRecord[];
}

/** The state of a stream with no events. */
export function initialState(entityId: string): EntityState {
  return {
    entityId,
    version: 0,
    headHash: GENESIS_HASH,
    headRecordedAt: null,
    entityEvents: [],
    sanctions: [],
    versions: [],
  };
}

export function isRegistered(state: EntityState): boolean {
  return state.entityEvents.length > 0;
}

/** A 32-bit FNV-1a digest of an `eventId`: equal ids have equal keys. */
export function eventIdKey(eventId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) {
    h ^= eventId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Whether the stream folded into `state` may hold an event with `eventId`. False means
 * certainly not: every version's key is compared, so only a digest collision (or a state
 * folded before keys were kept) answers true for an id the stream does not hold.
 */
export function mayHoldEventId(state: EntityState, eventId: string): boolean {
  const key = eventIdKey(eventId);
  return state.versions.some((v) => v.key === undefined || v.key === key);
}

/** The live imposition of `sanctionId`, if there is one. */
export function liveSanction(state: EntityState, sanctionId: string): SanctionRecord | undefined {
  return state.sanctions.find((s) => s.sanctionId === sanctionId);
}

/**
 * The sanction an event concerns, as the state before it knows it: the version of its
 * imposition and its id. An imposition concerns itself; an amendment or a lifting, the live
 * imposition of its `sanctionId`; a retraction, the imposition it retracts or the one whose
 * amendment or lifting it retracts. Entity events concern none.
 */
export function sanctionConcerned(
  before: EntityState,
  event: LedgerEvent,
): { version: number; sanctionId: string } | undefined {
  const of = (s: SanctionRecord | undefined) =>
    s && { version: s.version, sanctionId: s.sanctionId };
  switch (event.type) {
    case "SanctionImposed":
      return { version: event.version, sanctionId: event.data.sanctionId };
    case "SanctionAmended":
    case "SanctionLifted":
      return of(liveSanction(before, event.data.sanctionId));
    case "EventRetracted": {
      const target = event.data.version;
      return of(
        before.sanctions.find(
          (s) =>
            s.version === target ||
            s.amendments.some((a) => a.version === target) ||
            s.lifting?.version === target,
        ),
      );
    }
    default:
      return undefined;
  }
}

/** Applies one event, the next of the stream, to the state. Pure: returns a new state. */
export function evolve(state: EntityState, event: LedgerEvent): EntityState {
  const next: EntityState = {
    ...state,
    version: event.version,
    headHash: event.hash,
    headRecordedAt: event.recordedAt,
    versions: [...state.versions, { type: event.type, key: eventIdKey(event.eventId) }],
  };
  switch (event.type) {
    case "EntityRegistered":
    case "EntityAmended":
      next.entityEvents = [...state.entityEvents, { version: event.version, data: event.data }];
      break;
    case "SanctionImposed": {
      const { sanctionId, ...terms } = event.data;
      next.sanctions = [
        ...state.sanctions,
        { sanctionId, version: event.version, ...terms, amendments: [] },
      ];
      break;
    }
    case "SanctionAmended":
      next.sanctions = state.sanctions.map((s) =>
        s.sanctionId === event.data.sanctionId
          ? { ...s, amendments: [...s.amendments, amendmentRecord(event.version, event.data)] }
          : s,
      );
      break;
    case "SanctionLifted":
      next.sanctions = state.sanctions.map((s) =>
        s.sanctionId === event.data.sanctionId
          ? { ...s, lifting: { version: event.version, ...event.data } }
          : s,
      );
      break;
    case "PublicationImported":
      next.publications = [
        ...(state.publications ?? []),
        { version: event.version, ...event.data },
      ];
      break;
    case "EventRetracted":
      return retract(next, event.data.version, event.version);
  }
  return next;
}

function amendmentRecord(version: number, data: SanctionAmendedData): AmendmentRecord {
  const { sanctionId: _, ...rest } = data;
  return { version, ...rest };
}

function retract(state: EntityState, target: number, by: number): EntityState {
  const versions = state.versions.map((v, i) => (i === target - 1 ? { ...v, retractedBy: by } : v));
  const publications = state.publications?.filter((p) => p.version !== target);
  return {
    ...state,
    ...(publications ? { publications } : {}),
    versions,
    entityEvents: state.entityEvents.filter((e) => e.version !== target),
    sanctions: state.sanctions
      .filter((s) => s.version !== target)
      .map((s) => {
        const amendments = s.amendments.filter((a) => a.version !== target);
        const lifted = s.lifting?.version === target ? undefined : s.lifting;
        if (amendments.length === s.amendments.length && lifted === s.lifting) return s;
        const { lifting: _, ...rest } = s;
        return lifted ? { ...rest, amendments, lifting: lifted } : { ...rest, amendments };
      }),
  };
}

/** Folds a stream, oldest first, into a state. */
export function fold(
  entityId: string,
  events: Iterable<LedgerEvent>,
  from?: EntityState,
): EntityState {
  let state = from ?? initialState(entityId);
  for (const event of events) state = evolve(state, event);
  return state;
}

/** Folds only the events the ledger knew at `knownAt` (`recordedAt <= knownAt`). */
export function foldKnownAt(
  entityId: string,
  events: Iterable<LedgerEvent>,
  knownAt: Timestamp,
): EntityState {
  let state = initialState(entityId);
  for (const event of events) {
    if (event.recordedAt > knownAt) break;
    state = evolve(state, event);
  }
  return state;
}

const detailsOf = new WeakMap<EntityState, EntityDetails | undefined>();

/**
 * The entity's details, derived from its registration and live amendments; computed once
 * per state (states are never changed in place). Callers must not change the answer.
 */
export function entityDetails(state: EntityState): EntityDetails | undefined {
  if (detailsOf.has(state)) return detailsOf.get(state);
  const details = deriveDetails(state);
  detailsOf.set(state, details);
  return details;
}

/**
 * The details the entity would have with one more entity event (or, with `retracted`, one
 * fewer): what the name limits are checked against before the event is appended.
 */
export function detailsAfter(
  state: EntityState,
  added?: EntityState["entityEvents"][number],
  retracted?: number,
): EntityDetails {
  const entityEvents = state.entityEvents.filter((e) => e.version !== retracted);
  if (added) entityEvents.push(added);
  return deriveDetails({ ...state, entityEvents }) as EntityDetails;
}

function deriveDetails(state: EntityState): EntityDetails | undefined {
  const [first, ...rest] = state.entityEvents;
  if (!first) return undefined;
  const reg = first.data as EntityRegisteredData;
  const details: EntityDetails = {
    name: reg.name,
    kind: reg.kind,
    aliases: [...(reg.aliases ?? [])],
    country: reg.country ?? null,
    identifiers: [...(reg.identifiers ?? [])],
  };
  for (const { data } of rest) {
    const amend = data as EntityAmendedData;
    if (amend.name !== undefined) details.name = amend.name;
    if (amend.kind !== undefined) details.kind = amend.kind;
    if (amend.country !== undefined) details.country = amend.country;
    if (amend.identifiers !== undefined) details.identifiers = [...amend.identifiers];
    if (amend.aliases) {
      const removed = new Set(amend.aliases.remove ?? []);
      details.aliases = details.aliases.filter((a) => !removed.has(a));
      for (const a of amend.aliases.add ?? [])
        if (!details.aliases.includes(a)) details.aliases.push(a);
    }
  }
  return details;
}

/**
 * A list's coverage from its stream: the publications imported, in publication-date order,
 * and the first publication's date (null before any).
 */
export function coverageOf(state: EntityState): {
  publications: PublicationRecord[];
  firstPublishedOn: IsoDate | null;
} {
  const publications = [...(state.publications ?? [])].sort((a, b) =>
    a.publishedOn === b.publishedOn
      ? a.version - b.version
      : a.publishedOn < b.publishedOn
        ? -1
        : 1,
  );
  return { publications, firstPublishedOn: publications[0]?.publishedOn ?? null };
}

/** The versions that the entity's details derive from. */
export function detailsBasis(state: EntityState): number[] {
  return state.entityEvents.map((e) => e.version);
}
