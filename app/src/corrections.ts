/**
 * Corrections of one entity's history, as the entity page shows them: for each event that changed
 * what the ledger said about days (a retraction, or an amendment or lifting taking effect before
 * it was recorded), what was believed just before it, what the ledger says at `knownAt`, and the
 * days on which the two differ.
 */

import { justBefore } from "./days.js";
import { type StatusChange, statusChanges } from "./status.js";
import type { LoggedEvent, Timeline, TimelineSanction } from "./types.js";

/** One correction of one sanction. */
export interface CorrectionView {
  sanctionId: string;
  authority: string;
  /** When the correction was recorded. */
  at: string;
  /** The event that made it, and the later events (up to knownAt) about the same sanction. */
  versions: number[];
  reason: string | null;
  /** The sanction as the ledger knew it just before the correction (absent: not known then). */
  believed: TimelineSanction | undefined;
  /** The sanction as known at knownAt (absent: no longer held). */
  now: TimelineSanction | undefined;
  /** The days whose status differs; empty when only the terms changed. */
  changes: StatusChange[];
}

const sanctionIdOf = (event: LoggedEvent | undefined): string | undefined => {
  const id = event?.data.sanctionId;
  return typeof id === "string" ? id : undefined;
};

/** The events that can change what the ledger said about days already answered for. */
export function correctingEvents(events: LoggedEvent[], knownAt: string): LoggedEvent[] {
  return events.filter((e) => {
    if (e.recordedAt > knownAt) return false;
    if (e.type === "EventRetracted") return true;
    if (e.type === "SanctionAmended" || e.type === "SanctionLifted") {
      const from = e.data.effectiveFrom;
      return typeof from === "string" && from < e.recordedAt.slice(0, 10);
    }
    return false;
  });
}

/** The moments at which the page needs the timeline: just before each correcting event. */
export function momentsBefore(events: LoggedEvent[], knownAt: string): string[] {
  return [...new Set(correctingEvents(events, knownAt).map((e) => justBefore(e.recordedAt)))];
}

const terms = (s: TimelineSanction | undefined) =>
  JSON.stringify(s?.intervals.map(({ basis: _, ...rest }) => rest) ?? null);

/**
 * The corrections known at `knownAt`, given the timeline at `knownAt` and the timelines just
 * before each correcting event (keyed by `momentsBefore`'s moments).
 */
export function corrections(
  events: LoggedEvent[],
  knownAt: string,
  current: Timeline,
  before: Map<string, Timeline>,
): CorrectionView[] {
  const byVersion = new Map(events.map((e) => [e.version, e]));
  const views: CorrectionView[] = [];
  for (const event of correctingEvents(events, knownAt)) {
    const target =
      event.type === "EventRetracted" ? byVersion.get(Number(event.data.version)) : event;
    const sanctionId = sanctionIdOf(target);
    if (!sanctionId) continue;
    const moment = justBefore(event.recordedAt);
    const believed = before.get(moment)?.sanctions.find((s) => s.sanctionId === sanctionId);
    if (!believed) continue; // not held before: new knowledge, not a correction
    const now = current.sanctions.find((s) => s.sanctionId === sanctionId);
    const changes = statusChanges(believed, now);
    if (changes.length === 0 && terms(believed) === terms(now)) continue;
    const reason = event.data.reason;
    views.push({
      sanctionId,
      authority: believed.authority,
      at: event.recordedAt,
      versions: events
        .filter(
          (e) =>
            e.version === event.version ||
            (e.recordedAt > event.recordedAt &&
              e.recordedAt <= knownAt &&
              sanctionIdOf(e) === sanctionId),
        )
        .map((e) => e.version),
      reason: typeof reason === "string" ? reason : null,
      believed,
      now,
      changes,
    });
  }
  return views;
}
