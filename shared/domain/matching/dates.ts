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

/**
 * Milliseconds since the epoch of an ISO 8601 instant, as `epochMs` gives them: `YYYY-MM-DDTHH:MM:SSZ` with every
 * field in range (a day up to 28, valid in every month) is computed as Date.UTC would (the start of its day, from a
 * table for the years 1970–2099, plus the time of day), anything else goes to epochMs.
 */
export const instantMs = (v: string): number => {
  if (isPlainInstant(v)) {
    const y = digits(v, 0, 4);
    // Other years go to epochMs (Date.UTC would read the years 0–99 as 1900–1999).
    if (y < DAY_TABLE_FROM || y >= DAY_TABLE_TO) return epochMs(v);
    const mo = digits(v, 5, 2);
    const d = digits(v, 8, 2);
    // Date.UTC(y, mo − 1, d, h, mi, sec) is the day's start plus the time of day, all exact integers.
    const k = ((y - DAY_TABLE_FROM) * 12 + mo - 1) * 32 + d;
    let start = DAY_START_MS[k] as number;
    if (Number.isNaN(start)) {
      start = Date.UTC(y, mo - 1, d);
      DAY_START_MS[k] = start;
    }
    return start + digits(v, 11, 2) * HOUR_MS + digits(v, 14, 2) * 60_000 + digits(v, 17, 2) * 1000;
  }
  return epochMs(v);
};

/**
 * `YYYY-MM-DDTHH:MM:SSZ` with every field in range and a day up to 28 (valid in every month): the common form of
 * an instant, which Date.parse accepts, checked without a regular expression or a Date (millions of lines in a
 * batch; the reconcile reader's validation uses it too).
 */
export const isPlainInstant = (v: string): boolean => {
  if (
    v.length !== 20 ||
    v.charCodeAt(4) !== 45 ||
    v.charCodeAt(7) !== 45 ||
    v.charCodeAt(10) !== 84 ||
    v.charCodeAt(13) !== 58 ||
    v.charCodeAt(16) !== 58 ||
    v.charCodeAt(19) !== 90
  ) {
    return false;
  }
  const mo = digits(v, 5, 2);
  const d = digits(v, 8, 2);
  const h = digits(v, 11, 2);
  const mi = digits(v, 14, 2);
  const sec = digits(v, 17, 2);
  return (
    digits(v, 0, 4) >= 0 &&
    mo >= 1 &&
    mo <= 12 &&
    d >= 1 &&
    d <= 28 &&
    h >= 0 &&
    h <= 23 &&
    mi >= 0 &&
    mi <= 59 &&
    sec >= 0 &&
    sec <= 59
  );
};

/** Years of DAY_START_MS: [from, to). */
const DAY_TABLE_FROM = 1970;
const DAY_TABLE_TO = 2100;
/** Date.UTC(y, m, d) by ((y − 1970) · 12 + m) · 32 + d, filled on first use (NaN until then). */
const DAY_START_MS = new Float64Array((DAY_TABLE_TO - DAY_TABLE_FROM) * 12 * 32).fill(Number.NaN);

/** The decimal value of `n` digits of `v` from `at`, or −1 when one is not a digit. */
const digits = (v: string, at: number, n: number): number => {
  let x = 0;
  for (let i = at; i < at + n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
};
