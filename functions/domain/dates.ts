import type { IsoDate, Timestamp } from "./events.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** True for a real calendar date in `YYYY-MM-DD` form (`2022-02-30` is not one). */
export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return (
    date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && y > 0
  );
}

/** True for a valid UTC timestamp such as `2022-03-26T09:15:02.123Z`. */
export function isTimestamp(value: string): boolean {
  if (!TIMESTAMP.test(value)) return false;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && isIsoDate(value.slice(0, 10));
}

/** The timestamp in the ledger's canonical form, with milliseconds. */
export function normalizeTimestamp(value: Timestamp): Timestamp {
  return new Date(Date.parse(value)).toISOString();
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

export function addDays(date: IsoDate, days: number): IsoDate {
  const ms = Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000;
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
