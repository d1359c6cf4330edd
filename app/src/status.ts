/**
 * A sanction's status on each day, from its timeline entry, and the ranges of days on which two
 * beliefs about it differ: how the entity page shows what a correction changed.
 */
import type { DayStatus } from "./contract.js";
import { addDays } from "./days.js";

/** The dates of a sanction that decide its status (a timeline entry has them all). */
export interface SanctionDates {
  announcedOn: string;
  effectiveFrom: string;
  end: string | null;
}

/** In force on `effectiveFrom <= day < end`; pending on `announcedOn <= day < min(effectiveFrom, end)`. */
export function statusOn(s: SanctionDates | undefined, day: string): DayStatus {
  if (!s) return "none";
  const beforeEnd = s.end === null || day < s.end;
  if (s.effectiveFrom <= day && beforeEnd) return "in-force";
  if (s.announcedOn <= day && day < s.effectiveFrom && beforeEnd) return "pending";
  return "none";
}

/** A maximal range of days (inclusive; `to` null: onwards) with one status before and after. */
export interface StatusChange {
  from: string;
  to: string | null;
  before: DayStatus;
  after: DayStatus;
}

/** The maximal ranges of days on which `before` and `after` give a sanction different statuses. */
export function statusChanges(
  before: SanctionDates | undefined,
  after: SanctionDates | undefined,
): StatusChange[] {
  const bounds = new Set<string>();
  for (const s of [before, after]) {
    if (!s) continue;
    bounds.add(s.announcedOn);
    bounds.add(s.effectiveFrom);
    if (s.end) bounds.add(s.end);
  }
  const starts = [...bounds].sort();
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
