/**
 * Locale-aware parsing of amounts as printed on receipts ("1 234,56", "1,234.56", "1.234,56", "12,50 €", "RM11.80",
 * "-0.03", "11.80-"). Everything is exact: a value is an integer number of units at a decimal scale, never a float.
 */
import { currencyExponent, type Money } from '../money.ts';

/** value = units / 10^scale */
export interface DecimalValue {
  readonly units: bigint;
  readonly scale: number;
}

export type DecimalSeparator = ',' | '.';

export interface AmountToken {
  readonly value: DecimalValue;
  /** The matched text. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Printed with a fractional part ("12.50" yes, "12" no). */
  readonly hasDecimals: boolean;
  /** A currency symbol or code printed right next to the number. */
  readonly currency?: string;
}

const GROUP_SPACES = ' \u00a0\u202f\u2009';

const CURRENCY_MARKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:€|EUR|EURO?S?)$/i, 'EUR'],
  [/^(?:RM|MYR)$/i, 'MYR'],
  [/^(?:£|GBP)$/i, 'GBP'],
  [/^(?:US\$|USD)$/i, 'USD'],
  [/^(?:CHF|FR\.)$/i, 'CHF'],
  [/^(?:S\$|SGD)$/i, 'SGD'],
  [/^(?:C\$|CAD)$/i, 'CAD'],
  [/^(?:A\$|AUD)$/i, 'AUD'],
  [/^\$$/, '$'],
];

export const currencyFromMark = (mark: string): string | undefined => {
  for (const [re, code] of CURRENCY_MARKS) if (re.test(mark.trim())) return code;
  return undefined;
};

/**
 * Interprets one numeric string made of digits and separators. `decimal` says which separator is the decimal one when
 * the string alone cannot tell ("1,234" / "1.234"). Returns undefined when the string is not a well-formed number.
 */
export const interpretNumber = (raw: string, decimal: DecimalSeparator = '.'): DecimalValue | undefined => {
  let s = raw.trim();
  if (!/^\d/.test(s) || !/\d$/.test(s)) return undefined;
  // Normalise grouping spaces and apostrophes to a single marker 'g'.
  s = s.replace(new RegExp(`[${GROUP_SPACES}']`, 'g'), 'g');
  if (/[^\dg.,]/.test(s) || /[g.,]{2}/.test(s)) return undefined;
  const seps = [...s.matchAll(/[g.,]/g)].map((m) => ({ ch: m[0], at: m.index ?? 0 }));
  if (seps.length === 0) return { units: BigInt(s), scale: 0 };
  const last = seps[seps.length - 1] as { ch: string; at: number };
  const tail = s.slice(last.at + 1);
  let decimalAt = -1;
  if (last.ch !== 'g') {
    const kinds = new Set(seps.map((x) => x.ch));
    const sameKind = seps.filter((x) => x.ch === last.ch).length;
    if (kinds.size > 1 || sameKind === 1) {
      // "1.234,56", "1 234,56", "12,50", "0.675", "1,234"
      if (tail.length !== 3 || kinds.size > 1) decimalAt = last.at;
      else if (last.ch === decimal) decimalAt = last.at;
      else if (/^0+$/.test(s.slice(0, last.at))) decimalAt = last.at; // "0,675"
    } else if (tail.length !== 3) {
      return undefined; // "1.234.56": malformed
    }
  }
  const intPart = decimalAt >= 0 ? s.slice(0, decimalAt) : s;
  const fracPart = decimalAt >= 0 ? s.slice(decimalAt + 1) : '';
  // Every grouping separator must be followed by exactly 3 digits, the first group has 1-3 digits.
  const groups = intPart.split(/[g.,]/);
  if (groups.length > 1) {
    if ((groups[0] ?? '').length > 3 || (groups[0] ?? '').length === 0) return undefined;
    if (groups.slice(1).some((g) => g.length !== 3)) return undefined;
    const groupSeps = new Set(seps.filter((x) => x.at !== decimalAt).map((x) => x.ch));
    if (groupSeps.size > 1) return undefined;
    if (decimalAt >= 0 && groupSeps.has(s[decimalAt] ?? '')) return undefined;
  }
  if (decimalAt >= 0 && s[decimalAt] === 'g') return undefined;
  return { units: BigInt(groups.join('') + fracPart), scale: fracPart.length };
};

const NUMBER_BODY = `\\d{1,3}(?:[${GROUP_SPACES}'.,]\\d{3})+(?:[.,]\\d{1,3})?|\\d+(?:[.,]\\d{1,4})?|[.,]\\d{2}`;
const PREFIX_MARK = String.raw`(?:€|£|US\$|S\$|C\$|A\$|\$|RM|MYR|EUR|USD|GBP|CHF)`;
const SUFFIX_MARK = '(?:€|EUR|EUROS?|RM)';
const AMOUNT_RE = new RegExp(
  String.raw`(?<![\d.,])([-−–]\s?)?(?:(${PREFIX_MARK})\s?([-−])?\s?)?(${NUMBER_BODY})(?:\s?(${SUFFIX_MARK})(?![A-Za-z]))?(-(?![\d]))?(?![\d]|[.,]\d)`,
  'gi',
);

/** Finds every number that can be an amount in a line of text, left to right. */
export const findAmounts = (text: string, decimal: DecimalSeparator = '.'): AmountToken[] => {
  const out: AmountToken[] = [];
  for (const m of text.matchAll(AMOUNT_RE)) {
    const [whole, lead, pre, preSign, body = '', post, trail] = m;
    const value = interpretNumber(/^[.,]/.test(body) ? `0${body}` : body, decimal);
    if (!value) continue;
    const negative = Boolean(lead || preSign || trail);
    const mark = pre ?? post;
    const currency = mark ? currencyFromMark(mark) : undefined;
    const start = m.index ?? 0;
    out.push({
      value: negative ? { units: -value.units, scale: value.scale } : value,
      text: whole,
      start,
      end: start + whole.length,
      hasDecimals: value.scale > 0,
      ...(currency ? { currency } : {}),
    });
  }
  return out;
};

/** Parses a whole string as one amount ("1 234,56 €"), or undefined. */
export const parseAmount = (text: string, decimal: DecimalSeparator = '.'): DecimalValue | undefined => {
  const found = findAmounts(text.trim(), decimal);
  const first = found[0];
  if (found.length !== 1 || !first || first.text.trim().length !== text.trim().length) return undefined;
  return first.value;
};

/** Converts to Money when exact at the currency's exponent (trailing zeros beyond it are fine). */
export const decimalToMoney = (d: DecimalValue, currency: string): Money | undefined => {
  const exp = currencyExponent(currency);
  if (d.scale <= exp) return { minor: d.units * 10n ** BigInt(exp - d.scale), currency };
  const factor = 10n ** BigInt(d.scale - exp);
  if (d.units % factor !== 0n) return undefined;
  return { minor: d.units / factor, currency };
};

export const decimalToString = (d: DecimalValue, minScale = 0): string => {
  const scale = Math.max(d.scale, minScale);
  const units = d.units * 10n ** BigInt(scale - d.scale);
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  return `${neg ? '-' : ''}${whole}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''}`;
};

export const compareDecimal = (a: DecimalValue, b: DecimalValue): number => {
  const s = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(s - a.scale);
  const y = b.units * 10n ** BigInt(s - b.scale);
  return x === y ? 0 : x < y ? -1 : 1;
};

/** Formats minor units the way a receipt in that locale prints them (for tests and round-trips). */
export const formatLocaleAmount = (
  minor: bigint,
  exponent: number,
  locale: 'fr' | 'en' | 'de',
  grouping = true,
): string => {
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const frac = digits.slice(digits.length - exponent);
  const groupSep = locale === 'fr' ? '\u202f' : locale === 'de' ? '.' : ',';
  const decSep = locale === 'en' ? '.' : ',';
  const grouped = grouping ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, groupSep) : whole;
  return `${neg ? '-' : ''}${grouped}${exponent > 0 ? decSep + frac : ''}`;
};

/**
 * Guesses the decimal separator a document uses from the numbers it prints: "12,50" votes for a comma, "12.50" for a
 * dot. Ties fall back to the locale hint.
 */
export const detectDecimalSeparator = (lines: readonly string[], fallback: DecimalSeparator): DecimalSeparator => {
  let comma = 0;
  let dot = 0;
  for (const line of lines) {
    for (const m of line.matchAll(/(?<![\d.,])\d{1,6}([.,])\d{2}(?![\d.,])/g)) {
      if (m[1] === ',') comma++;
      else dot++;
    }
  }
  if (comma > dot) return ',';
  if (dot > comma) return '.';
  return fallback;
};
