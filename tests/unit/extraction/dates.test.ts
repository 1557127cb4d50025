import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateOrderFor, findCompactDates, findDates, repairYear } from '../../../shared/domain/extraction/dates.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const first = (text: string, order: 'dmy' | 'mdy' = 'dmy'): string | undefined =>
  findDates(text, { order, now: NOW })[0]?.iso;

describe('dates', () => {
  it.each([
    ['Le 14/03/2024 à 12:31', '2024-03-14'],
    ['11/02/18 19 : 21', '2018-02-11'],
    ['DATE:02/02/17 19:46', '2017-02-02'],
    ['24-MAR-2018', '2018-03-24'],
    ['02 APR 2018', '2018-04-02'],
    ['1er mars 2024', '2024-03-01'],
    ['12 févr. 2025', '2025-02-12'],
    ['March 5, 2024', '2024-03-05'],
    ['2024-03-05T10:00', '2024-03-05'],
    ['24.03.18', '2018-03-24'],
  ])('%s → %s', (text, iso) => {
    expect(first(text)).toBe(iso);
  });

  it('uses the order of the country, and plausibility when one reading is impossible', () => {
    expect(first('12/07/2019', 'mdy')).toBe('2019-12-07');
    expect(first('12/07/2019', 'dmy')).toBe('2019-07-12');
    expect(first('25/07/2019', 'mdy')).toBe('2019-07-25'); // month 25 impossible
    expect(dateOrderFor('US')).toBe('mdy');
    expect(dateOrderFor('FR', 'USD')).toBe('dmy');
    expect(dateOrderFor(undefined, 'USD')).toBe('mdy');
    expect(dateOrderFor(undefined, 'EUR')).toBe('dmy');
  });

  it('ignores amounts, times and impossible dates', () => {
    expect(first('TOTAL 12.50')).toBeUndefined();
    expect(first('31/02/2024')).toBeUndefined();
    expect(first('12:30:45')).toBeUndefined();
  });

  it('reads compact dates only next to a time or a DATE label', () => {
    expect(findCompactDates('00440010036 25032018 13:11:54', { now: NOW })[0]?.iso).toBe('2018-03-25');
    expect(findCompactDates('REF 25032018', { now: NOW })).toEqual([]);
  });

  it('round-trips random dates in every printed format (property)', () => {
    const months = [
      'janvier',
      'février',
      'mars',
      'avril',
      'mai',
      'juin',
      'juillet',
      'août',
      'septembre',
      'octobre',
      'novembre',
      'décembre',
    ];
    const en = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2026-05-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 5 }),
        (date, style) => {
          const y = date.getUTCFullYear();
          const m = date.getUTCMonth() + 1;
          const d = date.getUTCDate();
          const p = (n: number): string => String(n).padStart(2, '0');
          const iso = `${y}-${p(m)}-${p(d)}`;
          const printed = [
            `${p(d)}/${p(m)}/${y}`,
            `${p(d)}.${p(m)}.${String(y).slice(2)}`,
            `${y}-${p(m)}-${p(d)}`,
            `${d} ${months[m - 1]} ${y}`,
            `${d}-${en[m - 1]?.toUpperCase()}-${y}`,
            `${p(m)}/${p(d)}/${y}`,
          ][style] as string;
          expect(first(`Date : ${printed} 12:00`, style === 5 ? 'mdy' : 'dmy')).toBe(iso);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('OCR-misread years', () => {
  const at2019 = new Date('2019-06-01T00:00:00Z');
  it('repairs an impossible year one digit away from a single recent year', () => {
    expect(repairYear(2617, at2019)).toBe(2017);
    expect(repairYear(2087, at2019)).toBe(2017);
    expect(repairYear(2518, at2019)).toBe(2018);
    expect(repairYear(1018, at2019)).toBe(2018);
    expect(findDates('Date: 19/10/2617', { now: at2019 })[0]?.iso).toBe('2017-10-19');
    expect(findDates('2518-03-12 10:15', { now: at2019 })[0]?.iso).toBe('2018-03-12');
  });
  it('leaves possible years and ambiguous or distant misreads alone', () => {
    expect(repairYear(2009, at2019)).toBeUndefined(); // old but possible
    expect(repairYear(2019, at2019)).toBeUndefined();
    expect(repairYear(7145, at2019)).toBeUndefined(); // two digits away, and 45 is not a recent year
    expect(repairYear(2010, new Date('2015-06-01T00:00:00Z'))).toBeUndefined();
    expect(findDates('06-05-7145', { now: at2019 })[0]?.iso).toBe('7145-05-06');
  });
  it('reads a misread century with a recent two-digit year as that year', () => {
    expect(repairYear(7118, at2019)).toBe(2018); // no single one-digit repair: the last two digits decide
    expect(repairYear(1917, at2019)).toBe(2017);
    expect(findDates('Date : 06-05-7118 12:43:19', { now: at2019 })[0]?.iso).toBe('2018-05-06');
  });
  it('prefers a recent date to one more than six years old', () => {
    const [old, recent] = findDates('08/10/06 08/10/2017', { now: at2019 });
    expect(old?.iso).toBe('2006-10-08');
    expect(recent?.iso).toBe('2017-10-08');
    expect((recent?.confidence ?? 0) - (old?.confidence ?? 0)).toBeGreaterThan(0.3);
  });
});
