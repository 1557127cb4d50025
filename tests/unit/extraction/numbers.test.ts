import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decimalToMoney,
  detectDecimalSeparator,
  findAmounts,
  formatLocaleAmount,
  interpretNumber,
  parseAmount,
} from '../../../shared/domain/extraction/numbers.ts';
import { formatMoney } from '../../../shared/domain/money.ts';

const str = (text: string, decimal: ',' | '.' = '.'): string | undefined => {
  const d = parseAmount(text, decimal);
  const m = d && decimalToMoney(d, 'EUR');
  return m ? formatMoney(m) : undefined;
};

describe('locale amounts', () => {
  it.each([
    ['1 234,56', ',', '1234.56'],
    ['1\u202f234,56', ',', '1234.56'],
    ['1.234,56', ',', '1234.56'],
    ['1,234.56', '.', '1234.56'],
    ['12,50', '.', '12.50'],
    ['12.5', ',', '12.50'],
    ['12,50 €', ',', '12.50'],
    ['€12.50', '.', '12.50'],
    ['RM11.80', '.', '11.80'],
    ['-0.03', '.', '-0.03'],
    ['0.02-', '.', '-0.02'],
    ['.40', '.', '0.40'],
    ["1'234.50", '.', '1234.50'],
    ['1,234', '.', '1234.00'],
    ['1,234', ',', undefined], // 1.234 EUR has too many decimals for money
  ] as const)('%s (decimal %s) → %s', (text, decimal, expected) => {
    expect(str(text, decimal)).toBe(expected);
  });

  it('rejects malformed numbers', () => {
    expect(interpretNumber('1.234.56')).toBeUndefined();
    expect(interpretNumber('12,,5')).toBeUndefined();
    expect(interpretNumber('1,23,456.00')).toBeUndefined();
  });

  it('finds amounts in a line, skipping nothing and keeping positions', () => {
    const found = findAmounts('TOTAL TTC   15,60 EUR   CB 15,60', ',');
    expect(found.map((t) => t.text.trim())).toEqual(['15,60 EUR', '15,60']);
    expect(found[0]?.currency).toBe('EUR');
  });

  it('detects the decimal separator of a document', () => {
    expect(detectDecimalSeparator(['Pain 1,30', 'TOTAL 15,60'], '.')).toBe(',');
    expect(detectDecimalSeparator(['Bread 1.30', 'TOTAL 15.60'], ',')).toBe('.');
    expect(detectDecimalSeparator(['nothing'], ',')).toBe(',');
  });

  it('round-trips random amounts printed in French, English and German formats (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -10_000_000_000n, max: 10_000_000_000n }),
        fc.constantFrom('fr' as const, 'en' as const, 'de' as const),
        fc.boolean(),
        (minor, locale, grouping) => {
          const printed = formatLocaleAmount(minor, 2, locale, grouping);
          const d = parseAmount(printed, locale === 'en' ? '.' : ',');
          expect(d).toBeDefined();
          expect(d && decimalToMoney(d, 'EUR')?.minor).toBe(minor);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips 0- and 3-decimal currencies (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000_000_000n }),
        fc.constantFrom(['JPY', 0], ['KWD', 3]),
        (minor, [cur, exp]) => {
          const printed = formatLocaleAmount(minor, exp as number, 'en', false);
          const d = parseAmount(printed, '.');
          expect(d && decimalToMoney(d, cur as string)?.minor).toBe(minor);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        for (const t of findAmounts(s)) expect(typeof t.value.units).toBe('bigint');
      }),
      { numRuns: 500 },
    );
  });
});
