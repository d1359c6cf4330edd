import { minEnd, within } from "./dates.js";
import type { IsoDate, Measure, Scope } from "./events.js";
import type { EntityState, SanctionRecord } from "./state.js";
import { detailsBasis, entityDetails } from "./state.js";

/** The terms of a sanction over one stretch of valid time. */
export interface Terms {
  measures: Measure[];
  scope: Scope | null;
  legalBasis: string | null;
}

/** One stretch `[from, until)` of unchanged terms; `until` null is open. */
export interface Interval extends Terms {
  from: IsoDate;
  until: IsoDate | null;
  basis: number[];
}

/** A sanction on the valid-time axis. */
export interface SanctionTimeline {
  sanctionId: string;
  authority: string;
  program: string | null;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  /** The first day out of force, or null while open-ended. */
  end: IsoDate | null;
  /** The versions that decide `end` (the imposition, an amendment or a lifting). */
  endBasis: number[];
  intervals: Interval[];
}

/** A sanction as it stands on a day: its terms on that day. */
export interface SanctionOnDate extends Terms {
  sanctionId: string;
  authority: string;
  program: string | null;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  termsFrom: IsoDate;
  end: IsoDate | null;
}

/** An entity on a day D: its details and the sanctions in force or pending on D. */
export interface EntityOnDate {
  entityId: string;
  name: string;
  kind: string;
  aliases: string[];
  country: string | null;
  identifiers: { scheme: string; value: string }[];
  version: number;
  inForce: SanctionOnDate[];
  pending: SanctionOnDate[];
  basis: number[];
}

/** The valid-time timeline of one sanction: amendments apply in `(effectiveFrom, version)` order. */
export function sanctionTimeline(s: SanctionRecord): SanctionTimeline {
  const applied = [...s.amendments].sort((a, b) =>
    a.effectiveFrom === b.effectiveFrom
      ? a.version - b.version
      : a.effectiveFrom < b.effectiveFrom
        ? -1
        : 1,
  );
  let until: IsoDate | null = s.effectiveUntil ?? null;
  let untilBasis = s.version;
  for (const a of applied) {
    if (a.effectiveUntil !== undefined) {
      until = a.effectiveUntil;
      untilBasis = a.version;
    }
  }
  const end = minEnd(until, s.lifting?.effectiveFrom ?? null);
  const endBasis =
    end === null
      ? []
      : s.lifting && s.lifting.effectiveFrom === end
        ? [s.lifting.version]
        : [untilBasis];

  const intervals: Interval[] = [];
  let current: Interval = {
    from: s.effectiveFrom,
    until: null,
    measures: s.measures,
    scope: s.scope ?? null,
    legalBasis: s.legalBasis ?? null,
    basis: [s.version],
  };
  for (const a of applied) {
    if (end !== null && a.effectiveFrom >= end) break;
    const changesTerms =
      a.measures !== undefined || a.scope !== undefined || a.legalBasis !== undefined;
    if (!changesTerms) continue;
    const terms: Terms = {
      measures: a.measures ?? current.measures,
      scope: a.scope !== undefined ? a.scope : current.scope,
      legalBasis: a.legalBasis !== undefined ? a.legalBasis : current.legalBasis,
    };
    if (a.effectiveFrom === current.from) {
      current = { ...current, ...terms, basis: [...current.basis, a.version] };
      continue;
    }
    intervals.push({ ...current, until: a.effectiveFrom });
    current = {
      from: a.effectiveFrom,
      until: null,
      ...terms,
      basis: [...current.basis, a.version],
    };
  }
  intervals.push({ ...current, until: end });

  const merged: Interval[] = [];
  for (const interval of intervals) {
    if (end !== null && interval.from >= end) continue;
    const last = merged[merged.length - 1];
    if (last && sameTerms(last, interval)) {
      last.until = interval.until;
      last.basis = union(last.basis, interval.basis);
    } else {
      merged.push({ ...interval });
    }
  }
  const last = merged[merged.length - 1];
  if (last && endBasis.length > 0) last.basis = union(last.basis, endBasis);

  return {
    sanctionId: s.sanctionId,
    authority: s.authority,
    program: s.program ?? null,
    announcedOn: s.announcedOn,
    effectiveFrom: s.effectiveFrom,
    end,
    endBasis,
    intervals: merged,
  };
}

/** The timelines of every live sanction of the entity. */
export function timelines(state: EntityState): SanctionTimeline[] {
  return state.sanctions.map(sanctionTimeline);
}

/** The first day on which the sanction stops being pending (its start or its end). */
function pendingUntil(t: SanctionTimeline): IsoDate {
  return minEnd(t.effectiveFrom, t.end) ?? t.effectiveFrom;
}

/** Whether the sanction is pending on `day`: announced, not yet in force, not ended. */
export function isPending(t: SanctionTimeline, day: IsoDate): boolean {
  return t.announcedOn <= day && day < pendingUntil(t);
}

/** The interval in force on `day`, if any. */
export function intervalOn(t: SanctionTimeline, day: IsoDate): Interval | undefined {
  return t.intervals.find((i) => within(day, i.from, i.until));
}

/** A sanction's terms on `day`, if it is in force or pending then. */
export function sanctionOn(
  t: SanctionTimeline,
  day: IsoDate,
): { status: "inForce" | "pending"; sanction: SanctionOnDate; basis: number[] } | undefined {
  const interval = intervalOn(t, day);
  if (interval) return { status: "inForce", sanction: onDate(t, interval), basis: interval.basis };
  if (!isPending(t, day)) return undefined;
  const first = t.intervals[0];
  if (first) return { status: "pending", sanction: onDate(t, first), basis: first.basis };
  return {
    status: "pending",
    sanction: {
      ...header(t),
      measures: [],
      scope: null,
      legalBasis: null,
      termsFrom: t.effectiveFrom,
    },
    basis: t.endBasis,
  };
}

function header(t: SanctionTimeline) {
  return {
    sanctionId: t.sanctionId,
    authority: t.authority,
    program: t.program,
    announcedOn: t.announcedOn,
    effectiveFrom: t.effectiveFrom,
    end: t.end,
  };
}

function onDate(t: SanctionTimeline, i: Interval): SanctionOnDate {
  return {
    ...header(t),
    measures: i.measures,
    scope: i.scope,
    legalBasis: i.legalBasis,
    termsFrom: i.from,
  };
}

/** The entity as it stood on `day` according to `state`. Undefined if never registered. */
export function entityOn(state: EntityState, day: IsoDate): EntityOnDate | undefined {
  const details = entityDetails(state);
  if (!details) return undefined;
  const inForce: SanctionOnDate[] = [];
  const pending: SanctionOnDate[] = [];
  let basis = detailsBasis(state);
  for (const t of timelines(state)) {
    const on = sanctionOn(t, day);
    if (!on) continue;
    (on.status === "inForce" ? inForce : pending).push(on.sanction);
    basis = union(basis, on.basis);
  }
  return { entityId: state.entityId, ...details, version: state.version, inForce, pending, basis };
}

function sameTerms(a: Terms, b: Terms): boolean {
  return (
    JSON.stringify([a.measures, a.scope, a.legalBasis]) ===
    JSON.stringify([b.measures, b.scope, b.legalBasis])
  );
}

function union(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}
