/**
 * Dates as printed on receipts: numeric (day-first or month-first, 2- or 4-digit years), ISO, and with English or
 * French month names. The order of an ambiguous numeric date comes from the country/currency, then plausibility.
 */

export type DateOrder = 'dmy' | 'mdy';

export interface DateToken {
  /** YYYY-MM-DD */
  readonly iso: string;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Both day-first and month-first readings were valid and differ. */
  readonly ambiguous: boolean;
  /** 0..1: how sure we are this is the date that was printed. */
  readonly confidence: number;
}

export interface DateOptions {
  order?: DateOrder;
  /** Reference "now" (plausibility: receipts are not from the future nor from long ago). */
  now?: Date;
}

const MONTHS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(?:jan(?:uary|vier|v)?)$/i, 1],
  [/^(?:feb(?:ruary)?|f[ée]vr?(?:ier)?)$/i, 2],
  [/^(?:mar(?:ch|s)?)$/i, 3],
  [/^(?:apr(?:il)?|avr(?:il)?)$/i, 4],
  [/^(?:may|mai)$/i, 5],
  [/^(?:jun(?:e)?|juin)$/i, 6],
  [/^(?:jul(?:y)?|juil(?:let)?)$/i, 7],
  [/^(?:aug(?:ust)?|ao[uû]t?)$/i, 8],
  [/^(?:sep(?:t(?:ember|embre)?)?)$/i, 9],
  [/^(?:oct(?:ober|obre)?)$/i, 10],
  [/^(?:nov(?:ember|embre)?)$/i, 11],
  [/^(?:dec(?:ember)?|d[ée]c(?:embre)?)$/i, 12],
];
const MONTH_WORD =
  '(?:jan(?:uary|vier|v)?|feb(?:ruary)?|f[ée]vr?(?:ier)?|mar(?:ch|s)?|apr(?:il)?|avr(?:il)?|may|mai|june?|juin|july?|juil(?:let)?|aug(?:ust)?|ao[uû]t?|sept?(?:ember|embre)?|oct(?:ober|obre)?|nov(?:ember|embre)?|d[ée]c(?:ember|embre)?)';

export const monthFromWord = (word: string): number | undefined => {
  for (const [re, n] of MONTHS) if (re.test(word.replace(/\.$/, ''))) return n;
  return undefined;
};

const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

export const isValidDate = (y: number, m: number, d: number): boolean =>
  Number.isInteger(y) && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
export const toIso = (y: number, m: number, d: number): string => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

const expandYear = (y: string, now: Date): number => {
  if (y.length === 4) return Number(y);
  const n = Number(y);
  const century = Math.floor(now.getUTCFullYear() / 100) * 100;
  // 2-digit years: the closest year not more than a year in the future.
  return century + n > now.getUTCFullYear() + 1 ? century - 100 + n : century + n;
};

/** How plausible a receipt date is relative to now: 1 for the last few years, lower far away or in the future. */
const plausibility = (iso: string, now: Date): number => {
  const t = Date.parse(`${iso}T00:00:00Z`);
  const days = (now.getTime() - t) / 86_400_000;
  if (days < -2) return days < -400 ? 0.1 : 0.4;
  if (days > 365 * 30) return 0.2;
  if (days > 365 * 15) return 0.5;
  // Expense receipts are recent: older than six years is possible (a misread year is likelier).
  if (days > 365 * 6) return 0.6;
  return 1;
};

/**
 * An impossible 4-digit year (after next year, or before 1990) that is one digit away from exactly one recent year
 * (the last five years up to next year) is read as that year: OCR confuses digits ("2617" for 2017, "2087" for 2017,
 * "2518" for 2018). Failing that, a 4-digit year whose last two digits are a recent year is that year ("7118" for
 * 2018). A year that is merely old (2009) is left alone. Undefined when there is no single repair.
 */
export const repairYear = (year: number, now: Date): number | undefined => {
  const current = now.getUTCFullYear();
  if (year >= 1990 && year <= current + 1) return undefined;
  const s = String(year).padStart(4, '0');
  const found: number[] = [];
  for (let y = current - 5; y <= current + 1; y++) {
    const t = String(y);
    let diff = 0;
    for (let i = 0; i < 4; i++) if (t[i] !== s[i]) diff++;
    if (diff === 1) found.push(y);
  }
  if (found.length === 1) return found[0];
  // "7118": the century misread, the last two digits a recent year.
  const yy = 2000 + (year % 100);
  return found.length === 0 && year >= 1000 && yy >= current - 5 && yy <= current + 1 ? yy : undefined;
};

const NUM_DATE = /(?<![A-Za-z\d.,/-])(\d{1,2})\s?([/.-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d]|[.,]\d)/g;
const ISO_DATE = /(?<![\d.,])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?![\d])/g;
const DAY_MONTH_WORD = new RegExp(
  String.raw`(?<![\d])(\d{1,2})(?:er|st|nd|rd|th)?[\s./-]*(${MONTH_WORD})\.?[\s./,-]*(\d{4}|\d{2})(?![\d])`,
  'gi',
);
const MONTH_WORD_DAY = new RegExp(
  String.raw`(?<![A-Za-z])(${MONTH_WORD})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?![\d])`,
  'gi',
);

/** Finds every date in a line of text. */
export const findDates = (text: string, opts: DateOptions = {}): DateToken[] => {
  const now = opts.now ?? new Date();
  const order = opts.order ?? 'dmy';
  const out: DateToken[] = [];
  const taken: Array<[number, number]> = [];
  const push = (t: DateToken): void => {
    if (taken.some(([a, b]) => t.start < b && t.end > a)) return;
    taken.push([t.start, t.end]);
    out.push(t);
  };

  for (const m of text.matchAll(ISO_DATE)) {
    const [whole, y = '', , mo = '', d = ''] = m;
    const repaired = repairYear(Number(y), now);
    const year = repaired ?? Number(y);
    if (!isValidDate(year, Number(mo), Number(d))) continue;
    const iso = toIso(year, Number(mo), Number(d));
    const start = m.index ?? 0;
    const confidence = plausibility(iso, now) * (repaired ? 0.8 : 1);
    push({ iso, text: whole, start, end: start + whole.length, ambiguous: false, confidence });
  }
  for (const m of text.matchAll(DAY_MONTH_WORD)) {
    const [whole, d = '', mw = '', y = ''] = m;
    const month = monthFromWord(mw);
    const year = expandYear(y, now);
    if (!month || !isValidDate(year, month, Number(d))) continue;
    const iso = toIso(year, month, Number(d));
    const start = m.index ?? 0;
    push({ iso, text: whole, start, end: start + whole.length, ambiguous: false, confidence: plausibility(iso, now) });
  }
  for (const m of text.matchAll(MONTH_WORD_DAY)) {
    const [whole, mw = '', d = '', y = ''] = m;
    const month = monthFromWord(mw);
    if (!month || !isValidDate(Number(y), month, Number(d))) continue;
    const iso = toIso(Number(y), month, Number(d));
    const start = m.index ?? 0;
    push({ iso, text: whole, start, end: start + whole.length, ambiguous: false, confidence: plausibility(iso, now) });
  }
  for (const m of text.matchAll(NUM_DATE)) {
    const [whole, a = '', sep = '', b = '', y = ''] = m;
    // "12.50.20" style decimals are not dates; a 2-digit year with '.' is fine ("24.03.18").
    const repaired = y.length === 4 ? repairYear(Number(y), now) : undefined;
    const year = repaired ?? expandYear(y, now);
    const dmy = isValidDate(year, Number(b), Number(a)) ? toIso(year, Number(b), Number(a)) : undefined;
    const mdy = isValidDate(year, Number(a), Number(b)) ? toIso(year, Number(a), Number(b)) : undefined;
    if (!dmy && !mdy) continue;
    const preferred = order === 'dmy' ? dmy : mdy;
    const other = order === 'dmy' ? mdy : dmy;
    let iso = preferred ?? other ?? '';
    const ambiguous = Boolean(dmy && mdy && dmy !== mdy);
    let confidence = plausibility(iso, now);
    if (ambiguous && other) {
      const po = plausibility(other, now);
      // Only a future date is reason enough to read against the country's order.
      const future = (iso: string): boolean => Date.parse(`${iso}T00:00:00Z`) - now.getTime() > 2 * 86_400_000;
      if (future(iso) && !future(other)) {
        iso = other;
        confidence = po;
      }
      confidence *= 0.9;
    }
    if (y.length === 2) confidence *= 0.97;
    if (repaired) confidence *= 0.8;
    if (sep === '.' && y.length === 2) confidence *= 0.9;
    if (sep !== '/' && /\s/.test(whole)) confidence *= 0.5;
    const start = m.index ?? 0;
    push({ iso, text: whole, start, end: start + whole.length, ambiguous, confidence });
  }
  return out.sort((x, y) => x.start - y.start);
};

/** The date order a receipt most likely uses, from the country first, then the currency. */
export const dateOrderFor = (country?: string, currency?: string): DateOrder => {
  const c = country?.toUpperCase();
  if (c) return c === 'US' || c === 'PH' || c === 'FM' ? 'mdy' : 'dmy';
  return currency?.toUpperCase() === 'USD' ? 'mdy' : 'dmy';
};

/**
 * Compact dates without separators ("25032018", "20180428"), only trusted next to a time or a DATE label: alone, an
 * 8-digit number is more often a reference.
 */
export const findCompactDates = (text: string, opts: DateOptions = {}): DateToken[] => {
  const now = opts.now ?? new Date();
  if (!/\d{1,2}:\d{2}|\bDATE\b/i.test(text)) return [];
  const out: DateToken[] = [];
  for (const m of text.matchAll(/(?<![\d/.-])(\d{8})(?![\d/.-])/g)) {
    const s = m[1] ?? '';
    const candidates: Array<[number, number, number]> = [
      [Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8))],
      [Number(s.slice(4, 8)), Number(s.slice(2, 4)), Number(s.slice(0, 2))],
    ];
    for (const [y, mo, d] of candidates) {
      if (y < 1990 || y > now.getUTCFullYear() + 1 || !isValidDate(y, mo, d)) continue;
      const iso = toIso(y, mo, d);
      const start = m.index ?? 0;
      out.push({ iso, text: s, start, end: start + 8, ambiguous: false, confidence: 0.7 * plausibility(iso, now) });
      break;
    }
  }
  return out;
};
