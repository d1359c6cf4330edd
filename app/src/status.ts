/**
 * A sanction's status on each day, from its timeline entry, and the ranges of days on which two
 * beliefs about it differ: how the entity page shows what a correction changed. The same
 * evaluation as the API's: in force, else undetermined, else pending, else none.
 */
import { addDays } from "./days.js";
import type { DayStatus, TimelineSanction } from "./types.js";

/** The parts of a timeline entry that decide the sanction's status on a day. */
export type SanctionDates = Pick<
  TimelineSanction,
  "announcedOn" | "effectiveFrom" | "end" | "undetermined"
> & { intervals: readonly { from: string; until: string | null }[] };

const within = (day: string, from: string, until: string | null) =>
  from <= day && (until === null || day < until);

/**
 * In force within an interval; undetermined on `[since, until)` of its undetermined span (since
 * null: every earlier day); pending on `announcedOn <= day < min(effectiveFrom, end)`.
 */
export function statusOn(s: SanctionDates | undefined, day: string): DayStatus {
  if (!s) return "none";
  if (s.intervals.some((i) => within(day, i.from, i.until))) return "in-force";
  const u = s.undetermined;
  if (u && (u.since === null || u.since <= day) && day < u.until) return "undetermined";
  const pendingUntil = s.end !== null && s.end < s.effectiveFrom ? s.end : s.effectiveFrom;
  if (s.announcedOn <= day && day < pendingUntil) return "pending";
  return "none";
}

/** A maximal range of days (inclusive; `to` null: onwards) with one status before and after. */
export interface StatusChange {
  from: string;
  to: string | null;
  before: DayStatus;
  after: DayStatus;
}

/** The days on which the sanction's status may change. */
function changeDays(s: SanctionDates): string[] {
  const days = [s.announcedOn, s.effectiveFrom];
  if (s.end) days.push(s.end);
  for (const i of s.intervals) {
    days.push(i.from);
    if (i.until) days.push(i.until);
  }
  if (s.undetermined) {
    if (s.undetermined.since) days.push(s.undetermined.since);
    days.push(s.undetermined.until);
  }
  return days;
}

/** The maximal ranges of days on which `before` and `after` give a sanction different statuses. */
export function statusChanges(
  before: SanctionDates | undefined,
  after: SanctionDates | undefined,
): StatusChange[] {
  const starts = [
    ...new Set([...(before ? changeDays(before) : []), ...(after ? changeDays(after) : [])]),
  ].sort();
  const changes: StatusChange[] = [];
  starts.forEach((from, i) => {
    const next = starts[i + 1];
    const b = statusOn(before, from);
    const a = statusOn(after, from);
    if (a === b) return;
    const last = changes.at(-1);
    if (last && last.to === addDays(from, -1) && last.before === b && last.after === a) {
      last.to = next ? addDays(next, -1) : null;
      return;
    }
    changes.push({ from, to: next ? addDays(next, -1) : null, before: b, after: a });
  });
  return changes;
}
