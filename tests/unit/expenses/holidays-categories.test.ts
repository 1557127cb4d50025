import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoryForMcc, type PastChoice, suggestCategory } from '../../../shared/domain/expenses/categories.ts';
import {
  dayOfWeek,
  easterSunday,
  frenchPublicHoliday,
  frenchPublicHolidays,
} from '../../../shared/domain/expenses/holidays.ts';

describe('French public holidays', () => {
  it.each([
    [1818, '03-22'], // earliest possible
    [1943, '04-25'], // latest possible
    [2000, '04-23'],
    [2024, '03-31'],
    [2025, '04-20'],
    [2026, '04-05'],
    [2038, '04-25'],
  ])('Easter %i is on %s', (year, date) => {
    const e = easterSunday(year);
    expect(`${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`).toBe(date);
  });

  it('lists the eleven holidays of 2025 with the Easter-based ones', () => {
    expect(frenchPublicHolidays(2025).map((h) => h.date)).toEqual([
      '2025-01-01',
      '2025-04-21',
      '2025-05-01',
      '2025-05-08',
      '2025-05-29',
      '2025-06-09',
      '2025-07-14',
      '2025-08-15',
      '2025-11-01',
      '2025-11-11',
      '2025-12-25',
    ]);
  });

  it('adds Good Friday and 26 December in Alsace-Moselle', () => {
    expect(frenchPublicHoliday('2026-04-03')).toBeNull();
    expect(frenchPublicHoliday('2026-04-03', { alsaceMoselle: true })).toBe('Vendredi saint');
    expect(frenchPublicHoliday('2026-12-26', { alsaceMoselle: true })).toBe('Saint Étienne');
  });

  it('puts Easter on a Sunday, Easter Monday on a Monday and Ascension on a Thursday, any year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1583, max: 4099 }), (year) => {
        const pad = (n: number) => String(n).padStart(2, '0');
        const e = easterSunday(year);
        expect(dayOfWeek(`${String(year).padStart(4, '0')}-${pad(e.month)}-${pad(e.day)}`)).toBe(0);
        const list = frenchPublicHolidays(year);
        expect(list).toHaveLength(11);
        expect(dayOfWeek(list.find((h) => h.name === 'Lundi de Pâques')?.date ?? '')).toBe(1);
        expect(dayOfWeek(list.find((h) => h.name === 'Ascension')?.date ?? '')).toBe(4);
      }),
      { numRuns: 200 },
    );
  });
});

describe('category suggestion', () => {
  const base = { type: 'card' as const, employeeId: 'u_alice', history: [] as PastChoice[] };
  const choice = (employeeId: string, category: PastChoice['category'], at = '2026-01-01T00:00:00Z'): PastChoice => ({
    employeeId,
    vendorKey: 'CHEZ PAUL',
    category,
    at,
  });

  it('maps MCCs, including the airline and hotel ranges', () => {
    expect(categoryForMcc('5812')?.category).toBe('meals');
    expect(categoryForMcc('3612')?.category).toBe('hotel');
    expect(categoryForMcc('3005')?.category).toBe('air-travel');
    expect(categoryForMcc('5542')?.category).toBe('fuel');
    expect(categoryForMcc('7372')?.category).toBe('software');
    expect(categoryForMcc('9999')).toBeNull();
    expect(categoryForMcc(null)).toBeNull();
  });

  it('falls back to the MCC, explained', () => {
    expect(suggestCategory({ ...base, merchantName: 'Chez Paul', mcc: '5812' })).toEqual({
      category: 'meals',
      source: 'mcc',
      explanation: 'merchant category code 5812 (restaurant)',
    });
  });

  it('prefers a known vendor over a misleading MCC (Uber Eats is a meal)', () => {
    expect(suggestCategory({ ...base, merchantName: 'UBER *TRIP HELP.UBER.COM', mcc: '4121' })?.category).toBe('taxi');
    const eats = suggestCategory({ ...base, merchantName: 'Uber Eats Paris', mcc: '4121' });
    expect(eats).toMatchObject({ category: 'meals', source: 'vendor' });
  });

  it("uses the company's choices from two agreeing choices, the employee's own from one", () => {
    const history = [choice('u_bob', 'gifts'), choice('u_carol', 'gifts')];
    expect(suggestCategory({ ...base, merchantName: 'Chez Paul', mcc: '5812', history })).toMatchObject({
      category: 'gifts',
      source: 'company-history',
      explanation: 'your colleagues chose gifts 2 times for CHEZ PAUL',
    });
    expect(
      suggestCategory({ ...base, merchantName: 'Chez Paul', mcc: '5812', history: [choice('u_bob', 'gifts')] })?.source,
    ).toBe('mcc');
    const own = [...history, choice('u_alice', 'meals')];
    expect(suggestCategory({ ...base, merchantName: 'chez paul', mcc: null, history: own })).toEqual({
      category: 'meals',
      source: 'employee-history',
      explanation: 'you chose meals 1 time for CHEZ PAUL',
    });
  });

  it('breaks ties by the most recent choice', () => {
    const history = [
      choice('u_alice', 'gifts', '2026-01-01T00:00:00Z'),
      choice('u_alice', 'meals', '2026-02-01T00:00:00Z'),
    ];
    expect(suggestCategory({ ...base, merchantName: 'Chez Paul', mcc: null, history })?.category).toBe('meals');
  });

  it('gives mileage and per diem their own category and nothing when nothing is known', () => {
    expect(suggestCategory({ ...base, type: 'mileage', merchantName: null, mcc: null })?.category).toBe('mileage');
    expect(suggestCategory({ ...base, merchantName: 'ZZZ', mcc: null })).toBeNull();
  });
});
