import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyExposureDelta, openLine } from '../../../shared/domain/cards/budget.ts';
import {
  applyCardEvent,
  type CardLedgerState,
  emptyLedger,
  exposureDelta,
  exposures,
  ledgerKeyOf,
  recordDecision,
  reduceCardEvents,
} from '../../../shared/domain/cards/ledger.ts';
import type { CardEvent } from '../../../shared/domain/cards/model.ts';
import { authEvent, authorization, eur, transaction, txEvent } from './builders.ts';

describe('card ledger', () => {
  it('posts a capture once, whether it comes alone, embedded in its authorization, or twice', () => {
    // Prepare
    const capture = transaction('ipi_1', 'iauth_1', 4200, 5);
    const events = [
      txEvent('evt_tx', capture),
      authEvent('evt_closed', authorization('iauth_1', 4200, 'closed', 6, { transactionIds: ['ipi_1'] }), [capture]),
      txEvent('evt_tx', capture),
    ];
    // Act
    let state = emptyLedger();
    const posted: string[] = [];
    const applied: boolean[] = [];
    for (const e of events) {
      const change = applyCardEvent(state, e);
      state = change.state;
      posted.push(...change.posted.map((t) => t.id));
      applied.push(change.applied);
    }
    // Assess
    expect(posted).toEqual(['ipi_1']);
    expect(applied).toEqual([true, true, false]);
    expect(Object.keys(state.transactions)).toEqual(['stripe:ipi_1']);
  });

  it('a capture before its authorization ends like the usual order', () => {
    const created = authEvent('evt_a', authorization('iauth_1', 5000, 'pending', 1));
    const capture = txEvent('evt_c', transaction('ipi_1', 'iauth_1', 5000, 5));
    const closed = authEvent('evt_b', authorization('iauth_1', 5000, 'closed', 6));
    expect(reduceCardEvents([capture, closed, created])).toEqual(reduceCardEvents([created, capture, closed]));
    expect(reduceCardEvents([capture, closed, created]).authorizations['stripe:iauth_1']?.authorization.status).toBe(
      'closed',
    );
  });

  it('a final snapshot wins over a later pending one (clock skew between events)', () => {
    const closed = authEvent('evt_1', authorization('iauth_1', 5000, 'reversed', 1));
    const pending = authEvent('evt_2', authorization('iauth_1', 5000, 'pending', 9));
    expect(reduceCardEvents([closed, pending]).authorizations['stripe:iauth_1']?.authorization.status).toBe('reversed');
  });

  it('reports a revised transaction when a later version changes it', () => {
    const first = applyCardEvent(emptyLedger(), txEvent('evt_1', transaction('ipi_1', 'iauth_1', 1000, 1)));
    const second = applyCardEvent(first.state, txEvent('evt_2', transaction('ipi_1', 'iauth_1', 1100, 2)));
    expect(second.posted).toEqual([]);
    expect(second.revised.map((t) => t.amount)).toEqual([eur(1100)]);
  });

  it('keys events by their authorization, or by the transaction when it has none', () => {
    expect(ledgerKeyOf(txEvent('e', transaction('ipi_1', 'iauth_1', 1, 1)))).toBe('stripe:iauth_1');
    expect(ledgerKeyOf(txEvent('e', transaction('ipi_2', null, -1, 1)))).toBe('stripe:ipi_2');
  });

  describe('exposure (what budgets reserve and settle)', () => {
    const key = 'stripe:iauth_1';
    const exposure = (events: CardEvent[], state: CardLedgerState = emptyLedger()) =>
      exposures(reduceCardEvents(events, state))[key];

    it('a pending authorization reserves its amount', () => {
      expect(exposure([authEvent('e1', authorization('iauth_1', 5000, 'pending', 1))])).toEqual({
        reserved: eur(5000),
        settled: eur(0),
      });
    });

    it('a partial capture settles what was captured and, once closed, releases the rest', () => {
      const events = [
        authEvent('e1', authorization('iauth_1', 5000, 'pending', 1)),
        txEvent('e2', transaction('ipi_1', 'iauth_1', 3000, 2)),
      ];
      expect(exposure(events)).toEqual({ reserved: eur(2000), settled: eur(3000) });
      events.push(authEvent('e3', authorization('iauth_1', 5000, 'closed', 3)));
      expect(exposure(events)).toEqual({ reserved: eur(0), settled: eur(3000) });
    });

    it('multiple captures and an over-capture (tip) settle more than was reserved', () => {
      const events = [
        authEvent('e1', authorization('iauth_1', 5000, 'pending', 1)),
        txEvent('e2', transaction('ipi_1', 'iauth_1', 4000, 2)),
        txEvent('e3', transaction('ipi_2', 'iauth_1', 2000, 3)),
      ];
      expect(exposure(events)).toEqual({ reserved: eur(0), settled: eur(6000) });
    });

    it('captures the processor already counted in its snapshot are not subtracted twice', () => {
      const auth = authorization('iauth_1', 5000, 'pending', 3, {
        pendingAmount: eur(2000),
        transactionIds: ['ipi_1'],
      });
      const events = [authEvent('e1', auth), txEvent('e2', transaction('ipi_1', 'iauth_1', 3000, 2))];
      expect(exposure(events)).toEqual({ reserved: eur(2000), settled: eur(3000) });
    });

    it('reversal and expiry release everything; a refund settles negative', () => {
      expect(exposure([authEvent('e1', authorization('iauth_1', 5000, 'reversed', 1))])).toEqual({
        reserved: eur(0),
        settled: eur(0),
      });
      const refund = txEvent('e4', transaction('ipi_9', null, -1500, 4));
      expect(exposures(reduceCardEvents([refund]))['stripe:ipi_9']).toEqual({ reserved: eur(0), settled: eur(-1500) });
    });

    it('an approved decision reserves until the processor confirms the authorization', () => {
      const decision = {
        processor: 'stripe',
        authorizationId: 'iauth_1',
        approved: true,
        amount: eur(5000),
        decidedAt: '2026-11-20T09:00:00.000Z',
        eventId: 'evt_req',
      } as const;
      const decided = recordDecision(emptyLedger(), decision);
      expect(exposures(decided)[key]).toEqual({ reserved: eur(5000), settled: eur(0) });
      const confirmed = reduceCardEvents([authEvent('e1', authorization('iauth_1', 5000, 'pending', 1))], decided);
      expect(exposureDelta(decided, confirmed)).toEqual([]);
      const declined = recordDecision(emptyLedger(), { ...decision, approved: false });
      expect(exposures(declined)[key]).toEqual({ reserved: eur(0), settled: eur(0) });
    });
  });
});

/** One authorization's life, as the processor would send it, with some captures and refunds. */
const scenario = fc
  .record({
    amount: fc.integer({ min: 1, max: 100_000 }),
    captures: fc.array(fc.integer({ min: 1, max: 60_000 }), { maxLength: 3 }),
    refunds: fc.array(fc.integer({ min: 1, max: 20_000 }), { maxLength: 2 }),
    ending: fc.constantFrom('closed', 'reversed', 'expired', 'declined', 'pending'),
    updates: fc.integer({ min: 0, max: 2 }),
    // The final snapshot may carry an earlier time than a pending update (clock skew): it must still win.
    finalAt: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ amount, captures, refunds, ending, updates, finalAt }) => (auth: number) => {
    const id = `iauth_${auth}`;
    const events: CardEvent[] = [authEvent(`${id}_created`, authorization(id, amount, 'pending', 1))];
    for (let i = 0; i < updates; i++) {
      events.push(authEvent(`${id}_upd${i}`, authorization(id, amount, 'pending', 2 + i)));
    }
    captures.forEach((c, i) => {
      events.push(txEvent(`${id}_cap${i}`, transaction(`${id}_ipi_c${i}`, id, c, 10 + i)));
    });
    refunds.forEach((r, i) => {
      events.push(txEvent(`${id}_ref${i}`, transaction(`${id}_ipi_r${i}`, null, -r, 20 + i)));
    });
    if (ending !== 'pending') {
      const final = authorization(id, amount, ending as 'closed', finalAt);
      const embedded = captures.map((c, i) => transaction(`${id}_ipi_c${i}`, id, c, 10 + i));
      events.push(authEvent(`${id}_final`, { ...final, transactionIds: embedded.map((t) => t.id) }, embedded));
    }
    return events;
  });

const deliveries = fc
  .array(scenario, { minLength: 1, maxLength: 3 })
  .map((lives) => lives.flatMap((life, i) => life(i)))
  .chain((events) =>
    fc.tuple(
      fc.constant(events),
      fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 10 }),
    ),
  );

describe('card ledger properties', () => {
  it('shuffled and duplicated deliveries converge to the same state', () => {
    fc.assert(
      fc.property(deliveries, ([inOrder, shuffled, dupIdx]) => {
        const withDuplicates = [...shuffled];
        for (const i of dupIdx) withDuplicates.splice(i % (withDuplicates.length + 1), 0, inOrder[i] as CardEvent);
        expect(reduceCardEvents(withDuplicates)).toEqual(reduceCardEvents(inOrder));
      }),
      { numRuns: 300 },
    );
  });

  it('never posts a transaction twice, and posts each one exactly once', () => {
    fc.assert(
      fc.property(deliveries, ([inOrder, shuffled, dupIdx]) => {
        const sequence = [...shuffled, ...dupIdx.map((i) => inOrder[i] as CardEvent)];
        let state = emptyLedger();
        const posted: string[] = [];
        for (const e of sequence) {
          const change = applyCardEvent(state, e);
          state = change.state;
          posted.push(...change.posted.map((t) => t.id));
        }
        expect(new Set(posted).size).toBe(posted.length);
        expect(posted.sort()).toEqual(
          Object.values(state.transactions)
            .map((v) => v.transaction.id)
            .sort(),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('budget deltas along any order sum to the final exposure', () => {
    fc.assert(
      fc.property(deliveries, ([, shuffled]) => {
        let state = emptyLedger();
        const totals = new Map<string, { reserved: bigint; settled: bigint }>();
        for (const e of shuffled) {
          const next = applyCardEvent(state, e).state;
          for (const d of exposureDelta(state, next)) {
            const t = totals.get(d.key) ?? { reserved: 0n, settled: 0n };
            totals.set(d.key, { reserved: t.reserved + d.reserved.minor, settled: t.settled + d.settled.minor });
          }
          state = next;
        }
        for (const [key, e] of Object.entries(exposures(state))) {
          const t = totals.get(key) ?? { reserved: 0n, settled: 0n };
          expect([key, t.reserved, t.settled]).toEqual([key, e.reserved.minor, e.settled.minor]);
          expect(e.reserved.minor >= 0n).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a budget line fed every delta in any order ends exactly at the sum of the exposures, never releasing too much', () => {
    fc.assert(
      fc.property(deliveries, ([, shuffled, dupIdx]) => {
        const sequence = [...shuffled, ...dupIdx.map((i) => shuffled[i] as CardEvent)];
        let state = emptyLedger();
        let line = openLine('alice#2026-11', eur(10_000_000));
        for (const e of sequence) {
          const next = applyCardEvent(state, e).state;
          for (const d of exposureDelta(state, next)) {
            const r = applyExposureDelta(line, d);
            expect(r.ok).toBe(true);
            if (r.ok) line = r.line;
          }
          state = next;
        }
        const all = Object.values(exposures(state));
        expect(line.reserved.minor).toBe(all.reduce((s, x) => s + x.reserved.minor, 0n));
        expect(line.settled.minor).toBe(all.reduce((s, x) => s + x.settled.minor, 0n));
      }),
      { numRuns: 200 },
    );
  });
});
