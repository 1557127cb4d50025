import { describe, expect, it } from 'vitest';
import { type CompanyControlsInput, companyControlsSchema, periodKey } from '../../../shared/domain/cards/controls.ts';
import {
  type CardholderState,
  decideAuthorization,
  decisionDeadline,
  fallbackDecision,
} from '../../../shared/domain/cards/decide-authorization.ts';
import { merchantOf } from '../../../shared/domain/cards/merchant.ts';
import { money } from '../../../shared/domain/money.ts';
import { eur, merchant, request } from './builders.ts';

const now = new Date('2026-11-20T09:00:00Z');

const controls = (extra: Partial<CompanyControlsInput> = {}) =>
  companyControlsSchema.parse({ companyId: 'demo', currency: 'EUR', fallback: 'decline', ...extra });

const alice: CardholderState = {
  employeeId: 'u_alice',
  teamIds: ['sales'],
  active: true,
  oldestMissingReceiptSince: null,
};

const budgets = {
  budgets: [
    {
      id: 'alice-monthly',
      scope: { kind: 'employee', employeeId: 'u_alice' },
      period: { kind: 'month' },
      limit: { amount: '500.00', currency: 'EUR' },
    },
    {
      id: 'sales-q',
      scope: { kind: 'team', teamId: 'sales' },
      period: { kind: 'quarter' },
      limit: { amount: '2000.00', currency: 'EUR' },
    },
    {
      id: 'bob-monthly',
      scope: { kind: 'employee', employeeId: 'u_bob' },
      period: { kind: 'month' },
      limit: { amount: '1.00', currency: 'EUR' },
    },
  ],
} satisfies Partial<CompanyControlsInput>;

const codes = (d: { reasons: { code: string }[] }) => d.reasons.map((r) => r.code);

describe('decideAuthorization', () => {
  it('approves within controls and reserves on the employee and team lines of the current periods', () => {
    const decision = decideAuthorization(request(4200), controls(budgets), { lines: {} }, alice, now);
    expect(decision).toEqual({
      approved: true,
      reasons: [],
      fallback: false,
      reservations: [
        { lineId: 'alice-monthly#2026-11', budgetId: 'alice-monthly', amount: eur(4200), limit: eur(50_000) },
        { lineId: 'sales-q#2026-Q4', budgetId: 'sales-q', amount: eur(4200), limit: eur(200_000) },
      ],
    });
  });

  it('declines when any applicable line has less left than requested, with the remaining balance', () => {
    const lines = {
      'sales-q#2026-Q4': {
        lineId: 'sales-q#2026-Q4',
        limit: eur(200_000),
        reserved: eur(150_000),
        settled: eur(47_000),
      },
    };
    const decision = decideAuthorization(request(4200), controls(budgets), { lines }, alice, now);
    expect(decision).toMatchObject({ approved: false, reservations: [] });
    expect(decision.reasons).toEqual([
      { code: 'budget-exceeded', message: 'budget sales-q has 30.00 EUR left, 42.00 EUR requested' },
    ]);
    expect(decideAuthorization(request(3000), controls(budgets), { lines }, alice, now).approved).toBe(true);
  });

  it('approves with no reservation when no budget applies', () => {
    const decision = decideAuthorization(request(4200), controls(), { lines: {} }, alice, now);
    expect(decision).toEqual({ approved: true, reasons: [], reservations: [], fallback: false });
  });

  it('one-off budgets apply only between their start and end', () => {
    const oneOff = controls({
      budgets: [
        {
          id: 'offsite',
          scope: { kind: 'employee', employeeId: 'u_alice' },
          period: { kind: 'one-off', start: '2026-11-19T00:00:00Z', end: '2026-11-21T00:00:00Z' },
          limit: { amount: '10.00', currency: 'EUR' },
        },
      ],
    });
    expect(codes(decideAuthorization(request(1001), oneOff, { lines: {} }, alice, now))).toEqual(['budget-exceeded']);
    const later = new Date('2026-11-21T00:00:00Z');
    expect(decideAuthorization(request(1001), oneOff, { lines: {} }, alice, later).reservations).toEqual([]);
  });

  it('enforces the per-transaction cap', () => {
    const c = controls({ perTransactionCap: { amount: '100.00', currency: 'EUR' } });
    expect(decideAuthorization(request(10_000), c, { lines: {} }, alice, now).approved).toBe(true);
    expect(decideAuthorization(request(10_001), c, { lines: {} }, alice, now).reasons).toEqual([
      { code: 'over-transaction-cap', message: '100.01 EUR is over the per-transaction cap of 100.00 EUR' },
    ]);
  });

  it('applies MCC block and allow lists (block wins)', () => {
    const bar = request(1000, { merchant: merchant('Le Bar', '5813') });
    expect(codes(decideAuthorization(bar, controls({ mcc: { block: ['5813'] } }), { lines: {} }, alice, now))).toEqual([
      'mcc-blocked',
    ]);
    const allowRestaurants = controls({ mcc: { allow: ['5812'] } });
    expect(codes(decideAuthorization(bar, allowRestaurants, { lines: {} }, alice, now))).toEqual(['mcc-not-allowed']);
    expect(decideAuthorization(request(1000), allowRestaurants, { lines: {} }, alice, now).approved).toBe(true);
    const noMcc = request(1000, {
      merchant: merchantOf({ name: 'X', mcc: null, city: null, country: null, acceptorId: null }),
    });
    expect(codes(decideAuthorization(noMcc, allowRestaurants, { lines: {} }, alice, now))).toEqual(['mcc-not-allowed']);
  });

  it('matches merchant lists on normalized whole words', () => {
    const c = controls({ merchants: { block: ['amazon'] } });
    const amazon = request(1000, { merchant: merchant('WWW.AMAZON.FR*2K4', '5942') });
    const amazonia = request(1000, { merchant: merchant('Amazonia Café', '5812') });
    expect(decideAuthorization(amazon, c, { lines: {} }, alice, now).reasons).toEqual([
      { code: 'merchant-blocked', message: 'merchant "WWW.AMAZON.FR*2K4" matches the blocked entry "amazon"' },
    ]);
    expect(decideAuthorization(amazonia, c, { lines: {} }, alice, now).approved).toBe(true);
    const allowTrains = controls({ merchants: { allow: ['SNCF', 'Trainline'] } });
    expect(
      decideAuthorization(
        request(1000, { merchant: merchant('SNCF Voyageurs') }),
        allowTrains,
        { lines: {} },
        alice,
        now,
      ).approved,
    ).toBe(true);
    expect(codes(decideAuthorization(amazonia, allowTrains, { lines: {} }, alice, now))).toEqual([
      'merchant-not-allowed',
    ]);
  });

  it('blocks countries given as alpha-2 or alpha-3, whatever the processor sends', () => {
    const c = controls({ blockedCountries: ['RUS', 'ir'] });
    expect(c.blockedCountries).toEqual(['RU', 'IR']);
    for (const sent of ['RU', 'RUS', '643']) {
      const r = request(1000, {
        merchant: merchantOf({ name: 'X', mcc: '5812', city: null, country: sent, acceptorId: null }),
      });
      expect(codes(decideAuthorization(r, c, { lines: {} }, alice, now))).toEqual(['country-blocked']);
    }
    expect(decideAuthorization(request(1000), c, { lines: {} }, alice, now).approved).toBe(true);
  });

  it('locks the card while a receipt has been missing for more than N days', () => {
    const c = controls({ overdueReceiptLockDays: 30 });
    const missing = (since: string) => ({ ...alice, oldestMissingReceiptSince: since });
    expect(decideAuthorization(request(1000), c, { lines: {} }, missing('2026-10-21T09:00:00Z'), now).approved).toBe(
      true,
    );
    expect(decideAuthorization(request(1000), c, { lines: {} }, missing('2026-10-20T08:00:00Z'), now).reasons).toEqual([
      { code: 'receipts-overdue', message: 'a receipt has been missing for 31 days (the card locks after 30)' },
    ]);
    expect(
      decideAuthorization(request(1000), controls(), { lines: {} }, missing('2020-01-01T00:00:00Z'), now).approved,
    ).toBe(true);
  });

  it('declines unassigned cards, inactive employees and foreign-currency card amounts', () => {
    const unassigned = { ...alice, employeeId: null };
    expect(codes(decideAuthorization(request(1000), controls(budgets), { lines: {} }, unassigned, now))).toEqual([
      'card-unassigned',
    ]);
    expect(
      codes(decideAuthorization(request(1000), controls(), { lines: {} }, { ...alice, active: false }, now)),
    ).toEqual(['employee-inactive']);
    const usd = request(1000, { amount: money(1000, 'USD') });
    expect(codes(decideAuthorization(usd, controls(budgets), { lines: {} }, alice, now))).toEqual([
      'currency-unsupported',
    ]);
  });

  it('reports every failed rule at once', () => {
    const c = controls({
      ...budgets,
      perTransactionCap: { amount: '10.00', currency: 'EUR' },
      mcc: { block: ['5812'] },
    });
    expect(codes(decideAuthorization(request(60_000), c, { lines: {} }, alice, now))).toEqual([
      'over-transaction-cap',
      'mcc-blocked',
      'budget-exceeded',
    ]);
  });

  it('approves credits (refund authorizations) without checks or reservations', () => {
    const refund = request(-1000, { merchant: merchant('Le Bar', '5813') });
    const c = controls({ mcc: { block: ['5813'] } });
    expect(decideAuthorization(refund, c, { lines: {} }, { ...alice, employeeId: null }, now)).toEqual({
      approved: true,
      reasons: [],
      reservations: [],
      fallback: false,
    });
  });
});

describe('fallback and deadline', () => {
  it('answers with the company fallback, recorded with its cause', () => {
    expect(fallbackDecision(controls({ fallback: 'approve' }), 'timeout')).toEqual({
      approved: true,
      reasons: [
        {
          code: 'fallback-approve',
          message: 'the decision could not be made in time: the company fallback (approve) answered',
        },
      ],
      reservations: [],
      fallback: true,
    });
    expect(fallbackDecision(controls(), 'budget-store-unavailable')).toMatchObject({
      approved: false,
      reasons: [{ code: 'fallback-decline' }],
    });
    expect(fallbackDecision(null, 'controls-unavailable').approved).toBe(false);
  });

  it('sets the deadline from the configured timeout (1.5 s by default, Stripe waits 2 s)', () => {
    expect(decisionDeadline(now, controls()).toISOString()).toBe('2026-11-20T09:00:01.500Z');
    expect(decisionDeadline(now, controls({ decisionTimeoutMs: 800 })).toISOString()).toBe('2026-11-20T09:00:00.800Z');
  });
});

describe('controls configuration', () => {
  it('rejects unknown countries, bad MCCs, foreign budget currencies, duplicate ids and inverted one-offs', () => {
    const bad = companyControlsSchema.safeParse({
      companyId: 'demo',
      currency: 'EUR',
      fallback: 'approve',
      blockedCountries: ['XX'],
      mcc: { block: ['58'] },
      budgets: [
        {
          id: 'b',
          scope: { kind: 'employee', employeeId: 'u' },
          period: { kind: 'month' },
          limit: { amount: '1', currency: 'USD' },
        },
        {
          id: 'b',
          scope: { kind: 'team', teamId: 't' },
          period: { kind: 'one-off', start: '2026-12-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
          limit: { amount: '1', currency: 'EUR' },
        },
      ],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error?.issues.map((i) => i.message) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        'unknown country code "XX"',
        'an MCC has 4 digits',
        'a one-off budget must start before it ends',
      ]),
    );
    const second = companyControlsSchema.safeParse({
      companyId: 'demo',
      currency: 'EUR',
      fallback: 'approve',
      budgets: [
        {
          id: 'b',
          scope: { kind: 'employee', employeeId: 'u' },
          period: { kind: 'month' },
          limit: { amount: '1', currency: 'USD' },
        },
        {
          id: 'b',
          scope: { kind: 'employee', employeeId: 'u' },
          period: { kind: 'month' },
          limit: { amount: '1', currency: 'EUR' },
        },
      ],
    });
    expect(second.error?.issues.map((i) => i.message)).toEqual(['budgets are in EUR', 'duplicate budget id']);
    expect(companyControlsSchema.safeParse({ companyId: 'd', currency: 'EUR', fallback: 'x' }).success).toBe(false);
    expect(
      companyControlsSchema.safeParse({ companyId: 'd', currency: 'EUR', fallback: 'approve', timeZone: 'Mars/Base' })
        .success,
    ).toBe(false);
  });

  it('computes periods in the company time zone', () => {
    const newYearParis = new Date('2026-12-31T23:30:00Z'); // already 2027 in Paris
    expect(periodKey({ kind: 'month' }, newYearParis, 'UTC')).toBe('2026-12');
    expect(periodKey({ kind: 'month' }, newYearParis, 'Europe/Paris')).toBe('2027-01');
    expect(periodKey({ kind: 'quarter' }, newYearParis, 'Europe/Paris')).toBe('2027-Q1');
    expect(periodKey({ kind: 'quarter' }, new Date('2026-06-30T12:00:00Z'), 'UTC')).toBe('2026-Q2');
  });
});
