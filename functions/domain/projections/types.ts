import type { LedgerEvent, Timestamp } from "../events.js";
import type { IndexRow, NameIndexRow } from "../rows.js";
import type { EntityState } from "../state.js";

/** The kinds of record kept in versions by the `recordedAt` of the event that made them. */
export type RecordKind = "head" | "page" | "details" | "snapshot";

/** One version of a record: its content from `recordedAt` on, as left by event `version`. */
export interface VersionedRecord<T = unknown> {
  kind: RecordKind;
  key: string;
  version: number;
  recordedAt: Timestamp;
  value: T;
  /**
   * For a head filed with the heads of several events at once: the first of those events.
   * Such a head vouches only for the writes of the events before it (the others of its
   * batch may not all have landed); a head filed alone vouches for every event before its
   * own.
   */
  filedFrom?: number;
}

/** What search needs of an entity now: its name and kind, and digests of its current names. */
export interface EntityCard {
  entityId: string;
  /** The version of the event that left the names so: a card only moves forward. */
  version: number;
  name: string;
  kind: string;
  /** Digests (`nameDigest`) of the name and every alias. */
  names: string[];
}

/**
 * A derived write, as a projection asks for it; the view store carries it out. Every write
 * is idempotent and says the same whoever computes it, so a projection interrupted anywhere
 * is completed by running it again, and two projectors racing write the same items.
 */
export type DerivedWrite =
  | { type: "record"; record: VersionedRecord }
  | { type: "open"; row: IndexRow; id: string; from: Timestamp }
  | { type: "close"; row: IndexRow; id: string; from: Timestamp; until: Timestamp }
  | { type: "name"; row: NameIndexRow }
  | { type: "unname"; pk: string; sk: string }
  | { type: "card"; card: EntityCard }
  | { type: "entry"; entry: EntryRow };

/**
 * An item filed once and never changed: the index of events by `recordedAt` (what the
 * corrections report starts from) and the notices. Its key names what it says.
 */
export interface EntryRow {
  kind: "recorded" | "notice";
  pk: string;
  sk: string;
  data: unknown;
}

/** What the projection keeps beside the fold: enough to file the next event's writes. */
export interface Projected {
  state: EntityState;
  /** Rows kept in record time that are open: row id to the `recordedAt` that opened it. */
  openRows: Record<string, Timestamp>;
  /** The version of each year page's latest content, by year: the head names them. */
  pages: Record<string, number>;
  /** The version of the event that last changed the details (0 before any). */
  detailsVersion: number;
}

/** One event taken in: the projection before it, the fold after it, and the event. */
export interface Step {
  before: Projected;
  after: EntityState;
  event: LedgerEvent;
}

/** A projection in the manner of Emmett's: a name and the writes one step asks of it. */
export interface Projection {
  readonly name: string;
  project(step: Step): DerivedWrite[];
}
