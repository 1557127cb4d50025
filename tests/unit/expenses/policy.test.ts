import { describe, expect, it } from 'vitest';
import { chooseCategory } from '../../../shared/domain/expenses/categories.ts';
import type { Expense } from '../../../shared/domain/expenses/expense.ts';
import {
  evaluatePolicy,
  type PolicyRule,
  type PolicySetInput,
  parsePolicySet,
  policyInForce,
} from '../../../shared/domain/expenses/policy.ts';
import { eur, expense } from './helpers.ts';

const NOW = '2026-03-05T10:00:00Z';
const m = (amount: string) => ({ amount, currency: 'EUR' });

const policyWith = (rules: PolicySetInput['rules'], version = 7) =>
  parsePolicySet({ companyId: 'acme', version, effectiveFrom: '2026-01-01T00:00:00Z', currency: 'EUR', rules });

/** Rules are written `as const` below; parsing validates them. */
const check = (rule: object, e: Expense, sameDayOtherTotal?: ReturnType<typeof eur>) =>
  evaluatePolicy(policyWith([rule] as PolicySetInput['rules']), e, {
    now: NOW,
    ...(sameDayOtherTotal ? { sameDayOtherTotal } : {}),
  });

const codes = (vs: { code: string }[]) => vs.map((v) => v.code);

describe('policy validation', () => {
  it('rejects duplicate rule ids, amounts in another currency and a limit without amounts', () => {
    const r: PolicyRule = { id: 'r', severity: 'warn', type: 'possible-duplicate' };
    expect(() => policyWith([r, r])).toThrow(/duplicate rule id r/);
    expect(() =>
      policyWith([{ id: 'x', severity: 'warn', type: 'receipt-required', above: { amount: '10', currency: 'USD' } }]),
    ).toThrow(/amounts must be in EUR/);
    expect(() => policyWith([{ id: 'x', severity: 'warn', type: 'category-limit', category: 'meals' }])).toThrow(
      /at least one limit/,
    );
    expect(() => policyWith([{ id: 'x', severity: 'fatal', type: 'possible-duplicate' } as never])).toThrow();
  });

  it('picks the highest version in force', () => {
    const v1 = policyWith([], 1);
    const v2 = { ...policyWith([], 2), effectiveFrom: '2026-04-01T00:00:00Z' };
    expect(policyInForce([v1, v2], NOW)?.version).toBe(1);
    expect(policyInForce([v1, v2], '2026-04-01T00:00:00Z')?.version).toBe(2);
    expect(policyInForce([v2], NOW)).toBeNull();
  });
});

describe('policy rules', () => {
  it('category limit per expense, carrying code, severity, message and rule version', () => {
    const rule = {
      id: 'meals-cap',
      severity: 'block',
      type: 'category-limit',
      category: 'meals',
      perExpense: m('40.00'),
    } as const;
    expect(check(rule, expense({ amount: eur('40.00') }))).toEqual([]);
    expect(check(rule, expense({ amount: eur('40.01') }))).toEqual([
      {
        code: 'LIMIT_PER_EXPENSE',
        severity: 'block',
        message: '40.01 EUR is over the meals limit of 40.00 EUR per expense',
        ruleId: 'meals-cap',
        ruleVersion: 7,
      },
    ]);
    expect(check(rule, expense({ amount: eur('99.00') }, 'hotel'))).toEqual([]);
  });

  it('category limit per day adds the same day’s other expenses', () => {
    const rule = { id: 'd', severity: 'warn', type: 'category-limit', category: 'meals', perDay: m('60.00') } as const;
    expect(check(rule, expense(), eur('18.00'))).toEqual([]);
    const [v] = check(rule, expense(), eur('18.01'));
    expect(v?.code).toBe('LIMIT_PER_DAY');
    expect(v?.message).toBe('60.01 EUR of meals on 2026-03-02 is over the daily limit of 60.00 EUR');
  });

  it('category limit per attendee counts the employee plus the attendees', () => {
    const rule = {
      id: 'a',
      severity: 'warn',
      type: 'category-limit',
      category: 'meals',
      perAttendee: m('30.00'),
    } as const;
    const guests = [{ name: 'Jean Client', company: 'Client SA' }];
    expect(check(rule, expense({ amount: eur('60.00'), attendees: guests }))).toEqual([]);
    expect(check(rule, expense({ amount: eur('95.00'), attendees: guests }))[0]?.message).toBe(
      '95.00 EUR for 2 people (47.50 EUR each) is over the meals limit of 30.00 EUR per person',
    );
  });

  it('receipt required above an amount, for receipt-based expenses only', () => {
    const rule = { id: 'rcpt', severity: 'block', type: 'receipt-required', above: m('25.00') } as const;
    expect(codes(check(rule, expense({ receiptIds: [], amount: eur('25.01') })))).toEqual(['RECEIPT_MISSING']);
    expect(check(rule, expense({ receiptIds: [], amount: eur('25.00') }))).toEqual([]);
    expect(check(rule, expense({ receiptIds: ['r'], amount: eur('300.00') }))).toEqual([]);
    const mileage = expense({ type: 'mileage', receiptIds: [], amount: eur('80.00') }, 'mileage');
    expect(
      check(rule, {
        ...mileage,
        mileage: {
          fiscalYear: 2026,
          fiscalHorsepower: 5,
          electric: false,
          distanceKm: 100,
          priorDistanceKm: 0,
          from: 'a',
          to: 'b',
        },
      }),
    ).toEqual([]);
  });

  it('full VAT invoice above 150 € excluding VAT; a simplified invoice is enough up to it', () => {
    const rule = { id: 'vat', severity: 'warn', type: 'vat-invoice-required' } as const;
    const vat = (
      documentType: 'invoice' | 'simplified-invoice' | 'receipt',
      lines: { rate: string; amount: string }[],
    ) => ({
      receiptId: 'rcpt_1',
      documentType,
      currency: 'EUR',
      lines,
    });
    // 180.00 TTC with 30.00 VAT = 150.00 HT: at the threshold, fine
    expect(
      check(
        rule,
        expense({ amount: eur('180.00'), vat: vat('simplified-invoice', [{ rate: '20.00', amount: '30.00' }]) }),
      ),
    ).toEqual([]);
    // 180.02 TTC with 30.00 VAT = 150.02 HT: above
    const [v] = check(
      rule,
      expense({ amount: eur('180.02'), vat: vat('receipt', [{ rate: '20.00', amount: '30.00' }]) }),
    );
    expect(v?.code).toBe('VAT_INVOICE_REQUIRED');
    expect(v?.message).toMatch(/^150\.02 EUR excluding VAT is above 150\.00 EUR/);
    expect(
      check(rule, expense({ amount: eur('500.00'), vat: vat('invoice', [{ rate: '20.00', amount: '83.33' }]) })),
    ).toEqual([]);
    // nothing read: the total is taken as the amount excluding VAT (conservative)
    expect(codes(check(rule, expense({ amount: eur('150.01') })))).toEqual(['VAT_INVOICE_REQUIRED']);
    // a foreign merchant's VAT is not French VAT
    const abroad = expense({
      amount: eur('900.00'),
      merchant: { name: 'HOTEL', mcc: '7011', country: 'DE', city: null },
    });
    expect(check(rule, abroad)).toEqual([]);
  });

  it('forbidden MCCs and categories', () => {
    const mcc = { id: 'no-casino', severity: 'block', type: 'forbidden-mcc', mccs: ['7995'] } as const;
    const casino = expense({ merchant: { name: 'CASINO', mcc: '7995', country: 'FR', city: null } });
    expect(codes(check(mcc, casino))).toEqual(['FORBIDDEN_MCC']);
    expect(check(mcc, expense())).toEqual([]);
    const cat = { id: 'no-gifts', severity: 'block', type: 'forbidden-category', categories: ['gifts'] } as const;
    expect(codes(check(cat, expense({}, 'gifts')))).toEqual(['FORBIDDEN_CATEGORY']);
    expect(check(cat, expense({}, 'meals'))).toEqual([]);
  });

  it('weekend spend, optionally only for some categories', () => {
    const rule = { id: 'we', severity: 'warn', type: 'weekend-spend', categories: ['meals'] } as const;
    expect(codes(check(rule, expense({ spentOn: '2026-03-07' })))).toEqual(['WEEKEND_SPEND']); // Saturday
    expect(codes(check(rule, expense({ spentOn: '2026-03-08' })))).toEqual(['WEEKEND_SPEND']); // Sunday
    expect(check(rule, expense({ spentOn: '2026-03-06' }))).toEqual([]); // Friday
    expect(check(rule, expense({ spentOn: '2026-03-07' }, 'hotel'))).toEqual([]);
  });

  it('public-holiday spend, Easter-based holidays included', () => {
    const rule = { id: 'ph', severity: 'warn', type: 'public-holiday-spend' } as const;
    const [v] = check(rule, expense({ spentOn: '2026-05-14' }));
    expect(v).toMatchObject({
      code: 'PUBLIC_HOLIDAY_SPEND',
      message: 'spent on a public holiday (Ascension, 2026-05-14)',
    });
    expect(check(rule, expense({ spentOn: '2026-04-03' }))).toEqual([]);
    expect(codes(check({ ...rule, alsaceMoselle: true }, expense({ spentOn: '2026-04-03' })))).toEqual([
      'PUBLIC_HOLIDAY_SPEND',
    ]);
  });

  it('possible duplicates, from the input flag', () => {
    const rule = { id: 'dup', severity: 'warn', type: 'possible-duplicate' } as const;
    expect(check(rule, expense({ possibleDuplicateOf: 'exp_other' }))[0]?.message).toBe(
      'possibly the same expense as exp_other',
    );
    expect(check(rule, expense())).toEqual([]);
  });

  it('missing attendees for meals', () => {
    const rule = { id: 'att', severity: 'block', type: 'attendees-required' } as const;
    expect(codes(check(rule, expense()))).toEqual(['ATTENDEES_MISSING']);
    expect(check(rule, expense({ attendees: [{ name: 'Bob', userId: 'u_bob' }] }))).toEqual([]);
    expect(check(rule, expense({}, 'hotel'))).toEqual([]);
  });

  it('late submission counts days from the spend to the submission (or now)', () => {
    const rule = { id: 'late', severity: 'warn', type: 'late-submission', afterDays: 30 } as const;
    expect(check(rule, expense({ spentOn: '2026-02-03' }))).toEqual([]); // 30 days before NOW
    expect(check(rule, expense({ spentOn: '2026-02-02' }))[0]?.message).toBe(
      'submitted 31 days after the spend (policy: 30 days)',
    );
    expect(check(rule, expense({ spentOn: '2026-01-01', submittedAt: '2026-01-20T00:00:00Z' }))).toEqual([]);
  });

  it('lists violations of several rules in rule order, and refuses an expense in another currency', () => {
    const p = policyWith([
      { id: 'att', severity: 'block', type: 'attendees-required' },
      { id: 'we', severity: 'warn', type: 'weekend-spend' },
    ]);
    expect(codes(evaluatePolicy(p, expense({ spentOn: '2026-03-07' }), { now: NOW }))).toEqual([
      'ATTENDEES_MISSING',
      'WEEKEND_SPEND',
    ]);
    expect(() => evaluatePolicy(p, expense({ amount: { minor: 100n, currency: 'USD' } }), { now: NOW })).toThrow(
      /in USD/,
    );
    expect(chooseCategory('meals', 'u_x').source).toBe('chosen');
  });
});
