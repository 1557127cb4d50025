import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProposal, parseReceipts, parseTransactions, runReconcile } from '../../../cli/commands/reconcile.ts';
import {
  defaultMatchOptions,
  type MatchProposal,
  type MatchReceipt,
  type MatchTransaction,
  prepareReceipt,
  prepareTransaction,
  reconcile,
  scorePrepared,
  scorePreparedValue,
} from '../../../shared/domain/matching/index.ts';
import { formatMoney, money } from '../../../shared/domain/money.ts';
import { receipt, tx } from './helpers.ts';

const VENDORS = ['Blue Bottle Coffee', 'Le Petit Bistrot', 'G7 Taxi', 'Hôtel des Arts', 'Amazon.fr'];
const DESCRIPTORS = [
  'SQ *BLUE BOTTLE COFFEE',
  'LE PETIT BISTROT PARIS',
  'G7 TAXI #1234',
  'HOTEL DES ARTS',
  'AMZN Mktp FR*1X',
];
const MCCS = ['5812', '5814', '4121', '7011', '5942'];
const day = fc.integer({ min: 0, max: 20 }).map((d) => new Date(Date.UTC(2024, 4, 1 + d)).toISOString().slice(0, 10));
const cents = fc.bigInt({ min: -20_000n, max: 50_000n });

/** Small sets where every receipt and transaction collide often (few employees, amounts, merchants, days). */
const arbSet = fc
  .tuple(
    fc.array(
      fc.record({
        employeeId: fc.option(fc.constantFrom('e1', 'e2'), { nil: null }),
        vendor: fc.constantFrom(...VENDORS),
        date: day,
        total: fc.tuple(cents, fc.constantFrom('EUR', 'USD')).map(([m, c]) => money(m, c)),
        cardLast4: fc.option(fc.constantFrom('4242', '1111'), { nil: null }),
      }),
      { maxLength: 14 },
    ),
    fc.array(
      fc.record({
        employeeId: fc.constantFrom('e1', 'e2'),
        merchantName: fc.constantFrom(...DESCRIPTORS),
        mcc: fc.constantFrom(...MCCS),
        amount: cents.map((m) => money(m, 'EUR')),
        merchantAmount: fc.option(
          cents.map((m) => money(m, 'USD')),
          { nil: null },
        ),
        authorizedAt: fc
          .tuple(day, fc.integer({ min: 0, max: 23 }))
          .map(([d, h]) => `${d}T${String(h).padStart(2, '0')}:00:00Z`),
        postedAt: fc.boolean(),
        cardLast4: fc.option(fc.constantFrom('4242', '1111'), { nil: null }),
      }),
      { maxLength: 14 },
    ),
  )
  .map(([rs, ts]) => ({
    receipts: rs.map((r, i): MatchReceipt => ({ ...r, id: `r${i}` })),
    // Posted: a feed that gives the posting instant as the authorization (the late-posting date rule).
    transactions: ts.map(
      (t, i): MatchTransaction => ({ ...t, id: `t${i}`, postedAt: t.postedAt ? t.authorizedAt : null }),
    ),
  }));

const rates = (from: string, to: string): string | null => (from === 'USD' && to === 'EUR' ? '0.92' : null);

describe('batch reconciliation', () => {
  it('streams exactly the proposals it would collect, in the same order', () => {
    fc.assert(
      fc.property(arbSet, ({ receipts, transactions }) => {
        const collected = reconcile(receipts, transactions, { rateSource: rates });
        const streamed: MatchProposal[] = [];
        const result = reconcile(receipts, transactions, { rateSource: rates }, { emit: (p) => streamed.push(p) });
        expect(streamed).toEqual(collected.proposals);
        expect(result.proposals).toEqual([]);
        expect(result.stats).toEqual(collected.stats);
      }),
      { numRuns: 300 },
    );
  });

  it('ranks with the score scorePrepared gives, and prints its reasons', () => {
    fc.assert(
      fc.property(arbSet, ({ receipts, transactions }) => {
        for (const r of receipts) {
          for (const t of transactions) {
            const full = scorePrepared(prepareReceipt(r), prepareTransaction(t));
            const value = scorePreparedValue(prepareReceipt(r), prepareTransaction(t));
            expect(value).toBe(full.rejected === null ? full.score : null);
          }
        }
        // Printed pairs are explained on the columns (scorePrepared itself for a receipt with a category): with and
        // without rates, each printed pair carries the reasons scorePrepared gives it.
        const categorized = receipts.map((r, k): MatchReceipt => (k % 3 === 2 ? { ...r, category: 'restaurant' } : r));
        for (const options of [{}, { rateSource: rates }]) {
          const { proposals } = reconcile(categorized, transactions, options);
          for (const p of proposals) {
            if (p.reasons.some((x) => x.startsWith('amount: sum') || x.includes('refund'))) continue;
            const r = categorized.find((x) => x.id === p.receiptId) as MatchReceipt;
            const t = transactions.find((x) => x.id === p.transactionId) as MatchTransaction;
            const s = scorePrepared(prepareReceipt(r), prepareTransaction(t), { ...defaultMatchOptions, ...options });
            expect(p.score).toBe(s.score);
            expect(p.reasons).toEqual(s.reasons);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('streamed CLI output equals the collected output', () => {
    fc.assert(
      fc.property(arbSet, ({ receipts, transactions }) => {
        const rText = receipts
          .map((r) => JSON.stringify({ ...r, total: formatMoney(r.total), currency: r.total.currency }))
          .join('\n');
        const tText = transactions
          .map((t) =>
            JSON.stringify({
              ...t,
              amount: formatMoney(t.amount),
              currency: t.amount.currency,
              merchantAmount: t.merchantAmount ? formatMoney(t.merchantAmount) : null,
              merchantCurrency: t.merchantAmount?.currency ?? null,
            }),
          )
          .join('\n');
        const lines: string[] = [];
        const streamed = runReconcile(Buffer.from(rText), Buffer.from(tText), {}, undefined, {
          line: (l) => lines.push(`${l}\n`),
        });
        const collected = runReconcile(rText, tText);
        expect(streamed.errors).toEqual([]);
        expect(lines.join('')).toBe(collected.output);
      }),
      { numRuns: 100 },
    );
  });

  it('formats a proposal exactly as JSON.stringify of its five fields', () => {
    fc.assert(
      fc.property(
        fc.record({
          receiptId: fc.string(),
          transactionId: fc.string(),
          score: fc.double({ min: 0, max: 1, noNaN: true }),
          auto: fc.boolean(),
          reasons: fc.array(fc.string({ unit: 'binary' })),
        }),
        (p) => {
          expect(formatProposal(p)).toBe(JSON.stringify(p));
        },
      ),
    );
  });
});

describe('reading a file in chunks', () => {
  it('parses exactly as the whole text: lines across chunk ends, longer than a chunk, blank, bad, repeated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quittance-chunks-'));
    const path = join(dir, 'receipts.jsonl');
    const lineArb = fc.oneof(
      fc
        .record({
          id: fc.constantFrom('r1', 'r2', 'r3', 'ré4'),
          employeeId: fc.option(fc.constantFrom('e1', 'e2'), { nil: null }),
          vendor: fc.string({ unit: 'binary', maxLength: 40 }),
          date: fc.constantFrom('2024-02-29', '2024-02-30'),
          total: fc.constantFrom('12.30', '-4', '1.234'),
          currency: fc.constantFrom('EUR', 'JPY'),
          cardLast4: fc.option(fc.constant('4242'), { nil: null }),
        })
        .map((o) => JSON.stringify(o)),
      fc.constantFrom('', '   ', '{', 'null', '{"id": 7}'),
    );
    try {
      fc.assert(
        fc.property(
          fc.array(lineArb, { maxLength: 12 }),
          fc.boolean(),
          fc.integer({ min: 1, max: 300 }),
          (lines, finalNewline, chunkBytes) => {
            const text = lines.join('\n') + (finalNewline ? '\n' : '');
            writeFileSync(path, text);
            const fd = openSync(path, 'r');
            try {
              expect(parseReceipts({ fd, chunkBytes }, 'receipts')).toEqual(parseReceipts(text, 'receipts'));
            } finally {
              closeSync(fd);
            }
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JSONL parsing fast path', () => {
  const line = (o: object): string => JSON.stringify(o);
  const r = {
    id: 'r1',
    employeeId: 'e1',
    vendor: 'Café Olivier',
    date: '2024-02-29',
    total: '12.30',
    currency: 'EUR',
    cardLast4: null,
  };
  const t = {
    id: 't1',
    employeeId: 'e1',
    merchantName: 'SQ *CAFE OLIVIER',
    mcc: '5812',
    amount: '14.10',
    currency: 'EUR',
    merchantAmount: null,
    merchantCurrency: null,
    authorizedAt: '2024-02-29T12:30:00Z',
    postedAt: null,
    cardLast4: '4242',
  };

  it('reads a line the same whether it takes the fast path or the schema (a numeric id forces the schema)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999 }),
        fc.bigInt({ min: -99_999n, max: 99_999n }),
        fc.constantFrom('EUR', 'JPY', 'USD'),
        fc.option(fc.constantFrom('e7', 'e8'), { nil: null }),
        (n, minor, currency, employeeId) => {
          const total = formatMoney(money(minor, currency));
          const fast = parseReceipts(line({ ...r, id: String(n), employeeId, total, currency }));
          const slow = parseReceipts(line({ ...r, id: n, employeeId, total, currency }));
          expect(fast).toEqual(slow);
          const amount = formatMoney(money(minor, 'EUR'));
          const fastT = parseTransactions(line({ ...t, id: String(n), amount, mcc: '742' }));
          const slowT = parseTransactions(line({ ...t, id: n, amount, mcc: 742 }));
          expect(fastT).toEqual(slowT);
        },
      ),
    );
  });

  it('accepts exactly the instants the schema accepts (the digit check of the common form included)', () => {
    const d2 = fc.constantFrom('00', '01', '09', '12', '13', '23', '24', '28', '29', '30', '31', '59', '60', '1a');
    fc.assert(
      fc.property(
        fc.constantFrom('2024', '2023', '0000', '9999', '20x4'),
        d2,
        d2,
        d2,
        d2,
        d2,
        fc.constantFrom('Z', 'z', '+01:00', ''),
        (y, mo, d, h, mi, s, zone) => {
          const authorizedAt = `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`;
          const fast = parseTransactions(line({ ...t, authorizedAt }));
          const slow = parseTransactions(line({ ...t, id: 1, authorizedAt }));
          expect(fast.errors).toEqual(slow.errors);
          expect(fast.items.map((x) => ({ ...x, id: '1' }))).toEqual(slow.items);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves bad lines to the schema, which words the error', () => {
    const text = [
      line({ ...r, date: '2023-02-29' }),
      line({ ...r, id: 'r2', total: '1.234' }),
      line({ ...r, id: 'r3', currency: 'eur' }),
      line(r),
      line(r),
    ].join('\n');
    const { items, errors } = parseReceipts(Buffer.from(text), 'R.jsonl');
    expect(items.map((x) => x.id)).toEqual(['r1']);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [1, 'date'],
      [2, 'total'],
      [3, 'currency'],
      [5, 'id'],
    ]);
    expect(errors[0]?.message).toBe('not a calendar date');
  });
});

describe('a receipt with more candidates than it keeps', () => {
  it('keeps the best ones in (score, id) order, ties at the cut included, as ranking every pair would', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...DESCRIPTORS), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 })),
          {
            minLength: 9,
            maxLength: 40,
          },
        ),
        fc.integer({ min: 1, max: 4 }),
        (charges, suggestions) => {
          const lost = receipt({
            id: 'lost',
            employeeId: null,
            cardLast4: null,
            vendor: 'Le Petit Bistrot',
            totalStr: '40.00',
          });
          // Ids in an order unrelated to the scores, so that equal scores are ranked by id.
          const transactions = charges.map(([merchantName, d, hour], k) =>
            tx({
              id: `t${(k * 7919) % 1000}`,
              employeeId: `e${k}`,
              merchantName,
              mcc: '5812',
              amountStr: '40.00',
              authorizedAt: `2024-05-0${1 + d}T${10 + 4 * hour}:00:00Z`,
              cardLast4: null,
            }),
          );
          const options = { suggestionsPerReceipt: suggestions };
          const ranked = transactions
            .map((t) => ({ id: t.id, s: scorePrepared(prepareReceipt(lost), prepareTransaction(t)) }))
            .filter((x) => x.s.rejected === null && x.s.score >= 0.45)
            .sort((a, b) => b.s.score - a.s.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .map((x) => x.id);
          const { proposals } = reconcile([lost], transactions, options);
          const printed = proposals.map((p) => p.transactionId);
          expect(printed).toEqual(ranked.slice(0, printed.length));
          if (proposals[0] && !proposals[0].auto) expect(printed.length).toBe(Math.min(suggestions, ranked.length));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('receipts without owner nor card', () => {
  it('find a same-day tipped charge at the merchant among other employees’ charges, and the exact amount anywhere', () => {
    const lost = receipt({
      id: 'lost',
      employeeId: null,
      cardLast4: null,
      vendor: 'Le Petit Bistrot',
      totalStr: '40.00',
    });
    const others = Array.from({ length: 30 }, (_, i) =>
      tx({
        id: `o${i}`,
        employeeId: `e${i}`,
        merchantName: 'LE PETIT BISTROT PARIS',
        mcc: '5812',
        amountStr: `${60 + i}.00`,
        authorizedAt: '2024-05-02T19:00:00Z',
      }),
    );
    const tipped = tx({
      id: 'tipped',
      employeeId: 'e99',
      merchantName: 'LE PETIT BISTROT PARIS',
      mcc: '5812',
      amountStr: '44.00',
      authorizedAt: '2024-05-02T19:30:00Z',
    });
    const { proposals } = reconcile([lost], [...others, tipped]);
    expect(proposals.map((p) => p.transactionId)).toContain('tipped');
    // A tip is only looked for on the receipt's day: the same charge a week later is not a candidate…
    const later = { ...tipped, authorizedAt: '2024-05-08T19:30:00Z' };
    expect(reconcile([lost], [later]).proposals).toEqual([]);
    // …while the exact amount is found anywhere in the window, at any merchant.
    const exact = tx({ id: 'exact', employeeId: 'e5', amountStr: '40.00', authorizedAt: '2024-05-04T10:00:00Z' });
    expect(reconcile([lost], [exact]).proposals.map((p) => p.transactionId)).toEqual(['exact']);
  });
});
