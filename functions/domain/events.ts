/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;
/** A UTC timestamp with milliseconds, `2022-03-26T09:15:02.123Z`. */
export type Timestamp = string;

export const ENTITY_KINDS = [
  "organization",
  "person",
  "vessel",
  "aircraft",
  "country",
  "list",
  "other",
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const MEASURES = [
  "asset-freeze",
  "export-ban",
  "import-ban",
  "investment-ban",
  "financial-messaging-ban",
  "transaction-licence-required",
  "travel-ban",
  "trade-status-revoked",
  "arms-embargo",
  "other",
] as const;
export type Measure = (typeof MEASURES)[number];

export const EVENT_TYPES = [
  "EntityRegistered",
  "EntityAmended",
  "SanctionImposed",
  "SanctionAmended",
  "SanctionLifted",
  "EventRetracted",
  "PublicationImported",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An identifier of the entity in another register (e.g. `{scheme: "LEI", value: "…"}`). */
export interface Identifier {
  readonly scheme: string;
  readonly value: string;
}

/** What a measure covers: goods categories, HS codes and a free-text note. */
export interface Scope {
  readonly goods?: readonly string[];
  readonly hsCodes?: readonly string[];
  readonly note?: string;
}

/** The publication an event was taken from. */
export interface Source {
  readonly title: string;
  readonly url?: string;
  readonly publishedOn?: IsoDate;
}

export interface EntityRegisteredData {
  readonly name: string;
  readonly kind: EntityKind;
  readonly aliases?: readonly string[];
  readonly country?: string;
  readonly identifiers?: readonly Identifier[];
}

export interface EntityAmendedData {
  readonly name?: string;
  readonly kind?: EntityKind;
  readonly aliases?: { readonly add?: readonly string[]; readonly remove?: readonly string[] };
  readonly country?: string | null;
  readonly identifiers?: readonly Identifier[];
}

/**
 * The days before a sanction's `effectiveFrom` on which the ledger does not know whether it
 * was in force: a list publication that does not state when an entry was listed says only
 * that it was listed "on or before" the publication's date.
 */
export interface UndeterminedStart {
  /** The first such day (the previous publication of the list, which did not hold it); absent: every day before. */
  readonly since?: IsoDate;
  /** Why the status is not known, e.g. "listed on or before the OFAC SDN list of 2019-01-15". */
  readonly reason: string;
}

export interface SanctionImposedData {
  readonly sanctionId: string;
  readonly authority: string;
  readonly program?: string;
  readonly measures: readonly Measure[];
  readonly scope?: Scope;
  readonly announcedOn: IsoDate;
  readonly effectiveFrom: IsoDate;
  readonly effectiveUntil?: IsoDate;
  readonly legalBasis?: string;
  /** Set when the start is not stated: the sanction may have been in force before `effectiveFrom`. */
  readonly undetermined?: UndeterminedStart;
}

export interface SanctionAmendedData {
  readonly sanctionId: string;
  readonly effectiveFrom: IsoDate;
  readonly measures?: readonly Measure[];
  readonly scope?: Scope | null;
  readonly effectiveUntil?: IsoDate | null;
  readonly legalBasis?: string | null;
}

export interface SanctionLiftedData {
  readonly sanctionId: string;
  readonly effectiveFrom: IsoDate;
  readonly reason?: string;
}

export interface EventRetractedData {
  readonly version: number;
  readonly reason: string;
}

/**
 * A publication of a list that was imported, recorded on the list's own stream (an entity of
 * kind `list`, e.g. `list-ofac-sdn`): the list's coverage, bitemporal and chained like every
 * other event.
 */
export interface PublicationImportedData {
  /** The list's name, e.g. `ofac-sdn`. */
  readonly list: string;
  readonly publishedOn: IsoDate;
  readonly title: string;
  /** The number of entries the publication holds. */
  readonly entries: number;
}

/** The body of an event: its type and data, a discriminated union on `type`. */
export type EventBody =
  | { readonly type: "EntityRegistered"; readonly data: EntityRegisteredData }
  | { readonly type: "EntityAmended"; readonly data: EntityAmendedData }
  | { readonly type: "SanctionImposed"; readonly data: SanctionImposedData }
  | { readonly type: "SanctionAmended"; readonly data: SanctionAmendedData }
  | { readonly type: "SanctionLifted"; readonly data: SanctionLiftedData }
  | { readonly type: "EventRetracted"; readonly data: EventRetractedData }
  | { readonly type: "PublicationImported"; readonly data: PublicationImportedData };

/** The part of a stored event that its hash covers, minus the hash itself. */
export type HashedEvent = EventBody & {
  readonly entityId: string;
  readonly version: number;
  readonly eventId: string;
  readonly source?: Source;
  readonly recordedAt: Timestamp;
  readonly actor: string;
  readonly prevHash: string;
};

/** An event as the ledger holds it: immutable, chained to its predecessor by `prevHash`. */
export type LedgerEvent = HashedEvent & { readonly hash: string };

/** A command to append one event to an entity's stream. */
export type AppendCommand = EventBody & {
  readonly entityId: string;
  readonly eventId: string;
  readonly expectedVersion?: number;
  readonly source?: Source;
};

export const GENESIS_HASH = "0".repeat(64);
