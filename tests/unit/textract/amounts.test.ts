import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTextractAmount, parseTextractQuantity } from '../../../shared/adapters/textract/textract-amounts.ts';
import { formatLocaleAmount } from '../../../shared/domain/extraction/numbers.ts';

const minorOf = (text: string, decimal: ',' | '.' = '.'): bigint | undefined => {
  const a = parseTextractAmount(text, decimal);
  if (!a) return undefined;
  // to cents
  const { units, scale } = a.value;
  return scale <= 2 ? units * 10n ** BigInt(2 - scale) : undefined;
};

describe('parseTextractAmount', () => {
  it.each([
    ['$1,810.46', 181046n, '$'],
    ['$1810.46', 181046n, '$'],
    ['1 810,46 €', 181046n, 'EUR'],
    ['1\u202f810,46 €', 181046n, 'EUR'],
    ['€12,50', 1250n, 'EUR'],
    ['$899.99 S', 89999n, '$'],
    ['659.00 Y', 65900n, undefined],
    ['329.00 y', 32900n, undefined],
    ['P21.50/Unit', 2150n, undefined],
    ['P14. 50/Unit', 1450n, undefined],
    ['₱21.50', 2150n, 'PHP'],
    ['12.00 USD', 1200n, 'USD'],
    ['USD 12.00', 1200n, 'USD'],
    ['(3.00)', -300n, undefined],
    ['-3.00', -300n, undefined],
    ['11.80 RM', 1180n, 'MYR'],
    ['0.00', 0n, undefined],
  ])('%s → %s minor units (%s)', (text, minor, currency) => {
    expect(minorOf(text)).toBe(minor);
    expect(parseTextractAmount(text)?.currency).toBe(currency);
  });

  it.each(['/6.50', 'to', '', 'TOTAL', '12.50 / 13.00', '1.234.56', '$'])('refuses %j', (text) => {
    expect(parseTextractAmount(text)).toBeUndefined();
  });

  it('uses the decimal hint for "1,234" / "1.234" only', () => {
    expect(minorOf('1,234', '.')).toBe(123400n);
    expect(minorOf('1.234', ',')).toBe(123400n);
    expect(minorOf('1,50', '.')).toBe(150n);
  });

  it('reads any amount as Textract prints it: locale format, optional sign, tax mark, per-unit suffix', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        fc.constantFrom('en', 'fr', 'de') as fc.Arbitrary<'en' | 'fr' | 'de'>,
        fc.boolean(),
        fc.constantFrom('', '$', '€', 'EUR ', 'USD ', '£'),
        fc.constantFrom('', ' S', ' V', ' y', 'T', ' A*', '/Unit', ' USD', ' €'),
        (minor, locale, grouping, prefix, suffix) => {
          const printed = `${prefix}${formatLocaleAmount(minor, 2, locale, grouping)}${suffix}`;
          const parsed = parseTextractAmount(printed, locale === 'en' ? '.' : ',');
          expect(parsed?.value).toEqual({ units: minor, scale: 2 });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseTextractQuantity', () => {
  it.each([
    ['2', '2'],
    ['1.5', '1.5'],
    ['2 x', '2'],
    ['3 pcs', '3'],
  ])('%s → %s', (text, units) => {
    const q = parseTextractQuantity(text);
    expect(q && (Number(q.units) / 10 ** q.scale).toString()).toBe(units);
  });

  it.each(['to', '', 'x', '2-3'])('refuses %j', (text) => {
    expect(parseTextractQuantity(text)).toBeUndefined();
  });
});
