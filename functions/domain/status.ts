import type { IsoDate } from "./events.js";
import type { EntityState } from "./state.js";
import { liveSanction } from "./state.js";
import { intervalOn, isPending, timelineOf } from "./timeline.js";

/** A sanction's status on a day, as the corrections report and the notices name it. */
export type Status = "in-force" | "pending" | "undetermined" | "none";

/**
 * The status of the entity's sanction `sanctionId` on `day` according to `state`: `in-force`
 * on a day an interval of its timeline covers, `pending` on a day it is announced and not yet
 * in force nor ended, `none` otherwise (and for a sanction the state does not hold).
 * `undetermined` is part of the type for a sanction whose status on a day the ledger does not
 * know; the rules that produce it go here, and their days in {@link statusChangeDays}.
 */
export function statusOn(state: EntityState, sanctionId: string, day: IsoDate): Status {
  const s = liveSanction(state, sanctionId);
  if (!s) return "none";
  const t = timelineOf(s);
  if (intervalOn(t, day)) return "in-force";
  if (isPending(t, day)) return "pending";
  return "none";
}

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
  return days;
}
