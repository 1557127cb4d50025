/**
 * Amount and quantity strings as Textract returns them in AnalyzeExpense fields: "$1,810.46", "1 810,46 €",
 * "$899.99 S" (a trailing tax-class letter), "P21.50/Unit", "P14. 50/Unit" (an OCR gap), "(3.00)", "12.00 USD".
 * Strict on purpose: anything left over that is not a known decoration ("/6.50", where the "/" is a misread "7")
 * makes the string unreadable rather than silently wrong. The number itself goes through the domain parser.
 */
import {
  type DecimalSeparator,
  type DecimalValue,
  interpretNumber,
  parseAmount,
} from '../../domain/extraction/numbers.ts';

export interface TextractAmount {
  value: DecimalValue;
  /** ISO 4217 code, or "$" when only a bare dollar sign was printed. */
  currency?: string;
}

/** Currency signs the domain parser does not know, mapped when unambiguous (¥ is JPY or CNY: dropped, no code). */
const EXTRA_SIGNS: ReadonlyArray<readonly [string, string | undefined]> = [
  ['₱', 'PHP'],
  ['₹', 'INR'],
  ['₩', 'KRW'],
  ['₺', 'TRY'],
  ['₪', 'ILS'],
  ['₫', 'VND'],
  ['฿', 'THB'],
  ['¥', undefined],
];

const ISO_CODE = /^[A-Z]{3}$/;
const PER_UNIT = /\s*\/\s*(?:unit|units|ea|each|pc|pcs|piece|kg|g|l|lb|lbs|oz|un|u)\.?$/i;
/** One or two letters (or '*') after the amount: tax-class markers printed by tills ("S", "V", "Y", "T", "N", "A*"). */
const TAX_MARK = /(\d)\s*[A-Za-z*#]{1,2}$/;
const MINUS = /[−–]/g;

const stripTaxMarks = (s: string): string => {
  let out = s;
  // "12.00 RM": a currency, not a tax mark.
  for (let i = 0; i < 2 && TAX_MARK.test(out) && !/\s?RM$/i.test(out); i++) out = out.replace(TAX_MARK, '$1');
  return out;
};

/**
 * Parses one Textract amount value. `decimal` decides "1,234" / "1.234" when the string alone cannot.
 * Returns undefined when the string is not exactly one amount.
 */
export const parseTextractAmount = (text: string, decimal: DecimalSeparator = '.'): TextractAmount | undefined => {
  let s = text.replace(/\s+/g, ' ').replace(MINUS, '-').trim();
  if (!s) return undefined;
  let negative = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    negative = true;
    s = (paren[1] ?? '').trim();
  }
  let currency: string | undefined;
  // Trailing ISO code the domain parser does not take as a suffix ("12.00 USD").
  const code = /^(.*\d)\s?([A-Z]{3})$/.exec(s);
  if (code && ISO_CODE.test(code[2] ?? '') && !/^EUR/.test(code[2] ?? '')) {
    currency = code[2];
    s = code[1] ?? '';
  }
  s = s.replace(PER_UNIT, '');
  s = stripTaxMarks(s);
  for (const [sign, iso] of EXTRA_SIGNS) {
    if (s.startsWith(sign) || s.startsWith(`-${sign}`)) {
      s = s.replace(sign, '').trim();
      if (iso) currency ??= iso;
    }
  }
  // "P21.50": a peso sign printed as a Latin P in front of the number (no currency claimed: P is ambiguous).
  s = s.replace(/^(-?)P\s?(?=\d)/, '$1');
  // OCR gap after the decimal separator: "14. 50".
  s = s.replace(/(\d[.,])\s+(\d{1,2})$/, '$1$2');
  if (!s) return undefined;
  const found = parseAmountWithMark(s, decimal);
  if (!found) return undefined;
  const value = negative ? { units: -found.value.units, scale: found.value.scale } : found.value;
  const cur = currency ?? found.currency;
  return { value, ...(cur ? { currency: cur } : {}) };
};

const MARKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:US\$|USD)\s?|\s?USD$/, 'USD'],
  [/^(?:€|EUR)\s?|\s?(?:€|EUR|EUROS?)$/i, 'EUR'],
  [/^(?:£|GBP)\s?|\s?GBP$/, 'GBP'],
  [/^(?:RM|MYR)\s?|\s?RM$/, 'MYR'],
  [/^CHF\s?|\s?CHF$/, 'CHF'],
  [/^S\$\s?/, 'SGD'],
  [/^C\$\s?/, 'CAD'],
  [/^A\$\s?/, 'AUD'],
  [/^\$\s?/, '$'],
];

/** The domain parser does the number; the mark is read here so "$" stays distinguishable from USD. */
const parseAmountWithMark = (s: string, decimal: DecimalSeparator): TextractAmount | undefined => {
  const value = parseAmount(s, decimal);
  if (!value) return undefined;
  let body = s.replace(/^-\s?/, '');
  for (const [re, iso] of MARKS) {
    if (re.test(body)) {
      body = body.replace(re, '');
      return { value, currency: iso };
    }
  }
  return { value };
};

/** Quantities: "2", "1.5", "0,750", "2 x", "3 pcs". Undefined when not a number ("to"). */
export const parseTextractQuantity = (text: string, decimal: DecimalSeparator = '.'): DecimalValue | undefined => {
  const s = text
    .trim()
    .replace(/\s*(?:x|X|×|@|pcs?|pieces?|units?|ea|qty)\.?$/i, '')
    .replace(/^(?:x|X|×|qty:?)\s*/i, '')
    .trim();
  if (!/^\d[\d.,]*$/.test(s)) return undefined;
  return interpretNumber(s, decimal);
};
