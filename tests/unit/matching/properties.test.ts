import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exactSubsets,
  type MatchReceipt,
  type MatchTransaction,
  reconcile,
  scorePair,
} from '../../../shared/domain/matching/index.ts';
import { formatMoney, money } from '../../../shared/domain/money.ts';
import { receipt, tx } from './helpers.ts';

const MCCS = ['5812', '5813', '5814', '4121', '7011', '3503', '5942', '5943', '5411'];
const VENDORS = ['Blue Bottle Coffee', 'Le Petit Bistrot', 'G7 Taxi', 'Amazon.fr', 'Bureau Vallée', 'Hôtel des Arts'];
const day = fc.integer({ min: 0, max: 40 }).map((d) => new Date(Date.UTC(2024, 4, 1 + d)).toISOString().slice(0, 10));
const cents = fc.bigInt({ min: -50_000n, max: 200_000n });
const currency = fc.constantFrom('EUR', 'USD', 'JPY');

const arbReceipt: fc.Arbitrary<MatchReceipt> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 4 }).map((s) => `r${s}`),
  employeeId: fc.option(fc.constantFrom('e1', 'e2'), { nil: null }),
  vendor: fc.oneof(fc.constantFrom(...VENDORS), fc.string({ maxLength: 30 })),
  date: day,
  total: fc.tuple(cents, currency).map(([m, c]) => money(m, c)),
  cardLast4: fc.option(fc.constantFrom('4242', '1111'), { nil: null }),
});

const arbTx: fc.Arbitrary<MatchTransaction> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 4 }).map((s) => `t${s}`),
  employeeId: fc.constantFrom('e1', 'e2'),
  merchantName: fc.oneof(
    fc.constantFrom('SQ *BLUE BOTTLE', 'AMZN Mktp FR*1X', 'G7 TAXI PARIS'),
    fc.string({ maxLength: 22 }),
  ),
  mcc: fc.constantFrom(...MCCS),
  amount: cents.map((m) => money(m, 'EUR')),
  merchantAmount: fc.option(
    fc.tuple(cents, currency).map(([m, c]) => money(m, c)),
    { nil: null },
  ),
  authorizedAt: fc
    .tuple(day, fc.integer({ min: 0, max: 23 }))
    .map(([d, h]) => `${d}T${String(h).padStart(2, '0')}:00:00Z`),
  postedAt: fc.constant(null),
  cardLast4: fc.option(fc.constantFrom('4242', '1111'), { nil: null }),
});

/** Descriptor noise that card networks add, applied to a clean name. */
const noisy = fc
  .record({
    prefix: fc.constantFrom('', 'SQ *', 'TST* ', 'SUMUP *', 'ZETTLE_*', 'PAYPAL *'),
    store: fc.option(fc.integer({ min: 1, max: 9999 }), { nil: null }),
    city: fc.constantFrom('', ' PARIS', ' LYON FR', ' NEW YORK'),
    cut: fc.boolean(),
  })
  .map(({ prefix, store, city, cut }) => (name: string) => {
    const d = `${prefix}${name.toUpperCase()}${store === null ? '' : ` #${store}`}${city}`;
    return cut ? d.slice(0, 22) : d;
  });

describe('properties', () => {
  it('score is always in [0, 1], rejected pairs score 0', () => {
    fc.assert(
      fc.property(arbReceipt, arbTx, (r, t) => {
        const s = scorePair(r, t);
        expect(s.score).toBeGreaterThanOrEqual(0);
        expect(s.score).toBeLessThanOrEqual(1);
        if (s.rejected !== null) expect(s.score).toBe(0);
        else expect(s.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('descriptor noise does not flip an exact same-day match', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Blue Bottle Coffee', 'Le Petit Bistrot', 'Brasserie Montmartre', 'Columbus Café'),
        noisy,
        fc.bigInt({ min: 1n, max: 100_000n }),
        fc.integer({ min: 9, max: 20 }),
        (name, noise, amount, hour) => {
          const total = formatMoney(money(amount, 'EUR'));
          const s = scorePair(
            receipt({ vendor: name, totalStr: total }),
            tx({
              merchantName: noise(name),
              amountStr: total,
              authorizedAt: `2024-05-02T${String(hour).padStart(2, '0')}:00:00Z`,
            }),
          );
          expect(s.rejected).toBeNull();
          expect(s.score).toBeGreaterThanOrEqual(0.8);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('assignment: every receipt and transaction in at most one decision; sums balance exactly', () => {
    fc.assert(
      fc.property(fc.array(arbReceipt, { maxLength: 12 }), fc.array(arbTx, { maxLength: 12 }), (rs, ts) => {
        const receipts = rs.map((r, i) => ({ ...r, id: `r${i}` }));
        const transactions = ts.map((t, i) => ({ ...t, id: `t${i}` }));
        const { chosen, proposals, refunds } = reconcile(receipts, transactions);
        const usedR = new Set<string>();
        const usedT = new Set<string>();
        for (const g of chosen) {
          for (const id of g.receiptIds) {
            expect(usedR.has(id)).toBe(false);
            usedR.add(id);
          }
          for (const id of g.transactionIds) {
            expect(usedT.has(id)).toBe(false);
            usedT.add(id);
          }
          if (g.shape === 'receipt-to-many') {
            const r = receipts.find((x) => x.id === g.receiptIds[0]) as MatchReceipt;
            const parts = g.transactionIds.map((id) => {
              const t = transactions.find((x) => x.id === id) as MatchTransaction;
              return t.amount.currency === r.total.currency
                ? t.amount
                : (t.merchantAmount as NonNullable<typeof t.merchantAmount>);
            });
            expect(parts.reduce((s, p) => s + p.minor, 0n)).toBe(r.total.minor);
          }
          if (g.shape === 'many-to-transaction') {
            const t = transactions.find((x) => x.id === g.transactionIds[0]) as MatchTransaction;
            const sum = g.receiptIds.reduce(
              (s, id) => s + (receipts.find((x) => x.id === id) as MatchReceipt).total.minor,
              0n,
            );
            expect([t.amount.minor, t.merchantAmount?.minor]).toContain(sum);
          }
        }
        // Refunds never exceed their purchase.
        const back = new Map<string, bigint>();
        for (const l of refunds) {
          const refund = transactions.find((x) => x.id === l.refundTransactionId) as MatchTransaction;
          back.set(l.purchaseTransactionId, (back.get(l.purchaseTransactionId) ?? 0n) - refund.amount.minor);
        }
        for (const [pid, total] of back) {
          expect(total).toBeLessThanOrEqual((transactions.find((x) => x.id === pid) as MatchTransaction).amount.minor);
        }
        // A transaction is auto-linked to at most one decision, and proposals stay within [0, 1].
        const autoOwners = new Map<string, string>();
        for (const p of proposals) {
          expect(p.score).toBeGreaterThanOrEqual(0);
          expect(p.score).toBeLessThanOrEqual(1);
          if (!p.auto || p.reasons[0]?.includes('refund')) continue;
          const g = chosen.find(
            (c) => c.receiptIds.includes(p.receiptId) && c.transactionIds.includes(p.transactionId),
          );
          expect(g).toBeDefined();
          const owner = autoOwners.get(p.transactionId);
          if (owner !== undefined) expect(owner).toBe(g?.receiptIds.join(','));
          autoOwners.set(p.transactionId, g?.receiptIds.join(',') ?? '');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('exactSubsets finds exactly the 2- and 3-subsets with the target sum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 50n }), { maxLength: 9 }),
        fc.bigInt({ min: 2n, max: 120n }),
        (vs, target) => {
          const found = exactSubsets(vs, target).map((s) => s.join(','));
          const expected: string[] = [];
          for (let i = 0; i < vs.length; i++)
            for (let j = i + 1; j < vs.length; j++) {
              if ((vs[i] as bigint) + (vs[j] as bigint) === target) expected.push(`${i},${j}`);
              for (let k = j + 1; k < vs.length; k++)
                if ((vs[i] as bigint) + (vs[j] as bigint) + (vs[k] as bigint) === target)
                  expected.push(`${i},${j},${k}`);
            }
          expect(found.sort()).toEqual(expected.sort());
        },
      ),
    );
  });

  it('reconcile is deterministic and independent of input order for its decisions', () => {
    fc.assert(
      fc.property(fc.array(arbReceipt, { maxLength: 8 }), fc.array(arbTx, { maxLength: 8 }), (rs, ts) => {
        const receipts = rs.map((r, i) => ({ ...r, id: `r${i}` }));
        const transactions = ts.map((t, i) => ({ ...t, id: `t${i}` }));
        const key = (x: ReturnType<typeof reconcile>) =>
          x.chosen.map((g) => `${g.receiptIds.join('+')}=${g.transactionIds.join('+')}:${g.auto}`).sort();
        expect(key(reconcile(receipts, transactions))).toEqual(
          key(reconcile([...receipts].reverse(), [...transactions].reverse())),
        );
      }),
      { numRuns: 200 },
    );
  });
});
