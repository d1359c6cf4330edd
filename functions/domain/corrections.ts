import { addDays } from "./dates.js";
import type { IsoDate, LedgerEvent, Timestamp } from "./events.js";
import type { EntityState } from "./state.js";
import { evolve, initialState, liveSanction } from "./state.js";
import { type SanctionStatus as Status, statusChangeDays, statusOn } from "./timeline.js";

/** A maximal range of days (inclusive; `to` null: every day after `from`) with one status before and one after. */
export interface StatusRange {
  from: IsoDate;
  to: IsoDate | null;
  before: Status;
  after: Status;
}

/** One corrected range of days of one sanction, as the corrections report and the notices give it. */
export interface Correction {
  entityId: string;
  sanctionId: string;
  authority: string;
  days: { from: IsoDate; to: IsoDate | null };
  before: Status;
  after: Status;
  /** The events that account for it. */
  versions: number[];
}

/**
 * The maximal ranges of days on which the sanction's status according to `before` differs
 * from its status according to `after`, in day order; only days up to `until` (inclusive)
 * when it is given. Exact: evaluated once per stretch between two days on which either
 * status may change, so a range is never split nor merged wrongly.
 */
export function statusRanges(
  before: EntityState,
  after: EntityState,
  sanctionId: string,
  until?: IsoDate,
): StatusRange[] {
  const days = [
    ...new Set([...statusChangeDays(before, sanctionId), ...statusChangeDays(after, sanctionId)]),
  ].sort();
  const ranges: StatusRange[] = [];
  days.forEach((from, i) => {
    if (until !== undefined && from > until) return;
    const next = days[i + 1];
    let to = next === undefined ? null : addDays(next, -1);
    if (until !== undefined && (to === null || to > until)) to = until;
    const b = statusOn(before, sanctionId, from);
    const a = statusOn(after, sanctionId, from);
    if (a === b) return;
    const last = ranges[ranges.length - 1];
    if (
      last &&
      last.to !== null &&
      addDays(last.to, 1) === from &&
      last.before === b &&
      last.after === a
    ) {
      last.to = to;
      return;
    }
    ranges.push({ from, to, before: b, after: a });
  });
  return ranges;
}

/** The sanction an event is about: its own `sanctionId`, or that of the event it retracts. */
export function sanctionIdOf(
  event: LedgerEvent,
  byVersion: (version: number) => LedgerEvent | undefined,
): string | undefined {
  switch (event.type) {
    case "SanctionImposed":
    case "SanctionAmended":
    case "SanctionLifted":
      return event.data.sanctionId;
    case "EventRetracted": {
      const target = byVersion(event.data.version);
      return target ? sanctionIdOf(target, byVersion) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * What the ledger says differently at `to` than at `from` about the entity's sanctions it
 * already held at `from` (an imposition of the `sanctionId` recorded by then, even if later
 * retracted): one item per maximal range of days whose status differs, each with the events
 * recorded in the window about that sanction. `events` is the stream, oldest first, at least
 * up to `to`. Sanctions first imposed in the window are new knowledge, and left out.
 */
export function correctionsBetween(
  entityId: string,
  events: readonly LedgerEvent[],
  from: Timestamp,
  to: Timestamp,
): Correction[] {
  const byVersion = (v: number) =>
    events[v - 1]?.version === v ? events[v - 1] : events.find((e) => e.version === v);
  let atFrom: EntityState = initialState(entityId);
  let atTo: EntityState = atFrom;
  const held = new Set<string>();
  const authorities = new Map<string, string>();
  const touched = new Map<string, number[]>();
  for (const event of events) {
    if (event.recordedAt > to) break;
    atTo = evolve(atTo, event);
    if (event.type === "SanctionImposed")
      authorities.set(event.data.sanctionId, event.data.authority);
    if (event.recordedAt <= from) {
      atFrom = atTo;
      if (event.type === "SanctionImposed") held.add(event.data.sanctionId);
      continue;
    }
    const sanctionId = sanctionIdOf(event, byVersion);
    if (sanctionId !== undefined)
      touched.set(sanctionId, [...(touched.get(sanctionId) ?? []), event.version]);
  }
  const items: Correction[] = [];
  for (const [sanctionId, versions] of [...touched].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (!held.has(sanctionId)) continue;
    const authority =
      liveSanction(atTo, sanctionId)?.authority ??
      liveSanction(atFrom, sanctionId)?.authority ??
      authorities.get(sanctionId) ??
      "";
    for (const r of statusRanges(atFrom, atTo, sanctionId)) {
      items.push({
        entityId,
        sanctionId,
        authority,
        days: { from: r.from, to: r.to },
        before: r.before,
        after: r.after,
        versions,
      });
    }
  }
  return items;
}
