/**
 * The French barème kilométrique for cars (barème forfaitaire des frais de véhicule, CGI art. 83-3°), as dated data.
 *
 * Source: the scale the tax administration publishes (BOFiP, BOI-BAREME-000001), values published in 2024. They are
 * the 2023 revaluation (+5.4 %, revenus 2022), kept unchanged in 2024 (revenus 2023) and in 2025 (revenus 2024);
 * the table used for 2025 revenues was unchanged as well. Fully electric cars get +20 % on the result. One table
 * therefore serves fiscal years 2022 to 2025; a year with new values adds an entry here.
 *
 * Each band: amount = d × rate + fixed, with d the year's professional kilometres. Rates are in thousandths of a
 * euro per km ("0.529" → 529) and fixed parts in whole euros, so the computation stays in integers.
 */
export interface MileageBand {
  /** Inclusive upper bound of the band in km; null for the last band. */
  upToKm: number | null;
  /** € per km × 1000. */
  rateMilli: number;
  /** Whole euros added in this band. */
  fixedEuros: number;
}

export interface MileageScale {
  /** Fiscal years this table applies to. */
  fiscalYears: readonly number[];
  source: string;
  /** Fiscal horsepower 3 (and below) … 7 (and above) → three bands (≤ 5 000 km, 5 001–20 000 km, > 20 000 km). */
  byHorsepower: Readonly<Record<3 | 4 | 5 | 6 | 7, readonly MileageBand[]>>;
  /** Percent added for fully electric cars. */
  electricBonusPercent: number;
}

const bands = (a1: number, a2: number, b2: number, a3: number): MileageBand[] => [
  { upToKm: 5000, rateMilli: a1, fixedEuros: 0 },
  { upToKm: 20000, rateMilli: a2, fixedEuros: b2 },
  { upToKm: null, rateMilli: a3, fixedEuros: 0 },
];

export const CAR_SCALE_2024: MileageScale = {
  fiscalYears: [2022, 2023, 2024, 2025],
  source: 'BOI-BAREME-000001, barème published 2024 (2023 revaluation, unchanged through revenus 2025)',
  byHorsepower: {
    3: bands(529, 316, 1065, 370),
    4: bands(606, 340, 1330, 407),
    5: bands(636, 357, 1395, 427),
    6: bands(665, 374, 1457, 447),
    7: bands(697, 394, 1515, 470),
  },
  electricBonusPercent: 20,
};

export const MILEAGE_SCALES: readonly MileageScale[] = [CAR_SCALE_2024];
