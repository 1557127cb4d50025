import { currencyExponent } from '../money.ts';

/** A rate string read once for conversions from one currency to another (see convertMoney). */
export interface ParsedRate {
  readonly rate: string;
  /** The rate's digits as an integer (rate · 10^decimals), or −1 when malformed, zero or too large to be exact. */
  readonly num: number;
  /** Decimal shift of the conversion: exponent(to) − exponent(from) − decimals. */
  readonly shift: number;
}

const RATE_RE = /^(\d+)(?:\.(\d+))?$/;

export const parseRate = (rate: string, from: string, to: string): ParsedRate => {
  const match = RATE_RE.exec(rate.trim());
  if (!match) return { rate, num: -1, shift: 0 };
  const [, whole = '0', frac = ''] = match;
  const num = Number(whole + frac);
  return {
    rate,
    num: num > 0 && num <= Number.MAX_SAFE_INTEGER ? num : -1,
    shift: currencyExponent(to) - currencyExponent(from) - frac.length,
  };
};

/**
 * The absolute value of `convertMoney({ minor: ±p }, rate, to).minor` (half-even rounding) computed exactly on
 * floats, or −1 when it cannot be (a malformed or zero rate, or an intermediate value beyond 2^53): the caller then
 * converts with convertMoney.
 */
export const convertedAbs = (p: number, r: ParsedRate): number => {
  if (r.num < 0 || !(p <= Number.MAX_SAFE_INTEGER)) return -1;
  const x = p * r.num;
  if (!(x <= Number.MAX_SAFE_INTEGER)) return -1;
  if (r.shift >= 0) {
    if (r.shift > 15) return -1;
    const y = x * 10 ** r.shift;
    return y <= Number.MAX_SAFE_INTEGER ? y : -1;
  }
  if (-r.shift > 22) return -1;
  const d = 10 ** -r.shift;
  let q = Math.floor(x / d);
  let rest = x - q * d;
  if (rest < 0) {
    q -= 1;
    rest += d;
  } else if (rest >= d) {
    q += 1;
    rest -= d;
  }
  const twice = rest * 2;
  if (twice > d || (twice === d && q % 2 === 1)) q += 1;
  return q;
};
