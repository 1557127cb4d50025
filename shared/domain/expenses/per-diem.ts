/** Per diem: a daily allowance per country (and optionally city), configured by the company, dated. */
import { z } from 'zod';
import { addMoney, divideRounded, type Money, money, moneyFromJson } from '../money.ts';
import { moneyJsonSchema, type PerDiemClaim } from './expense.ts';

export const perDiemRatesSchema = z.object({
  rates: z.array(
    z.object({
      country: z.string().regex(/^[A-Z]{2}$/),
      /** null: the country's default; a city rate wins over it. */
      city: z.string().min(1).nullable(),
      validFrom: z.iso.date(),
      fullDay: moneyJsonSchema,
      /** Absent: half the full day, rounded half-up to the minor unit. */
      halfDay: moneyJsonSchema.optional(),
    }),
  ),
});
export type PerDiemRates = z.infer<typeof perDiemRatesSchema>;

export class NoPerDiemRateError extends Error {
  override readonly name = 'NoPerDiemRateError';
}

const sameCity = (a: string, b: string) => a.localeCompare(b, 'fr', { sensitivity: 'base' }) === 0;

/** The rate in force on the claim's first day: the city's when configured, else the country's; latest validFrom. */
export const perDiemRate = (rates: PerDiemRates, claim: Pick<PerDiemClaim, 'country' | 'city' | 'startsOn'>) => {
  const inForce = rates.rates
    .filter((r) => r.country === claim.country && r.validFrom <= claim.startsOn)
    .sort((a, b) => b.validFrom.localeCompare(a.validFrom));
  const city = claim.city;
  const rate =
    (city ? inForce.find((r) => r.city !== null && sameCity(r.city, city)) : undefined) ??
    inForce.find((r) => r.city === null);
  if (!rate) {
    throw new NoPerDiemRateError(`no per diem rate for ${claim.country}${city ? `/${city}` : ''} on ${claim.startsOn}`);
  }
  return rate;
};

export const perDiemAllowance = (rates: PerDiemRates, claim: PerDiemClaim): Money => {
  const rate = perDiemRate(rates, claim);
  const full = moneyFromJson(rate.fullDay);
  const half = rate.halfDay
    ? moneyFromJson(rate.halfDay)
    : money(divideRounded(full.minor, 2n, 'half-up'), full.currency);
  return addMoney(
    money(full.minor * BigInt(claim.fullDays), full.currency),
    money(half.minor * BigInt(claim.halfDays), half.currency),
  );
};
