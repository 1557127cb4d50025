/**
 * Money is an integer number of minor units plus an ISO 4217 currency. Never a float.
 * JSON carries decimal strings ("12.34"); conversion is exact, rounding is explicit.
 */
export type CurrencyCode = string;

export interface Money {
  readonly minor: bigint;
  readonly currency: CurrencyCode;
}

/** Minor-unit exponent per ISO 4217; currencies not listed have 2 decimals. */
const EXPONENTS: Readonly<Record<string, number>> = {
  BHD: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

export class InvalidMoneyError extends Error {
  override readonly name = 'InvalidMoneyError';
}

const CURRENCY_RE = /^[A-Z]{3}$/;
const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;

export const currencyExponent = (currency: CurrencyCode): number => EXPONENTS[currency] ?? 2;

export const assertCurrency = (currency: string): CurrencyCode => {
  if (!CURRENCY_RE.test(currency)) throw new InvalidMoneyError(`invalid currency code "${currency}"`);
  return currency;
};

export const money = (minor: bigint | number, currency: CurrencyCode): Money => {
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new InvalidMoneyError(`minor units must be an integer, got ${minor}`);
  }
  return { minor: BigInt(minor), currency: assertCurrency(currency) };
};

/** Parses a decimal string ("12.34", "-0.5") exactly. More decimals than the currency allows is an error. */
export const parseMoney = (amount: string, currency: CurrencyCode): Money => {
  const m = DECIMAL_RE.exec(amount.trim());
  if (!m) throw new InvalidMoneyError(`invalid amount "${amount}": expected a decimal string such as "12.34"`);
  const [, sign, whole = '0', frac = ''] = m;
  const exp = currencyExponent(assertCurrency(currency));
  const significant = frac.replace(/0+$/, '');
  if (significant.length > exp) {
    throw new InvalidMoneyError(`amount "${amount}" has more than ${exp} decimals for ${currency}`);
  }
  const minor = BigInt(whole + frac.padEnd(exp, '0').slice(0, exp));
  return { minor: sign ? -minor : minor, currency };
};

/** Formats as a decimal string with exactly the currency's number of decimals. */
export const formatMoney = ({ minor, currency }: Money): string => {
  const exp = currencyExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const frac = exp > 0 ? `.${digits.slice(digits.length - exp)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
};

const sameCurrency = (a: Money, b: Money): void => {
  if (a.currency !== b.currency) throw new InvalidMoneyError(`currency mismatch: ${a.currency} vs ${b.currency}`);
};

export const addMoney = (a: Money, b: Money): Money => {
  sameCurrency(a, b);
  return { minor: a.minor + b.minor, currency: a.currency };
};

export const subtractMoney = (a: Money, b: Money): Money => {
  sameCurrency(a, b);
  return { minor: a.minor - b.minor, currency: a.currency };
};

export const negateMoney = (a: Money): Money => ({ minor: -a.minor, currency: a.currency });

export const compareMoney = (a: Money, b: Money): -1 | 0 | 1 => {
  sameCurrency(a, b);
  return a.minor === b.minor ? 0 : a.minor < b.minor ? -1 : 1;
};

export const sumMoney = (items: readonly Money[], currency: CurrencyCode): Money =>
  items.reduce((acc, m) => addMoney(acc, m), money(0n, currency));

export type RoundingMode = 'half-even' | 'half-up' | 'down';

/** Divides n by d (d > 0) to an integer with an explicit rounding mode. */
export const divideRounded = (n: bigint, d: bigint, mode: RoundingMode = 'half-even'): bigint => {
  if (d <= 0n) throw new InvalidMoneyError('divisor must be positive');
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let q = abs / d;
  const r = abs % d;
  if (mode !== 'down' && r !== 0n) {
    const twice = r * 2n;
    if (twice > d || (twice === d && (mode === 'half-up' || q % 2n === 1n))) q += 1n;
  }
  return negative ? -q : q;
};

/**
 * Multiplies by a rate given as a decimal string ("20", "5.5", "0.8") with explicit rounding.
 * Used for VAT (base × rate / 100) and FX conversion.
 */
export const multiplyMoney = (a: Money, factor: string, mode: RoundingMode = 'half-even'): Money => {
  const m = DECIMAL_RE.exec(factor.trim());
  if (!m) throw new InvalidMoneyError(`invalid factor "${factor}"`);
  const [, sign, whole = '0', frac = ''] = m;
  const scale = 10n ** BigInt(frac.length);
  const num = BigInt(whole + frac) * (sign ? -1n : 1n);
  return { minor: divideRounded(a.minor * num, scale, mode), currency: a.currency };
};

/** Splits an amount into parts proportional to weights; the parts always sum exactly to the amount. */
export const allocateMoney = (a: Money, weights: readonly bigint[]): Money[] => {
  const total = weights.reduce((s, w) => s + w, 0n);
  if (weights.length === 0 || total <= 0n || weights.some((w) => w < 0n)) {
    throw new InvalidMoneyError('weights must be non-negative with a positive sum');
  }
  const parts = weights.map((w) => (a.minor * w) / total);
  let residual = a.minor - parts.reduce((s, p) => s + p, 0n);
  const step = residual < 0n ? -1n : 1n;
  for (let i = 0; residual !== 0n; i = (i + 1) % parts.length) {
    if ((weights[i] ?? 0n) === 0n) continue;
    parts[i] = (parts[i] ?? 0n) + step;
    residual -= step;
  }
  return parts.map((minor) => ({ minor, currency: a.currency }));
};

/** JSON form: decimal string plus currency. */
export interface MoneyJson {
  amount: string;
  currency: CurrencyCode;
}

export const moneyToJson = (m: Money): MoneyJson => ({ amount: formatMoney(m), currency: m.currency });
export const moneyFromJson = (j: MoneyJson): Money => parseMoney(j.amount, j.currency);
