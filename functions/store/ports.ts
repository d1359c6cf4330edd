import type { LedgerEvent } from "../domain/events.js";
import type { EntityHead, PagedTimeline } from "../domain/pages.js";
import type { IndexRow } from "../domain/projection.js";
import type { EntityState } from "../domain/state.js";
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

/** The projected state of one entity at a version of its stream. */
export interface EntityView {
  entityId: string;
  version: number;
  state: EntityState;
  /** The index rows open at this version: row id to the `recordedAt` that opened it. */
  openRows?: Record<string, string>;
  /** Whether the read model (heads and year pages) was kept for every version up to this one. */
  readModel?: boolean;
}

/** The fold of a stream up to a version, kept so that `knownAt` reads replay a bounded tail. */
export interface Snapshot {
  entityId: string;
  version: number;
  state: EntityState;
}

/** One version of a year page of the read model: its content from `recordedAt` on. */
export interface YearPage {
  entityId: string;
  year: number;
  /** The version of the event that left the page so. */
  version: number;
  recordedAt: string;
  sanctions: PagedTimeline[];
}

/** An index row as stored: what it says and the record-time interval in which it held. */
export interface StoredRow {
  pk: string;
  sk: string;
  kind: IndexRow["kind"];
  data: IndexRow["data"];
  recordedFrom: string;
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
  getEntity(entityId: string): Promise<EntityView | undefined>;
  /**
   * Stores the view unless the stored one is already at this version or later, so that
   * concurrent projections never move a view backwards. Returns whether it was written.
   */
  putEntity(view: EntityView): Promise<boolean>;
  /** Keeps a snapshot of the fold, found by the `recordedAt` of its head event. */
  putSnapshot(snapshot: Snapshot): Promise<void>;
  /** The latest snapshot whose head was recorded at or before `knownAt`. */
  getSnapshot(entityId: string, knownAt: string): Promise<Snapshot | undefined>;
  /**
   * Files a version of the read model's head under its `headRecordedAt`. Idempotent: the
   * head after an event is the same whoever computes it.
   */
  putHead(head: EntityHead): Promise<void>;
  /** The latest head recorded at or before `knownAt` (the latest of all without it). */
  getHead(entityId: string, knownAt?: string): Promise<EntityHead | undefined>;
  /** Files a version of a year page under its `recordedAt`. Idempotent, as `putHead`. */
  putPage(page: YearPage): Promise<void>;
  /** The content of a year page as recorded at or before `knownAt` (latest without it). */
  getPage(entityId: string, year: number, knownAt?: string): Promise<YearPage | undefined>;
  /**
   * Files a row as recorded from `recordedFrom`. Idempotent, and never overwrites: a late
   * projector cannot reopen a row that a faster one has since closed.
   */
  openRow(row: IndexRow, id: string, recordedFrom: string): Promise<void>;
  /** Closes a row at `recordedUntil`. Idempotent: closing a closed row changes nothing. */
  closeRow(row: IndexRow, id: string, recordedFrom: string, recordedUntil: string): Promise<void>;
  /** A page of a partition's rows, in sort-key order, and the position to go on from. */
  queryRows(
    pk: string,
    range: RowRange,
    limit: number,
  ): Promise<{ rows: StoredRow[]; next?: string }>;
}

/** The sort key under which a row is stored: one item per row and recording. */
export function storedSortKey(row: IndexRow, id: string, recordedFrom: string): string {
  return `${row.sk}#${id}#${recordedFrom}`;
}

/** Whether a sort key lies in a range; the reference semantics of `queryRows`. */
export function inRange(sk: string, range: RowRange): boolean {
  if (range.after !== undefined && sk <= range.after) return false;
  if (range.between && (sk < range.between[0] || sk > range.between[1])) return false;
  if (range.beginsWith !== undefined && !sk.startsWith(range.beginsWith)) return false;
  return true;
}
