import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyExposureDelta,
  available,
  type BudgetLine,
  changeLimit,
  openLine,
  release,
  reserve,
  settle,
} from '../../../shared/domain/cards/budget.ts';
import { eur } from './builders.ts';

const line = (limit: number, reserved = 0, settled = 0): BudgetLine => ({
  lineId: 'b1#2026-11',
  limit: eur(limit),
  reserved: eur(reserved),
  settled: eur(settled),
});

describe('budget line operations', () => {
  it('reserves while reserved + settled + amount <= limit, exactly up to the limit', () => {
    expect(reserve(line(10_000, 3_000, 2_000), eur(5_000))).toEqual({ ok: true, line: line(10_000, 8_000, 2_000) });
    expect(reserve(line(10_000, 3_000, 2_000), eur(5_001))).toMatchObject({
      ok: false,
      reason: 'insufficient-funds',
      available: eur(5_000),
    });
  });

  it('refuses zero or negative reservations and other currencies', () => {
    expect(reserve(line(100), eur(0))).toMatchObject({ ok: false, reason: 'invalid-amount' });
    expect(reserve(line(100), eur(-1))).toMatchObject({ ok: false, reason: 'invalid-amount' });
    expect(reserve(line(100), { minor: 1n, currency: 'USD' })).toMatchObject({ reason: 'currency-mismatch' });
  });

  it('releases what is reserved, never more', () => {
    expect(release(line(100, 60), eur(60))).toEqual({ ok: true, line: line(100, 0) });
    expect(release(line(100, 60), eur(61))).toMatchObject({ ok: false, reason: 'over-release' });
  });

  it('settles a partial capture, an over-capture (tip) beyond the limit, and a refund', () => {
    expect(settle(line(100, 80), eur(80), eur(50))).toEqual({ ok: true, line: line(100, 0, 50) });
    const tipped = settle(line(100, 100), eur(100), eur(115));
    expect(tipped).toEqual({ ok: true, line: line(100, 0, 115) });
    expect(tipped.ok && available(tipped.line)).toEqual(eur(-15));
    expect(settle(line(100, 0, 50), eur(0), eur(-20))).toEqual({ ok: true, line: line(100, 0, 30) });
    expect(settle(line(100, 10), eur(20), eur(20))).toMatchObject({ ok: false, reason: 'over-release' });
  });

  it('applies ledger deltas unless they would release more than is reserved', () => {
    expect(applyExposureDelta(line(100, 40), { reserved: eur(-40), settled: eur(45) })).toEqual({
      ok: true,
      line: line(100, 0, 45),
    });
    expect(applyExposureDelta(line(100, 40), { reserved: eur(-41), settled: eur(0) })).toMatchObject({
      reason: 'over-release',
    });
  });

  it('changes a limit only from the value finance saw', () => {
    expect(changeLimit(line(100, 40), eur(100), eur(30))).toEqual({ ok: true, line: line(30, 40) });
    expect(changeLimit(line(100), eur(90), eur(30))).toMatchObject({ ok: false });
  });

  it('opens a line with nothing used', () => {
    expect(openLine('b1#2026-11', eur(100))).toEqual(line(100));
  });
});

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('reserve' as const), auth: fc.nat(20), amount: fc.integer({ min: 1, max: 4_000 }) }),
    fc.record({ kind: fc.constant('release' as const), auth: fc.nat(20) }),
    fc.record({ kind: fc.constant('capture' as const), auth: fc.nat(20), fraction: fc.integer({ min: 0, max: 100 }) }),
  ),
  { maxLength: 200 },
);

describe('budget properties', () => {
  it('never overspends: reserve/release/settle (captures up to what was approved) keep reserved + settled <= limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), ops, (limit, sequence) => {
        let current = openLine('b1#2026-11', eur(limit));
        const held = new Map<number, bigint>();
        let approvedTotal = 0n;
        for (const op of sequence) {
          if (op.kind === 'reserve' && !held.has(op.auth)) {
            const r = reserve(current, eur(op.amount));
            if (r.ok) {
              current = r.line;
              held.set(op.auth, BigInt(op.amount));
              approvedTotal += BigInt(op.amount);
            }
          } else if (op.kind === 'release' && held.has(op.auth)) {
            const r = release(current, eur(held.get(op.auth) ?? 0n));
            expect(r.ok).toBe(true);
            if (r.ok) current = r.line;
            held.delete(op.auth);
          } else if (op.kind === 'capture' && held.has(op.auth)) {
            const reserved = held.get(op.auth) ?? 0n;
            const r = settle(current, eur(reserved), eur((reserved * BigInt(op.fraction)) / 100n));
            expect(r.ok).toBe(true);
            if (r.ok) current = r.line;
            held.delete(op.auth);
          }
          expect(current.reserved.minor + current.settled.minor <= current.limit.minor).toBe(true);
          expect(current.reserved.minor >= 0n && current.settled.minor >= 0n).toBe(true);
        }
        expect(current.reserved.minor).toBe([...held.values()].reduce((s, v) => s + v, 0n));
        expect(approvedTotal >= current.settled.minor).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('200 racing authorizations: whatever the order, approvals never exceed the limit and fill it greedily', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 200, maxLength: 200 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (amounts, limit) => {
          // Each reservation is one conditional update; DynamoDB applies them one at a time in some order.
          let current = openLine('b1#2026-11', eur(limit));
          let approved = 0n;
          for (const amount of amounts) {
            const r = reserve(current, eur(amount));
            if (r.ok) {
              current = r.line;
              approved += BigInt(amount);
            } else {
              expect(available(current).minor < BigInt(amount)).toBe(true);
            }
          }
          expect(approved).toBe(current.reserved.minor);
          expect(approved <= BigInt(limit)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
