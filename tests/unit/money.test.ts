import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMoney,
  allocateMoney,
  divideRounded,
  formatMoney,
  InvalidMoneyError,
  money,
  multiplyMoney,
  parseMoney,
} from '../../shared/domain/money.ts';

const currencies = fc.constantFrom('EUR', 'USD', 'JPY', 'KWD', 'GBP');
const minor = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });

describe('money', () => {
  it('round-trips every amount through its decimal string exactly', () => {
    fc.assert(
      fc.property(minor, currencies, (m, c) => {
        const value = money(m, c);
        expect(parseMoney(formatMoney(value), c)).toEqual(value);
      }),
    );
  });

  it('formats with the currency’s decimals', () => {
    expect(formatMoney(money(1234n, 'EUR'))).toBe('12.34');
    expect(formatMoney(money(-5n, 'EUR'))).toBe('-0.05');
    expect(formatMoney(money(1234n, 'JPY'))).toBe('1234');
    expect(formatMoney(money(1234n, 'KWD'))).toBe('1.234');
  });

  it('parses exactly, never through floats', () => {
    expect(parseMoney('0.1', 'EUR').minor + parseMoney('0.2', 'EUR').minor).toBe(30n);
    expect(parseMoney('12.30', 'EUR').minor).toBe(1230n);
    expect(parseMoney('90071992547409.93', 'EUR').minor).toBe(9007199254740993n);
  });

  it.each([
    ['12.345', 'EUR', /more than 2 decimals/],
    ['1,5', 'EUR', /invalid amount/],
    ['abc', 'EUR', /invalid amount/],
    ['1', 'euro', /invalid currency/],
  ])('rejects %s %s with a clear reason', (amount, currency, reason) => {
    expect(() => parseMoney(amount, currency)).toThrow(InvalidMoneyError);
    expect(() => parseMoney(amount, currency)).toThrow(reason);
  });

  it('refuses to add different currencies', () => {
    expect(() => addMoney(money(1, 'EUR'), money(1, 'USD'))).toThrow(/currency mismatch/);
  });

  it('rounds half-even and half-up explicitly', () => {
    expect(divideRounded(25n, 10n)).toBe(2n);
    expect(divideRounded(35n, 10n)).toBe(4n);
    expect(divideRounded(25n, 10n, 'half-up')).toBe(3n);
    expect(divideRounded(-25n, 10n, 'half-up')).toBe(-3n);
    expect(multiplyMoney(money(1999n, 'EUR'), '0.2').minor).toBe(400n); // 399.8 → 400
    expect(multiplyMoney(money(1000n, 'EUR'), '5.5').minor).toBe(5500n);
  });

  it('allocates without losing or creating a cent', () => {
    fc.assert(
      fc.property(minor, fc.array(fc.bigInt({ min: 0n, max: 1000n }), { minLength: 1, maxLength: 8 }), (m, weights) => {
        fc.pre(weights.some((w) => w > 0n));
        const parts = allocateMoney(money(m, 'EUR'), weights);
        expect(parts.reduce((s, p) => s + p.minor, 0n)).toBe(m);
        weights.forEach((w, i) => {
          if (w === 0n) expect(parts[i]?.minor).toBe(0n);
        });
      }),
    );
  });
});
