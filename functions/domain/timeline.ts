import { minEnd, within } from "./dates.js";
import type { IsoDate, Measure, Scope } from "./events.js";
import { canonicalJson } from "./hash.js";
import type { AmendmentRecord, EntityDetails, EntityState, SanctionRecord } from "./state.js";
import { detailsBasis, entityDetails } from "./state.js";

/** The terms of a sanction over one stretch of valid time. */
export interface Terms {
  measures: readonly Measure[];
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
  /** The terms it takes effect with: what a pending sanction is reported with. */
  initialTerms: Terms & { basis: number[] };
  intervals: Interval[];
  /**
   * The days `[since, until)` on which its status is not known (`since` null: every day
   * before `until`), when its start is not stated; `until` is the day its status is known
   * from (its start, or its end if it ended first). Null when the start is stated or the
   * span is empty.
   */
  undetermined: UndeterminedSpan | null;
}

/** Days on which a sanction's status is not known, and why. */
export interface UndeterminedSpan {
  since: IsoDate | null;
  until: IsoDate;
  reason: string;
}

/** A sanction whose status on a day is not known: in the answer's `undetermined` list. */
export interface UndeterminedOnDate {
  sanctionId: string;
  authority: string;
  /** The day from which its status is known. */
  knownFrom: IsoDate;
  /** The first day of not knowing; null: every day before `knownFrom`. */
  since: IsoDate | null;
  reason: string;
  program: string | null;
}

/** A sanction's status on a day, as the ledger knows it. */
export type SanctionStatus = "in-force" | "pending" | "undetermined" | "none";

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
  undetermined: UndeterminedOnDate[];
  basis: number[];
}

/**
 * The valid-time timeline of one sanction. Amendments apply in `(effectiveFrom, version)`
 * order, each to the sanction as it stands: one dated on or after the end reached so far
 * (by `effectiveUntil` or the lifting) has no effect, which is the rule `decide` enforces
 * when it is recorded, kept when retractions change what came before it.
 */
export function sanctionTimeline(s: SanctionRecord): SanctionTimeline {
  const ordered = [...s.amendments].sort((a, b) =>
    a.effectiveFrom === b.effectiveFrom
      ? a.version - b.version
      : a.effectiveFrom < b.effectiveFrom
        ? -1
        : 1,
  );
  const lift = s.lifting?.effectiveFrom ?? null;
  let until: IsoDate | null = s.effectiveUntil ?? null;
  let untilBasis = s.version;
  const applied: AmendmentRecord[] = [];
  for (const a of ordered) {
    const endSoFar = minEnd(until, lift);
    if (endSoFar !== null && a.effectiveFrom >= endSoFar) continue;
    applied.push(a);
    if (a.effectiveUntil !== undefined) {
      until = a.effectiveUntil;
      untilBasis = a.version;
    }
  }
  const end = minEnd(until, lift);
  const endBasis =
    end === null ? [] : s.lifting && lift === end ? [s.lifting.version] : [untilBasis];

  // The basis of a stretch: the imposition and, per term, the version that last set it.
  const setBy = { measures: s.version, scope: s.version, legalBasis: s.version };
  const basisOf = () =>
    [...new Set([s.version, setBy.measures, setBy.scope, setBy.legalBasis])].sort((x, y) => x - y);
  const stretches: Interval[] = [];
  let current: Interval = {
    from: s.effectiveFrom,
    until: null,
    measures: s.measures,
    scope: s.scope ?? null,
    legalBasis: s.legalBasis ?? null,
    basis: basisOf(),
  };
  for (const a of applied) {
    const changesTerms =
      a.measures !== undefined || a.scope !== undefined || a.legalBasis !== undefined;
    if (!changesTerms || (end !== null && a.effectiveFrom >= end)) continue;
    const terms: Terms = {
      measures: a.measures ?? current.measures,
      scope: a.scope !== undefined ? a.scope : current.scope,
      legalBasis: a.legalBasis !== undefined ? a.legalBasis : current.legalBasis,
    };
    if (a.measures !== undefined) setBy.measures = a.version;
    if (a.scope !== undefined) setBy.scope = a.version;
    if (a.legalBasis !== undefined) setBy.legalBasis = a.version;
    if (a.effectiveFrom === current.from) {
      current = { ...current, ...terms, basis: basisOf() };
      continue;
    }
    stretches.push({ ...current, until: a.effectiveFrom });
    current = { from: a.effectiveFrom, until: null, ...terms, basis: basisOf() };
  }
  stretches.push({ ...current, until: end });
  const first = stretches[0] ?? current;

  const intervals: Interval[] = [];
  for (const stretch of stretches) {
    if (end !== null && stretch.from >= end) continue;
    const last = intervals[intervals.length - 1];
    if (last && sameTerms(last, stretch)) {
      last.until = stretch.until;
      last.basis = union(last.basis, stretch.basis);
    } else {
      intervals.push({ ...stretch });
    }
  }
  const last = intervals[intervals.length - 1];
  if (last && endBasis.length > 0) last.basis = union(last.basis, endBasis);

  let undetermined: UndeterminedSpan | null = null;
  if (s.undetermined) {
    const until = minEnd(s.effectiveFrom, end) ?? s.effectiveFrom;
    const since = s.undetermined.since ?? null;
    if (since === null || since < until)
      undetermined = { since, until, reason: s.undetermined.reason };
  }

  return {
    sanctionId: s.sanctionId,
    authority: s.authority,
    program: s.program ?? null,
    announcedOn: s.announcedOn,
    effectiveFrom: s.effectiveFrom,
    end,
    endBasis,
    initialTerms: {
      measures: first.measures,
      scope: first.scope,
      legalBasis: first.legalBasis,
      basis: first.basis,
    },
    intervals,
    undetermined,
  };
}

const computed = new WeakMap<EntityState, SanctionTimeline[]>();
const computedOne = new WeakMap<SanctionRecord, SanctionTimeline>();

/** A sanction's timeline, computed once per record: `evolve` keeps untouched records as they were. */
export function timelineOf(s: SanctionRecord): SanctionTimeline {
  let known = computedOne.get(s);
  if (!known) {
    known = sanctionTimeline(s);
    computedOne.set(s, known);
  }
  return known;
}

/**
 * The timelines of every live sanction of the entity. States and their records are never
 * changed in place, so a state's timelines are computed once, however often it is asked
 * about, and the next state computes only those of the records its event replaced.
 */
export function timelines(state: EntityState): SanctionTimeline[] {
  let known = computed.get(state);
  if (!known) {
    known = state.sanctions.map(timelineOf);
    computed.set(state, known);
  }
  return known;
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

/** Whether the sanction's status on `day` is not known. */
export function isUndetermined(t: SanctionTimeline, day: IsoDate): boolean {
  const u = t.undetermined;
  // A timeline filed before spans were kept has none.
  if (!u) return false;
  return (u.since === null || u.since <= day) && day < u.until;
}

/**
 * A sanction's status on `day`: in force, pending, undetermined (its start is not stated,
 * and it may have been in force then), or none. Undetermined comes before pending: a
 * sanction that may already have been in force is not reported as merely announced.
 */
export function timelineStatusOn(t: SanctionTimeline, day: IsoDate): SanctionStatus {
  if (intervalOn(t, day)) return "in-force";
  if (isUndetermined(t, day)) return "undetermined";
  if (isPending(t, day)) return "pending";
  return "none";
}

/**
 * The status on `day` of the entity's live sanction `sanctionId` according to `state`
 * ("none" when the state holds no such sanction): the one evaluation of a sanction on a day
 * that the entity's answer, the rows and the corrections report share.
 */
export function statusOn(state: EntityState, sanctionId: string, day: IsoDate): SanctionStatus {
  const s = state.sanctions.find((x) => x.sanctionId === sanctionId);
  return s ? timelineStatusOn(timelineOf(s), day) : "none";
}

/**
 * Every day on which {@link statusOn} may answer otherwise than on the day before, in no
 * particular order: the status is constant between two of them. A rule added to
 * `statusOn` must add its days here, or the corrections report misses its changes.
 */
export function statusChangeDays(state: EntityState, sanctionId: string): IsoDate[] {
  const s = state.sanctions.find((x) => x.sanctionId === sanctionId);
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

/** The sanction as the `undetermined` list reports it, when its status on `day` is not known. */
export function undeterminedOn(t: SanctionTimeline, day: IsoDate): UndeterminedOnDate | undefined {
  const u = t.undetermined;
  if (!u || intervalOn(t, day) || !isUndetermined(t, day)) return undefined;
  return {
    sanctionId: t.sanctionId,
    authority: t.authority,
    knownFrom: u.until,
    since: u.since,
    reason: u.reason,
    program: t.program,
  };
}

/**
 * A sanction's terms on `day`, if it is in force or pending then, and the versions that
 * answer derives from (those of its terms and of its reported `end`). A pending sanction is
 * reported with the terms it takes effect with.
 */
export function sanctionOn(
  t: SanctionTimeline,
  day: IsoDate,
): { status: "inForce" | "pending"; sanction: SanctionOnDate; basis: number[] } | undefined {
  const interval = intervalOn(t, day);
  if (interval) {
    return {
      status: "inForce",
      sanction: onDate(t, interval, interval.from),
      basis: union(interval.basis, t.endBasis),
    };
  }
  if (!isPending(t, day) || isUndetermined(t, day)) return undefined;
  return {
    status: "pending",
    sanction: onDate(t, t.initialTerms, t.effectiveFrom),
    basis: union(t.initialTerms.basis, t.endBasis),
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

function onDate(t: SanctionTimeline, terms: Terms, termsFrom: IsoDate): SanctionOnDate {
  return {
    ...header(t),
    measures: terms.measures,
    scope: terms.scope,
    legalBasis: terms.legalBasis,
    termsFrom,
  };
}

/** The entity as it stood on `day` according to `state`. Undefined if never registered. */
export function entityOn(state: EntityState, day: IsoDate): EntityOnDate | undefined {
  const details = entityDetails(state);
  if (!details) return undefined;
  return evaluateOn(
    state.entityId,
    details,
    detailsBasis(state),
    state.version,
    timelines(state),
    day,
  );
}

/** The entity on `day` from its details and the timelines of its sanctions, in imposition order. */
export function evaluateOn(
  entityId: string,
  details: EntityDetails,
  detailsBasis: readonly number[],
  version: number,
  sanctions: readonly SanctionTimeline[],
  day: IsoDate,
): EntityOnDate {
  const inForce: SanctionOnDate[] = [];
  const pending: SanctionOnDate[] = [];
  const undetermined: UndeterminedOnDate[] = [];
  const basis = new Set(detailsBasis);
  for (const t of sanctions) {
    const unknown = undeterminedOn(t, day);
    if (unknown) {
      undetermined.push(unknown);
      for (const v of union(t.initialTerms.basis, t.endBasis)) basis.add(v);
      continue;
    }
    const on = sanctionOn(t, day);
    if (!on) continue;
    (on.status === "inForce" ? inForce : pending).push(on.sanction);
    for (const v of on.basis) basis.add(v);
  }
  return {
    entityId,
    ...details,
    version,
    inForce,
    pending,
    undetermined,
    basis: [...basis].sort((x, y) => x - y),
  };
}

/** Whether two sets of terms are the same, whatever the order of keys. */
export function sameTerms(a: Terms, b: Terms): boolean {
  return (
    canonicalJson([a.measures, a.scope, a.legalBasis]) ===
    canonicalJson([b.measures, b.scope, b.legalBasis])
  );
}

function union(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}
