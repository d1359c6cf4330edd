import type { IsoDate } from "./events.js";
import type { EntityState } from "./state.js";
import { liveSanction } from "./state.js";
import { type SanctionStatus, statusOn, timelineOf } from "./timeline.js";

/** A sanction's status on a day, as the corrections report and the notices name it. */
export type Status = SanctionStatus;

/** The one evaluation of a sanction's status on a day (see `timeline.ts`). */
export { statusOn };

/**
 * Every day on which {@link statusOn} may answer otherwise than on the day before, in no
 * particular order: the status is constant between two of them. A rule added to
 * `statusOn` must add its days here, or the corrections report misses its changes.
 */
export function statusChangeDays(state: EntityState, sanctionId: string): IsoDate[] {
  const s = liveSanction(state, sanctionId);
  if (!s) return [];
  const t = timelineOf(s);
  const days = [t.announcedOn, t.effectiveFrom];
  if (t.end !== null) days.push(t.end);
  for (const i of t.intervals) {
    days.push(i.from);
    if (i.until !== null) days.push(i.until);
  }
  // Undetermined from `since` (or every earlier day) until the day its status is known.
  if (t.undetermined) {
    if (t.undetermined.since !== null) days.push(t.undetermined.since);
    days.push(t.undetermined.until);
  }
  return days;
}
