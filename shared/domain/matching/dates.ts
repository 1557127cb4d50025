/** Calendar helpers on epoch days (UTC), without Date objects in hot paths. */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})/;

/** Days since 1970-01-01 for a YYYY-MM-DD date (or the date part of an ISO instant taken literally). */
export const epochDay = (date: string): number => {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`invalid date "${date}"`);
  return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000);
};

/** Milliseconds since the epoch for an ISO 8601 instant; a bare date means midnight UTC. */
export const epochMs = (iso: string): number => {
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(ms)) throw new RangeError(`invalid instant "${iso}"`);
  return ms;
};

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Formats an epoch day as YYYY-MM-DD. */
export const dayToDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * The merchant-local calendar days an instant can fall on, across every time zone in use (UTC−12 … UTC+14):
 * [first, last], one or two days.
 */
export const localDaySpan = (ms: number): readonly [number, number] => [
  Math.floor((ms - 12 * HOUR_MS) / DAY_MS),
  Math.floor((ms + 14 * HOUR_MS) / DAY_MS),
];
