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
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An identifier of the entity in another register (e.g. `{scheme: "LEI", value: "…"}`). */
export interface Identifier {
  scheme: string;
  value: string;
}

/** What a measure covers: goods categories, HS codes and a free-text note. */
export interface Scope {
  goods?: string[];
  hsCodes?: string[];
  note?: string;
}

/** The publication an event was taken from. */
export interface Source {
  title: string;
  url?: string;
  publishedOn?: IsoDate;
}

export interface EntityRegisteredData {
  name: string;
  kind: EntityKind;
  aliases?: string[];
  country?: string;
  identifiers?: Identifier[];
}

export interface EntityAmendedData {
  name?: string;
  kind?: EntityKind;
  aliases?: { add?: string[]; remove?: string[] };
  country?: string | null;
  identifiers?: Identifier[];
}

export interface SanctionImposedData {
  sanctionId: string;
  authority: string;
  program?: string;
  measures: Measure[];
  scope?: Scope;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  effectiveUntil?: IsoDate;
  legalBasis?: string;
}

export interface SanctionAmendedData {
  sanctionId: string;
  effectiveFrom: IsoDate;
  measures?: Measure[];
  scope?: Scope | null;
  effectiveUntil?: IsoDate | null;
  legalBasis?: string | null;
}

export interface SanctionLiftedData {
  sanctionId: string;
  effectiveFrom: IsoDate;
  reason?: string;
}

export interface EventRetractedData {
  version: number;
  reason: string;
}

/** The body of an event: its type and data, a discriminated union on `type`. */
export type EventBody =
  | { type: "EntityRegistered"; data: EntityRegisteredData }
  | { type: "EntityAmended"; data: EntityAmendedData }
  | { type: "SanctionImposed"; data: SanctionImposedData }
  | { type: "SanctionAmended"; data: SanctionAmendedData }
  | { type: "SanctionLifted"; data: SanctionLiftedData }
  | { type: "EventRetracted"; data: EventRetractedData };

/** The part of a stored event that its hash covers, minus the hash itself. */
export type HashedEvent = EventBody & {
  entityId: string;
  version: number;
  eventId: string;
  source?: Source;
  recordedAt: Timestamp;
  actor: string;
  prevHash: string;
};

/** An event as the ledger holds it: immutable, chained to its predecessor by `prevHash`. */
export type LedgerEvent = HashedEvent & { hash: string };

/** A command to append one event to an entity's stream. */
export type AppendCommand = EventBody & {
  entityId: string;
  eventId: string;
  expectedVersion?: number;
  source?: Source;
};

export const GENESIS_HASH = "0".repeat(64);
