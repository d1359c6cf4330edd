import type { LedgerEvent } from "../domain/events.js";
import type {
  DerivedWrite,
  EntityCard,
  RecordKind,
  VersionedRecord,
} from "../domain/projections/index.js";
import type { SealedRecord } from "../domain/verify.js";

/** An event record as the store keeps it: the sealed record plus its type. */
export interface EventRecord extends SealedRecord {
  entityId: string;
  type: string;
}

/** The record that stores a sealed event: its canonical JSON and the attributes indexed. */
export function recordOf(event: LedgerEvent, canonical: string): EventRecord {
  const { entityId, version, eventId, recordedAt, type, hash } = event;
  return { entityId, version, eventId, recordedAt, type, hash, canonical };
}

/** Raised by `EventStore.append` when the version is already taken: a lost race. */
export class VersionTaken extends Error {
  constructor(
    readonly entityId: string,
    readonly version: number,
  ) {
    super(`version ${version} of '${entityId}' is already taken`);
    this.name = "VersionTaken";
  }
}

/** Options of a read of one stream, oldest first. */
export interface ReadOptions {
  /** Only versions after this one. */
  afterVersion?: number;
  /** Only events recorded at or before this moment. */
  knownAt?: string;
  /** At most this many records (one page); all of them when absent. */
  limit?: number;
}

/** A page of a stream. `more` tells whether records beyond the page may remain. */
export interface ReadPage {
  records: EventRecord[];
  more: boolean;
}

/** Where a stream stood at a moment: its last version and when that was recorded. */
export interface StreamHead {
  version: number;
  recordedAt: string;
}

/**
 * The append-only store of event streams. Implementations must make `append` atomic and
 * conditional on the version being free, and reads strongly consistent.
 */
export interface EventStore {
  /** Writes the record at its version, or throws VersionTaken. Never overwrites. */
  append(record: EventRecord): Promise<void>;
  /** The record that carries `eventId` in the entity's stream, if any. */
  findByEventId(entityId: string, eventId: string): Promise<EventRecord | undefined>;
  /** Records of the stream in version order. */
  read(entityId: string, options?: ReadOptions): Promise<ReadPage>;
  /** The last version recorded at or before `knownAt` (the last of all without it). */
  head(entityId: string, knownAt?: string): Promise<StreamHead | undefined>;
}

/** A version of a record as read, with the size of its content (for caches bounded by bytes). */
export type ReadRecord<T> = VersionedRecord<T> & { bytes: number };

/** Which version of a record a read wants: the latest, or the latest recorded by a moment. */
export interface RecordQuery {
  /** Recorded at or before this moment. */
  upTo?: string;
  /** Recorded strictly before this moment. */
  before?: string;
}

/** A row of a cross-entity index as stored: what it says and when it held in record time. */
export interface StoredRow {
  pk: string;
  sk: string;
  kind: "force" | "boundary" | "name" | "recorded" | "notice";
  data: unknown;
  /** When the row was filed; null for search rows, which hold current knowledge only. */
  recordedFrom: string | null;
  recordedUntil: string | null;
}

/** Which rows of a partition a query reads, in sort-key order. */
export interface RowRange {
  /** Only sort keys strictly after this one (a position from an earlier page). */
  after?: string;
  /** Only sort keys within these bounds, both inclusive. */
  between?: [string, string];
  /** Only sort keys that begin with this. */
  beginsWith?: string;
}

/** The store of derived views: rebuildable from the events at any time. */
export interface ViewStore {
  /**
   * Carries out derived writes; when it resolves, every one is durable. Writes are
   * idempotent and order-free within a call: the caller orders calls where it must.
   */
  write(writes: readonly DerivedWrite[]): Promise<void>;
  /**
   * Whether every one of these writes is already durable: what a projector asks of the
   * writes of the event whose head it found, before it files them again.
   */
  filed(writes: readonly DerivedWrite[]): Promise<boolean>;
  /** A version of a record: the latest, or the latest recorded by a moment. */
  getRecord<T>(
    kind: RecordKind,
    key: string,
    query?: RecordQuery,
  ): Promise<ReadRecord<T> | undefined>;
  /** The current cards of these entities (those that have one). */
  getCards(entityIds: readonly string[]): Promise<Map<string, EntityCard>>;
  /** A page of a partition's rows, in sort-key order, and the position to go on from. */
  queryRows(
    pk: string,
    range: RowRange,
    limit: number,
  ): Promise<{ rows: StoredRow[]; next?: string }>;
}
