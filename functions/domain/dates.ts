import type { IsoDate, Timestamp } from "./events.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** RFC 3339 `date-time`: `T` and `Z` in either case, any fraction, `Z` or a `±hh:mm` offset. */
const RFC3339 =
  /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/** The ledger's own form of a moment: UTC with milliseconds. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Milliseconds since the epoch of a day, for any year (Date.UTC reads 0–99 as 1900–1999). */
function dayMs(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** The first and the last moment a ledger timestamp can name (years 0001 to 9999, UTC). */
const EARLIEST = dayMs(1, 1, 1);
const LATEST = dayMs(10_000, 1, 1) - 1;

/** True for a real calendar date in `YYYY-MM-DD` form, year 0001 to 9999 (`2022-02-30` is not one). */
export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const date = new Date(dayMs(y, mo, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * The moment an RFC 3339 timestamp names, in milliseconds since the epoch, or undefined if it
 * is none: a real calendar day, hours 00–23 (`T24:00:00` is refused), minutes and offsets
 * 00–59, seconds 00–59 or a leap second 60 (read as the last millisecond before the next
 * minute, so that it never counts what was recorded after it). Fractions beyond the
 * millisecond are cut, never rounded up: `knownAt` counts what was recorded at or before it.
 */
export function rfc3339Ms(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, day, hh, mm, ss, fraction, zulu, sign, oh, om] = m;
  if (!day || !isIsoDate(day)) return undefined;
  const [h, min, s] = [Number(hh), Number(mm), Number(ss)];
  if (h > 23 || min > 59 || s > 60) return undefined;
  const offset = zulu ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (!zulu && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
  const ms = s === 60 ? 59_999 : s * 1000 + Number((fraction ?? "").slice(0, 3).padEnd(3, "0"));
  const at = dayMs(y, mo, d) + (h * 60 + min) * 60_000 + ms - offset * 60_000;
  return at >= EARLIEST && at <= LATEST ? at : undefined;
}

/** True for an RFC 3339 timestamp whose moment lies in the years 0001 to 9999 (UTC). */
export function isTimestamp(value: string): boolean {
  return rfc3339Ms(value) !== undefined;
}

/** True for a timestamp in the ledger's canonical form, `2022-03-26T09:15:02.123Z`. */
export function isCanonicalTimestamp(value: string): boolean {
  return CANONICAL.test(value) && isTimestamp(value);
}

/**
 * The timestamp in the ledger's canonical form: UTC with milliseconds. Any RFC 3339
 * timestamp is read (see {@link rfc3339Ms}); other text is read as `Date.parse` reads it.
 */
export function normalizeTimestamp(value: Timestamp): Timestamp {
  return new Date(rfc3339Ms(value) ?? Date.parse(value)).toISOString();
}

/** The calendar date (UTC) of a moment. */
export function dateOf(moment: Date): IsoDate {
  return moment.toISOString().slice(0, 10);
}

/** The day after `date`. */
export function nextDay(date: IsoDate): IsoDate {
  return addDays(date, 1);
}

/** The day before `date`. */
export function previousDay(date: IsoDate): IsoDate {
  return addDays(date, -1);
}

/** The first moment of a day (UTC), as the ledger writes moments. */
export function startOf(day: IsoDate): Timestamp {
  return `${day}T00:00:00.000Z`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const ms = Date.parse(startOf(date)) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The earlier of two optional ends; `null` stands for "open". */
export function minEnd(a: IsoDate | null, b: IsoDate | null): IsoDate | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** Whether `day` lies in the half-open interval `[from, until)`; `until` null is open. */
export function within(day: IsoDate, from: IsoDate, until: IsoDate | null): boolean {
  return from <= day && (until === null || day < until);
}
