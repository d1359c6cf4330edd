import type { LedgerEvent } from "../events.js";
import { evolve, initialState } from "../state.js";
import { nameProjection } from "./names.js";
import { noticeProjection, recordedProjection } from "./notices.js";
import { readModelProjection } from "./read-model.js";
import { changeProjection, forceProjection } from "./rows.js";
import type { DerivedWrite, Projected, Projection } from "./types.js";

export type {
  DerivedWrite,
  EntityCard,
  EntryRow,
  Projected,
  Projection,
  RecordKind,
  Step,
  VersionedRecord,
} from "./types.js";

/** Every projection of an entity's stream, each a small definition testable alone. */
export const PROJECTIONS: readonly Projection[] = [
  forceProjection,
  changeProjection,
  nameProjection,
  recordedProjection,
  noticeProjection,
  readModelProjection,
];

/**
 * Every this many versions the projection files a snapshot of itself (the fold with what
 * it keeps beside it), so that a writer, a projector or a `knownAt` read starting cold
 * replays at most this many events whatever the length of the history.
 */
export const SNAPSHOT_EVERY = 100;

/** The projection of a stream with no events. */
export function initialProjected(entityId: string): Projected {
  return { state: initialState(entityId), openRows: {}, pages: {}, detailsVersion: 0 };
}

/**
 * Takes one event in: the writes every projection asks of it (a snapshot among them every
 * {@link SNAPSHOT_EVERY} versions) and the projection after it. The open rows of `before`
 * are handed on to `after` and updated in place (a long history holds tens of thousands of
 * them, and copying them at every event would cost what the history weighs): `before` is
 * not to be used again. Deterministic: the same event on the same projection gives the same
 * writes.
 */
export function projectEvent(
  before: Projected,
  event: LedgerEvent,
): { after: Projected; writes: DerivedWrite[] } {
  const state = evolve(before.state, event);
  const writes = PROJECTIONS.flatMap((p) => p.project({ before, after: state, event }));
  const after = keep(before, state, writes);
  if (state.version % SNAPSHOT_EVERY === 0) {
    writes.push({
      type: "record",
      record: {
        kind: "snapshot",
        key: state.entityId,
        version: state.version,
        recordedAt: event.recordedAt,
        // A copy: the open rows go on changing in place after this event.
        value: { ...after, openRows: { ...after.openRows } },
      },
    });
  }
  return { after, writes };
}

/** What the projection keeps after a step: the fold, and what its writes opened, closed and filed. */
function keep(before: Projected, state: Projected["state"], writes: DerivedWrite[]): Projected {
  const openRows = before.openRows;
  let pages = before.pages;
  let detailsVersion = before.detailsVersion;
  for (const w of writes) {
    if (w.type === "open") openRows[w.id] = w.from;
    else if (w.type === "close") delete openRows[w.id];
    else if (w.type === "record" && w.record.kind === "head") {
      const head = w.record.value as { pages: Record<string, number>; detailsVersion: number };
      pages = head.pages;
      detailsVersion = head.detailsVersion;
    }
  }
  return { state, openRows, pages, detailsVersion };
}
