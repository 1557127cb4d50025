/** French public holidays (jours fériés, Code du travail art. L3133-1) for any Gregorian year, as YYYY-MM-DD. */

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher): month 1-12 and day. */
export const easterSunday = (year: number): { month: number; day: number } => {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
};

const plusDays = (year: number, month: number, day: number, days: number) => {
  const t = new Date(Date.UTC(year, month - 1, day + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
};

/**
 * The eleven national holidays; `alsaceMoselle` adds Good Friday and 26 December (local law of Bas-Rhin, Haut-Rhin
 * and Moselle). Returned sorted, with their names.
 */
export const frenchPublicHolidays = (
  year: number,
  options: { alsaceMoselle?: boolean } = {},
): { date: string; name: string }[] => {
  if (!Number.isInteger(year) || year < 1583) throw new RangeError('a Gregorian year is needed');
  const easter = easterSunday(year);
  const fromEaster = (days: number) => plusDays(year, easter.month, easter.day, days);
  const list = [
    { date: iso(year, 1, 1), name: "Jour de l'an" },
    { date: fromEaster(1), name: 'Lundi de Pâques' },
    { date: iso(year, 5, 1), name: 'Fête du Travail' },
    { date: iso(year, 5, 8), name: 'Victoire 1945' },
    { date: fromEaster(39), name: 'Ascension' },
    { date: fromEaster(50), name: 'Lundi de Pentecôte' },
    { date: iso(year, 7, 14), name: 'Fête nationale' },
    { date: iso(year, 8, 15), name: 'Assomption' },
    { date: iso(year, 11, 1), name: 'Toussaint' },
    { date: iso(year, 11, 11), name: 'Armistice 1918' },
    { date: iso(year, 12, 25), name: 'Noël' },
  ];
  if (options.alsaceMoselle) {
    list.push({ date: fromEaster(-2), name: 'Vendredi saint' }, { date: iso(year, 12, 26), name: 'Saint Étienne' });
  }
  return list.sort((a, b) => a.date.localeCompare(b.date));
};

/** The holiday's name when `date` (YYYY-MM-DD) is a French public holiday, else null. */
export const frenchPublicHoliday = (date: string, options: { alsaceMoselle?: boolean } = {}): string | null =>
  frenchPublicHolidays(Number(date.slice(0, 4)), options).find((h) => h.date === date)?.name ?? null;

/** 0 = Sunday … 6 = Saturday, for a calendar date (no time zone involved). */
export const dayOfWeek = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

export const isWeekend = (date: string): boolean => {
  const d = dayOfWeek(date);
  return d === 0 || d === 6;
};

/** Whole days from `from` to `to` (YYYY-MM-DD), negative when `to` is earlier. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
