import type { EntityState } from "../domain/state.js";
import type { SealedRecord } from "../domain/verify.js";

/** An event record as the store keeps it: the sealed record plus its type. */
export interface EventRecord extends SealedRecord {
  entityId: string;
  type: string;
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
}

/** The projected state of one entity at a version of its stream. */
export interface EntityView {
  entityId: string;
  version: number;
  state: EntityState;
}

/** The store of derived views: rebuildable from the events at any time. */
export interface ViewStore {
  getEntity(entityId: string): Promise<EntityView | undefined>;
  /**
   * Stores the view unless the stored one is already at this version or later, so that
   * concurrent projections never move a view backwards. Returns whether it was written.
   */
  putEntity(view: EntityView): Promise<boolean>;
}
