import { currencyExponent, divideRounded, formatMoney, type Money } from '../money.ts';
import type { RateSource } from './types.ts';

/** Restaurants, bars, fast food (5812/5813/5814) and taxis / ride hailing (4121): tips are added to the charge. */
export const TIP_TOLERANCE_BPS: Readonly<Record<string, number>> = {
  '5812': 3000,
  '5813': 3000,
  '5814': 2000,
  '4121': 2500,
};

const TIP_LABEL: Readonly<Record<string, string>> = {
  '5812': 'restaurant',
  '5813': 'bar',
  '5814': 'fast-food',
  '4121': 'taxi',
};

export interface AmountEvidence {
  /** In [0, 1]; 0 = incompatible amounts. */
  readonly score: number;
  readonly reason: string;
  /** True when the amounts are equal to the cent (possibly in the merchant currency). */
  readonly exact: boolean;
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** Percentage a/b − 1 as a float for display and scores (amounts themselves stay bigint). */
const pctOver = (charged: bigint, printed: bigint): number => (Number(charged - printed) / Number(printed)) * 100;

const fmtPct = (p: number): string => `${p >= 0 ? '+' : ''}${p.toFixed(1)} %`;

/** The reason of equal amounts in the card's currency. */
export const AMOUNT_EXACT = 'amount exact';

/** The reason of a charge `pct` % over the printed total, within the tip tolerance of `mcc`. */
export const tipReason = (mcc: string, pct: number): string =>
  `amount within ${TIP_LABEL[mcc]} tip tolerance (${fmtPct(pct)})`;

/**
 * Converts an amount with a decimal rate string, exactly, with half-even rounding to the target's minor unit.
 * Returns null for a malformed rate.
 */
export const convertMoney = (m: Money, rate: string, to: string): Money | null => {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!match) return null;
  const [, whole = '0', frac = ''] = match;
  const num = BigInt(whole + frac);
  if (num === 0n) return null;
  const shift = currencyExponent(to) - currencyExponent(m.currency) - frac.length;
  const minor =
    shift >= 0
      ? m.minor * num * 10n ** BigInt(shift)
      : divideRounded(m.minor * num, 10n ** BigInt(-shift), 'half-even');
  return { minor, currency: to };
};

/** Compares a printed amount with a charged amount in the same currency, tip tolerance by MCC. */
const sameCurrency = (
  printed: Money,
  charged: Money,
  mcc: string,
  label: (() => string) | null,
  explain: boolean,
): AmountEvidence | null => {
  if (printed.minor === charged.minor) {
    return {
      score: 1,
      exact: true,
      reason: !explain ? '' : label === null ? AMOUNT_EXACT : `${label()} = merchant amount`,
    };
  }
  const tipBps = TIP_TOLERANCE_BPS[mcc];
  if (tipBps === undefined) return null;
  const p = abs(printed.minor);
  const c = abs(charged.minor);
  if (c > p && p > 0n && (c - p) * 10_000n <= p * BigInt(tipBps)) {
    const pct = pctOver(c, p);
    const score = 0.9 - 0.15 * (pct / (tipBps / 100));
    if (!explain) return { score, exact: false, reason: '' };
    const what = tipReason(mcc, pct);
    return { score, exact: false, reason: label === null ? what : `${label()}: ${what}` };
  }
  return null;
};

/**
 * Amount evidence between a receipt total and a transaction.
 * - Same currency as the card: exact, or within the tip tolerance of the MCC.
 * - Receipt in the merchant currency: compared with the transaction's merchant amount (exact or tip).
 * - Otherwise, with a rate source: the card amount may exceed the converted total by up to `maxFxFeeBps`
 *   (card FX fee) and be below it by 1 % (rate of a neighbouring day).
 * Returns null when the amounts are incompatible (or not comparable). With `explain` false the score is the same
 * and the reason is left empty (batch scoring explains only the pairs it prints).
 */
export const amountEvidence = (
  total: Money,
  amount: Money,
  merchantAmount: Money | null,
  mcc: string,
  date: string,
  rateSource: RateSource | null,
  maxFxFeeBps: number,
  explain = true,
): AmountEvidence | null => {
  if (total.minor < 0n !== amount.minor < 0n) return null;
  if (total.currency === amount.currency) {
    const direct = sameCurrency(total, amount, mcc, null, explain);
    if (direct) return direct;
  }
  if (merchantAmount !== null && merchantAmount.currency === total.currency && total.currency !== amount.currency) {
    const label = (): string => `foreign currency: receipt ${formatMoney(total)} ${total.currency}`;
    return sameCurrency(total, merchantAmount, mcc, label, explain);
  }
  if (total.currency !== amount.currency && rateSource !== null) {
    const rate = rateSource(total.currency, amount.currency, date);
    if (rate === null) return null;
    const converted = convertMoney(total, rate, amount.currency);
    if (converted === null || converted.minor === 0n) return null;
    const p = abs(converted.minor);
    const c = abs(amount.minor);
    // Tips abroad: allow the MCC's tip on top of the fee.
    const tipBps = BigInt(TIP_TOLERANCE_BPS[mcc] ?? 0);
    const over = (c - p) * 10_000n;
    if (over <= p * (BigInt(maxFxFeeBps) + tipBps) && over >= -p * 100n) {
      const pct = pctOver(c, p);
      const inFee = over <= p * BigInt(maxFxFeeBps);
      const score = inFee ? 0.85 - 0.1 * Math.max(0, pct / (maxFxFeeBps / 100)) : 0.7;
      if (!explain) return { score, exact: false, reason: '' };
      const what = inFee ? `card FX fee ${fmtPct(pct)}` : `FX fee + tip ${fmtPct(pct)}`;
      return {
        score,
        exact: false,
        reason: `foreign currency: receipt ${formatMoney(total)} ${total.currency} ≈ ${formatMoney(converted)} ${amount.currency} at ${rate} (${what})`,
      };
    }
  }
  return null;
};
