import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildExpenseEntry, buildRefundEntry, InvalidExpenseError } from '../../../shared/domain/ledger/build-entry.ts';
import { refundOfPurchase } from '../../../shared/domain/ledger/card-refund.ts';
import { entryTotals, isBalanced } from '../../../shared/domain/ledger/model.ts';
import { money } from '../../../shared/domain/money.ts';
import { eur, hotelExpense, settings } from './helpers.ts';

const purchase = hotelExpense({
  kind: 'card',
  cardProgramme: 'stripe',
  lines: [
    { category: 'lodging', beneficiary: 'staff', amount: eur('110.00'), vat: [{ rate: '10', amount: eur('10.00') }] },
    { category: 'meal', amount: eur('24.00'), vat: [{ rate: '10', amount: eur('2.18') }] },
  ],
});
const accountsOf = (e: ReturnType<typeof buildExpenseEntry>['entry']) =>
  Object.fromEntries(e.lines.map((l) => [l.account, l.debit.minor - l.credit.minor]));

describe('a card refund books its share of the purchase, every side swapped', () => {
  it('a full refund gives back exactly what the purchase booked', () => {
    const bought = buildExpenseEntry(purchase, settings).entry;
    const back = buildRefundEntry(
      refundOfPurchase(purchase, { id: 'stripe:ipi_r', amount: eur('134.00'), date: '2024-03-20' }),
      settings,
    ).entry;
    expect(back.id).toBe('je_expense-refund_stripe:ipi_r');
    expect(back.date).toBe('2024-03-20');
    const a = accountsOf(bought);
    const b = accountsOf(back);
    for (const account of Object.keys(a)) expect(b[account]).toBe(-(a[account] ?? 0n));
  });

  it('a partial refund gives back the VAT in proportion, balanced, lines adding up to the refund', () => {
    const r = refundOfPurchase(purchase, { id: 'rf', amount: eur('33.50'), date: '2024-03-20' });
    expect(r.lines.map((l) => l.amount.minor)).toEqual([2750n, 600n]); // 110 × 0.25, 24 × 0.25
    expect(r.lines.map((l) => l.vat.map((v) => v.amount.minor))).toEqual([[250n], [55n]]); // 10 × 0.25, 2.18 × 0.25
    const entry = buildRefundEntry(r, settings).entry;
    expect(isBalanced(entry)).toBe(true);
    expect(entryTotals(entry).debit.minor).toBe(3350n);
  });

  it('for any purchase and any refund up to it: balanced, adding up to the refund, never more VAT than bought', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 500_000 }), fc.integer({ min: 0, max: 20 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.double({ min: 0.0001, max: 1, noNaN: true }),
        (parts, fraction) => {
          const p = hotelExpense({
            kind: 'card',
            cardProgramme: 'stripe',
            lines: parts.map(([cents, pct]) => ({
              category: 'meal' as const,
              amount: money(BigInt(cents), 'EUR'),
              vat: pct === 0 ? [] : [{ rate: '20', amount: money(BigInt(Math.floor((cents * pct) / 120)), 'EUR') }],
            })),
          });
          const whole = parts.reduce((s, [c]) => s + c, 0);
          const share = Math.max(1, Math.floor(whole * fraction));
          const r = refundOfPurchase(p, { id: 'rf', amount: money(BigInt(share), 'EUR'), date: '2024-03-20' });
          expect(r.lines.reduce((s, l) => s + l.amount.minor, 0n)).toBe(BigInt(share));
          r.lines.forEach((l, i) => {
            const bought = p.lines[i]?.vat[0]?.amount.minor ?? 0n;
            expect(l.vat[0]?.amount.minor ?? 0n).toBeLessThanOrEqual(bought);
          });
          const entry = buildRefundEntry(r, settings).entry;
          expect(isBalanced(entry)).toBe(true);
        },
      ),
    );
  });

  it('refuses a refund larger than its purchase, in another currency, or not positive', () => {
    const at = { id: 'rf', date: '2024-03-20' };
    expect(() => refundOfPurchase(purchase, { ...at, amount: eur('134.01') })).toThrow(InvalidExpenseError);
    expect(() => refundOfPurchase(purchase, { ...at, amount: money(100n, 'USD') })).toThrow(InvalidExpenseError);
    expect(() => refundOfPurchase(purchase, { ...at, amount: eur('0') })).toThrow(InvalidExpenseError);
  });
});
