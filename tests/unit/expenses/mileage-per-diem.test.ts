import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MileageClaim } from '../../../shared/domain/expenses/expense.ts';
import {
  annualMileageAllowanceCents,
  mileageAllowance,
  UnknownMileageScaleError,
} from '../../../shared/domain/expenses/mileage.ts';
import { CAR_SCALE_2024 } from '../../../shared/domain/expenses/mileage-scale.ts';
import { NoPerDiemRateError, perDiemAllowance, perDiemRatesSchema } from '../../../shared/domain/expenses/per-diem.ts';
import { formatMoney } from '../../../shared/domain/money.ts';

const trip = (over: Partial<MileageClaim>): MileageClaim => ({
  fiscalYear: 2025,
  fiscalHorsepower: 5,
  electric: false,
  distanceKm: 100,
  priorDistanceKm: 0,
  from: 'Nantes',
  to: 'Rennes',
  ...over,
});

describe('mileage (barème kilométrique)', () => {
  it.each([
    // [CV, annual km, electric, expected €] — values from the published formulas, computed by hand
    [3, 4000, false, '2116.00'], // 4000 × 0.529
    [5, 10000, false, '4965.00'], // 10000 × 0.357 + 1395
    [7, 25000, false, '11750.00'], // 25000 × 0.470
    [4, 5000, false, '3030.00'], // last km of band 1: 5000 × 0.606
    [4, 5001, false, '3030.34'], // first km of band 2: 5001 × 0.340 + 1330 = 3030.34
    [6, 20000, false, '8937.00'], // 20000 × 0.374 + 1457
    [4, 3000, true, '2181.60'], // 3000 × 0.606 × 1.2
    [3, 3, false, '1.59'], // 1.587 rounded half-up
    [2, 1000, false, '529.00'], // below 3 CV uses the 3 CV row
    [11, 1000, false, '697.00'], // above 7 CV uses the 7 CV row
  ])('%i CV, %i km, electric %s → %s €', (cv, km, electric, expected) => {
    const cents = annualMileageAllowanceCents(CAR_SCALE_2024, cv, km, electric);
    expect(formatMoney({ minor: cents, currency: 'EUR' })).toBe(expected);
  });

  it('prices a trip as the difference of the annual amounts, across a band boundary', () => {
    // f(5100) − f(4900) = (5100 × 0.316 + 1065) − 4900 × 0.529 = 2676.60 − 2592.10
    const m = mileageAllowance(trip({ fiscalHorsepower: 3, priorDistanceKm: 4900, distanceKm: 200 }));
    expect(formatMoney(m)).toBe('84.50');
    expect(m.currency).toBe('EUR');
  });

  it('adds up the trips of a year exactly to the annual amount', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        (trips, cv, electric) => {
          let prior = 0;
          let sum = 0n;
          for (const d of trips) {
            sum += mileageAllowance(
              trip({ fiscalHorsepower: cv, electric, priorDistanceKm: prior, distanceKm: d }),
            ).minor;
            prior += d;
          }
          expect(sum).toBe(annualMileageAllowanceCents(CAR_SCALE_2024, cv, prior, electric));
        },
      ),
    );
  });

  it('knows which fiscal years its table covers', () => {
    expect(() => mileageAllowance(trip({ fiscalYear: 2019 }))).toThrow(UnknownMileageScaleError);
    expect(mileageAllowance(trip({ fiscalYear: 2024 }))).toEqual(mileageAllowance(trip({ fiscalYear: 2025 })));
  });
});

describe('per diem', () => {
  const rates = perDiemRatesSchema.parse({
    rates: [
      { country: 'FR', city: null, validFrom: '2025-01-01', fullDay: { amount: '60.00', currency: 'EUR' } },
      { country: 'FR', city: 'Paris', validFrom: '2025-01-01', fullDay: { amount: '90.00', currency: 'EUR' } },
      { country: 'FR', city: 'Paris', validFrom: '2026-01-01', fullDay: { amount: '95.00', currency: 'EUR' } },
      {
        country: 'GB',
        city: null,
        validFrom: '2025-01-01',
        fullDay: { amount: '75.01', currency: 'EUR' },
        halfDay: { amount: '30.00', currency: 'EUR' },
      },
    ],
  });
  const claim = { city: null, fullDays: 2, halfDays: 1, startsOn: '2026-02-10' };

  it('uses the city rate in force, else the country default', () => {
    expect(formatMoney(perDiemAllowance(rates, { ...claim, country: 'FR', city: 'paris' }))).toBe('237.50'); // 2×95 + 47.50
    expect(
      formatMoney(perDiemAllowance(rates, { ...claim, country: 'FR', city: 'Paris', startsOn: '2025-06-01' })),
    ).toBe('225.00');
    expect(formatMoney(perDiemAllowance(rates, { ...claim, country: 'FR', city: 'Lyon' }))).toBe('150.00');
  });

  it('halves the full day with explicit rounding unless a half-day rate is set', () => {
    expect(formatMoney(perDiemAllowance(rates, { ...claim, country: 'GB', fullDays: 0, halfDays: 1 }))).toBe('30.00');
    const noHalf = perDiemRatesSchema.parse({
      rates: [{ country: 'DE', city: null, validFrom: '2025-01-01', fullDay: { amount: '0.05', currency: 'EUR' } }],
    });
    expect(formatMoney(perDiemAllowance(noHalf, { ...claim, country: 'DE', fullDays: 0, halfDays: 1 }))).toBe('0.03');
  });

  it('refuses a country without a rate', () => {
    expect(() => perDiemAllowance(rates, { ...claim, country: 'ES' })).toThrow(NoPerDiemRateError);
  });
});
