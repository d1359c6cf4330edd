import { addDays } from "./dates.js";
import type { IsoDate } from "./events.js";
import type { EntityDetails, EntityState, SanctionRecord } from "./state.js";
import { detailsBasis, entityDetails } from "./state.js";
import type { EntityOnDate, SanctionTimeline } from "./timeline.js";
import { evaluateOn, timelineOf } from "./timeline.js";

/**
 * The read model of point-in-time answers. An entity's fold is cut in three so that a read
 * for a day D costs the same whatever the length of the history:
 *
 * - the **head**: the version, the timelines of the sanctions still open-ended (no end
 *   yet), which may matter on any day from their start on, and of those whose span covers
 *   more than {@link MAX_PAGE_YEARS} calendar years, and the versions of the details and
 *   pages filed with it;
 * - the **details**, kept apart because only entity events change them;
 * - one **year page** per calendar year: the timelines of the other sanctions that have an
 *   end, in the page of every year their span `[start, end)` overlaps.
 *
 * The answer on D is the head, the details and the page of D's year, evaluated as `entityOn` evaluates
 * the whole fold: a sanction matters on D only if D lies in its span, so no other page can
 * hold one. Heads and pages are kept in versions by the `recordedAt` of the event that made
 * them, so the answer as known at a moment is read the same way.
 */

/** A sanction's timeline with the version of its imposition, which orders the answer. */
export interface PagedTimeline extends SanctionTimeline {
  version: number;
}

/**
 * The part of the fold that every point-in-time answer needs besides the details and one
 * page: it names the versions of those that belong with it, so that a reader can tell a
 * details record or a page written by another event from the one this head was filed with.
 * The entity, the version and its `recordedAt` are the record's key, version and moment.
 */
export interface EntityHead {
  headHash: string;
  /** The version of the details record that goes with this head (0: none, not registered). */
  detailsVersion: number;
  /** The version of each year page's content that goes with this head, by year. */
  pages: Record<string, number>;
  /** The sanctions in no page (without an end, or spanning too many years), in imposition order. */
  unpaged: PagedTimeline[];
}

/** The entity's details as a record of the read model, kept apart from the head. */
export interface DetailsRecord {
  /** Null while the entity is not registered. */
  details: EntityDetails | null;
  basis: number[];
}

/** The calendar year of a day. */
export function yearOf(day: IsoDate): number {
  return Number(day.slice(0, 4));
}

/**
 * The first day on which the sanction matters: announced, in effect, in force, or
 * undetermined; null when it matters on every day before its start (undetermined since
 * ever).
 */
function spanStart(t: SanctionTimeline): IsoDate | null {
  if (t.undetermined && t.undetermined.since === null) return null;
  // ISO dates order as strings: the earliest is the first in sort order.
  const marks = [t.announcedOn, t.effectiveFrom, t.intervals[0]?.from ?? t.effectiveFrom];
  if (t.undetermined?.since) marks.push(t.undetermined.since);
  return marks.sort()[0] as IsoDate;
}

/**
 * The most calendar years an ended sanction's span may touch and still be kept in pages;
 * one spanning more stays in the head. It bounds the pages one event writes: an event
 * changes one sanction, and so at most twice this many pages.
 */
export const MAX_PAGE_YEARS = 10;

/**
 * Where the read model keeps a sanction: `"head"` while it is open-ended, undetermined on
 * every day before its start, or spans more than {@link MAX_PAGE_YEARS} years; else the years whose pages hold it, every year its
 * span `[start, end)` touches (none if that span is empty: it never matters).
 */
export function placement(t: SanctionTimeline): "head" | number[] {
  let known = placed.get(t);
  if (!known) {
    known = [];
    const start = spanStart(t);
    if (t.end === null || start === null) known = "head";
    else if (t.end > start) {
      const [first, last] = [yearOf(start), yearOf(addDays(t.end, -1))];
      if (last - first + 1 > MAX_PAGE_YEARS) known = "head";
      else for (let y = first; y <= last; y++) known.push(y);
    }
    placed.set(t, known);
  }
  return known;
}

/** The years whose pages hold the sanction (none when the head holds it). */
export function pageYears(t: SanctionTimeline): number[] {
  const where = placement(t);
  return where === "head" ? [] : where;
}

// Timelines and records never change once made: what is derived from them is kept.
const placed = new WeakMap<SanctionTimeline, "head" | number[]>();
const pagedOf = new WeakMap<SanctionRecord, PagedTimeline>();

function paged(s: SanctionRecord): PagedTimeline {
  let known = pagedOf.get(s);
  if (!known) {
    known = { ...timelineOf(s), version: s.version };
    pagedOf.set(s, known);
  }
  return known;
}

/** The head of the read model for a fold, with the versions of its details and pages. */
export function headOf(
  state: EntityState,
  detailsVersion: number,
  pages: Record<string, number>,
): EntityHead {
  return {
    headHash: state.headHash,
    detailsVersion,
    pages,
    unpaged: state.sanctions.filter((s) => placement(timelineOf(s)) === "head").map(paged),
  };
}

/** The details record for a fold. */
export function detailsOf(state: EntityState): DetailsRecord {
  return { details: entityDetails(state) ?? null, basis: detailsBasis(state) };
}

/** The page of one year for a fold: the sanctions with an end whose span touches it. */
export function pageOf(state: EntityState, year: number): PagedTimeline[] {
  return state.sanctions.filter((s) => pageYears(timelineOf(s)).includes(year)).map(paged);
}

/**
 * The pages that the step from `before` to `after` (one event) changes, with their new
 * content: those of every sanction record the event replaced, added or removed, before and
 * after. A page that empties is listed too, with no sanctions, so that it reads as empty
 * from then on.
 */
export function changedPages(
  before: EntityState,
  after: EntityState,
): Map<number, PagedTimeline[]> {
  const kept = new Set(after.sanctions);
  const was = new Set(before.sanctions);
  const years = new Set<number>();
  for (const s of before.sanctions) {
    if (!kept.has(s)) for (const y of pageYears(timelineOf(s))) years.add(y);
  }
  for (const s of after.sanctions) {
    if (!was.has(s)) for (const y of pageYears(timelineOf(s))) years.add(y);
  }
  return new Map([...years].sort((a, b) => a - b).map((y) => [y, pageOf(after, y)]));
}

/**
 * The entity on `day` from its head (of the entity and version `at`), its details and the
 * page of `day`'s year: the same answer as `entityOn` over the whole fold. Undefined if the
 * entity is not registered.
 */
export function entityOnPage(
  at: { entityId: string; version: number },
  head: EntityHead,
  details: DetailsRecord,
  page: readonly PagedTimeline[],
  day: IsoDate,
): EntityOnDate | undefined {
  if (!details.details) return undefined;
  const sanctions = [...head.unpaged, ...page].sort((a, b) => a.version - b.version);
  return evaluateOn(at.entityId, details.details, details.basis, at.version, sanctions, day);
}
