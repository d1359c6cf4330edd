/** Calendar days as `YYYY-MM-DD` strings, compared as strings and counted in UTC. */

const DAY_MS = 86_400_000;

export function dayNumber(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / DAY_MS;
}

export function dayOf(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return dayOf(dayNumber(day) + n);
}

export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && dayOf(dayNumber(value)) === value;
}

/** Today in UTC, as the API's default `asOf`. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** One millisecond before a timestamp: the moment just before an event was recorded. */
export function justBefore(timestamp: string): string {
  return new Date(Date.parse(timestamp) - 1).toISOString();
}
