import { divideRounded, type Money, money } from '../money.ts';
import type { MileageClaim } from './expense.ts';
import { MILEAGE_SCALES, type MileageScale } from './mileage-scale.ts';

export class UnknownMileageScaleError extends Error {
  override readonly name = 'UnknownMileageScaleError';
}

export const mileageScaleFor = (fiscalYear: number, scales: readonly MileageScale[] = MILEAGE_SCALES): MileageScale => {
  const scale = scales.find((s) => s.fiscalYears.includes(fiscalYear));
  if (!scale) throw new UnknownMileageScaleError(`no kilometric scale for fiscal year ${fiscalYear}`);
  return scale;
};

const horsepowerRow = (cv: number): 3 | 4 | 5 | 6 | 7 => (cv <= 3 ? 3 : cv >= 7 ? 7 : (cv as 4 | 5 | 6));

/**
 * What the scale gives for `annualKm` professional kilometres in the year, in euro cents. Exact integer arithmetic
 * in thousandths of a euro, rounded once, half-up, to the cent (the +20 % for electric cars applied before rounding).
 */
export const annualMileageAllowanceCents = (
  scale: MileageScale,
  fiscalHorsepower: number,
  annualKm: number,
  electric: boolean,
): bigint => {
  if (!Number.isSafeInteger(annualKm) || annualKm < 0) throw new RangeError('kilometres must be a whole number ≥ 0');
  if (annualKm === 0) return 0n;
  const row = scale.byHorsepower[horsepowerRow(fiscalHorsepower)];
  const band = row.find((b) => b.upToKm === null || annualKm <= b.upToKm);
  if (!band) throw new RangeError('the scale has no open-ended last band');
  const milliEuros = BigInt(annualKm) * BigInt(band.rateMilli) + BigInt(band.fixedEuros) * 1000n;
  const percent = 100n + (electric ? BigInt(scale.electricBonusPercent) : 0n);
  return divideRounded(milliEuros * percent, 10n * 100n, 'half-up');
};

/**
 * One trip's allowance: the scale applies to the year's total, so a trip is worth f(before + trip) − f(before).
 * A trip that crosses 5 000 or 20 000 km is priced across both bands, and the trips of a year add up exactly to
 * the annual amount.
 */
export const mileageAllowance = (claim: MileageClaim, scales: readonly MileageScale[] = MILEAGE_SCALES): Money => {
  const scale = mileageScaleFor(claim.fiscalYear, scales);
  const f = (km: number) => annualMileageAllowanceCents(scale, claim.fiscalHorsepower, km, claim.electric);
  return money(f(claim.priorDistanceKm + claim.distanceKm) - f(claim.priorDistanceKm), 'EUR');
};
