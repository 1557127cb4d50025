/**
 * Repairs of OCR text where the shape of a token says what it must be: a date or an amount whose digits were read as
 * look-alike letters ("2€17", "o.co", "|.90"), or an amount split at its decimal separator ("RM96. 20"). Only tokens
 * that are already date- or amount-shaped are touched, so words stay as read.
 */

/** Letters and symbols OCR reads in place of digits (0 O o D Q C €, 1 l I | i, 2 Z, 5 S, 8 B). */
const DIGIT_LIKE: Readonly<Record<string, string>> = {
  O: '0',
  o: '0',
  D: '0',
  Q: '0',
  C: '0',
  c: '0',
  '€': '0',
  l: '1',
  I: '1',
  '|': '1',
  i: '1',
  Z: '2',
  z: '2',
  S: '5',
  s: '5',
  B: '8',
};
const LIKE = '0-9OoDQCc€lI|iZzSsB';
const toDigits = (s: string): string => s.replace(/[^\d]/g, (ch) => DIGIT_LIKE[ch] ?? ch);
const digitCount = (s: string): number => (s.match(/\d/g) ?? []).length;

/** dd/mm/yyyy-shaped tokens (also yyyy-mm-dd) with at most two look-alike characters. */
const DATE_SHAPED = new RegExp(
  `(?<![\\p{L}\\d.,/-])([${LIKE}]{1,2}([/.-])[${LIKE}]{1,2}\\2[${LIKE}]{2,4}|[${LIKE}]{4}([/.-])[${LIKE}]{1,2}\\3[${LIKE}]{1,2})(?![\\p{L}\\d]|[.,/-]\\d)`,
  'gu',
);

/** Amount-shaped tokens: digits (or look-alikes), a decimal separator, two digits (or look-alikes). */
const AMOUNT_SHAPED = new RegExp(`(?<![\\p{L}\\d.,])([${LIKE}]{1,6})([.,])([${LIKE}]{2})(?![\\p{L}\\d]|[.,]\\d)`, 'gu');

/**
 * "96. 20" → "96.20": OCR puts a space after the decimal point of some amounts. Not after a comma, where "1, 20" is
 * as likely a list as a French amount.
 */
const SPLIT_DECIMAL = /(?<=\d)(\.) (\d{2})(?![\d.,]|\s?[:/-]\s?\d)/g;

export const repairOcrLine = (text: string): string =>
  text
    .replace(SPLIT_DECIMAL, '$1$2')
    .replace(DATE_SHAPED, (tok: string) => {
      const fixed = toDigits(tok);
      const wrong = tok.length - digitCount(tok) - 2;
      // At least four real digits and at most two look-alikes: "11/09/2€17", "O6-05-2018", not "Do/Sl/IS".
      return wrong <= 2 && digitCount(tok) >= 4 && /^[\d/.-]+$/.test(fixed) ? fixed : tok;
    })
    .replace(AMOUNT_SHAPED, (tok: string, int: string, sep: string, frac: string) => {
      const real = digitCount(int) + digitCount(frac);
      const alike = tok.length - 1 - real;
      // "o.co", "O.OO": a zero amount; otherwise one look-alike at most, among at least two real digits ("|.90").
      const zero = /^[oO0]$/.test(int) && /^[oOcC0]{2}$/.test(frac);
      if (!zero && (alike > 1 || real < 2)) return tok;
      const fixed = `${toDigits(int)}${sep}${toDigits(frac)}`;
      return /^\d+[.,]\d{2}$/.test(fixed) ? fixed : tok;
    });
