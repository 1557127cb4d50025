import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidEntry,
  buildCardSettlementEntry,
  buildExpenseEntry,
  buildRefundEntry,
  buildReimbursementEntry,
  type ExpenseLineInput,
  entryTotals,
  fiscalYearOf,
  InvalidExpenseError,
} from '../../../shared/domain/ledger/index.ts';
import { currencyExponent, formatMoney, money, parseMoney } from '../../../shared/domain/money.ts';
import { eur, hotelExpense, settings } from './helpers.ts';

const view = (e: ReturnType<typeof buildExpenseEntry>['entry']) =>
  e.lines.map((l) => [l.account, l.auxiliary?.number ?? '', formatMoney(l.debit), formatMoney(l.credit)]);

describe('buildExpenseEntry', () => {
  it('books staff lodging with its VAT kept in the expense, against the employee’s payable account', () => {
    // Prepare
    const expense = hotelExpense();
    // Act
    const { entry, vat } = buildExpenseEntry(expense, settings);
    // Assess
    expect(entry.journal).toBe('NDF');
    expect(entry.fiscalYear).toBe('2024');
    expect(view(entry)).toEqual([
      ['6256', '', '110.00', '0.00'],
      ['421', 'EMP-u_42', '0.00', '110.00'],
    ]);
    expect(vat[0]?.decision.reason).toBe('staff-lodging');
    expect(entry.lines[1]?.auxiliary?.label).toBe('Camille Martin');
    expect(entry.piece.documentSha256).toHaveLength(64);
  });

  it('splits deductible VAT by rate on 44566 and books card spend against the programme’s clearing account', () => {
    const { entry } = buildExpenseEntry(
      hotelExpense({
        kind: 'card',
        cardProgramme: 'visa-corporate',
        label: 'Fnac',
        lines: [
          { category: 'office-supplies', amount: eur('120.00'), vat: [{ rate: '20.00', amount: eur('20.00') }] },
          { category: 'office-supplies', amount: eur('10.55'), vat: [{ rate: '5.50', amount: eur('0.55') }] },
        ],
      }),
      { ...settings, cardProgrammes: { 'visa-corporate': { account: '467100', label: 'Visa corporate' } } },
    );
    expect(entry.journal).toBe('CB');
    expect(view(entry)).toEqual([
      ['6064', '', '100.00', '0.00'],
      ['6064', '', '10.00', '0.00'],
      ['44566', '', '0.55', '0.00'],
      ['44566', '', '20.00', '0.00'],
      ['467100', '', '0.00', '130.55'],
    ]);
    expect(entry.lines.filter((l) => l.role === 'vat').map((l) => l.vat)).toEqual([
      { rate: '5.5', code: 'D5.5' },
      { rate: '20', code: 'D20' },
    ]);
  });

  it('adds the non-deductible 20 % of fuel VAT in a passenger car to the expense (half-even rounding)', () => {
    const { entry, vat } = buildExpenseEntry(
      hotelExpense({
        lines: [
          {
            category: 'fuel',
            fuel: 'diesel',
            vehicle: 'passenger-car',
            amount: eur('60.01'),
            vat: [{ rate: '20', amount: eur('10.01') }],
          },
        ],
      }),
      settings,
    );
    // 10.01 × 0.8 = 8.008 → 8.01 deductible; 60.01 − 8.01 = 52.00 in 6061
    expect(view(entry)).toEqual([
      ['6061', '', '52.00', '0.00'],
      ['44566', '', '8.01', '0.00'],
      ['421', 'EMP-u_42', '0.00', '60.01'],
    ]);
    expect(vat[0]?.decision).toMatchObject({ deductibleRate: '0.8', reason: 'fuel-partial' });
  });

  it('uses the entity’s override over the company’s over the PCG default', () => {
    const custom = {
      ...settings,
      categories: { lodging: { account: '625600', label: 'Missions (hôtels)' } },
      entities: { ent_b: { lodging: { account: '625610' } } },
    };
    expect(buildExpenseEntry(hotelExpense(), custom).entry.lines[0]?.account).toBe('625600');
    const b = buildExpenseEntry(hotelExpense({ entityId: 'ent_b' }), custom).entry.lines[0];
    expect([b?.account, b?.accountLabel]).toEqual(['625610', 'Missions (hôtels)']);
  });

  it('books a foreign-currency expense in EUR with the rate and the original amounts kept', () => {
    const usd = (s: string) => parseMoney(s, 'USD');
    const { entry } = buildExpenseEntry(
      hotelExpense({
        currency: 'USD',
        label: 'Uber NYC',
        evidence: { invoice: true, inCompanyName: false, vatCountry: 'US' },
        lines: [
          { category: 'transport', amount: usd('33.33'), vat: [] },
          { category: 'meal', amount: usd('33.33'), vat: [] },
          { category: 'meal', amount: usd('33.34'), vat: [] },
        ],
        conversion: { rate: '0.9235', source: 'ECB 2024-03-04' },
      }),
      settings,
    );
    // 33.33 × 0.9235 = 30.780255 → 30.78 (twice), 33.34 × 0.9235 = 30.78949 → 30.79; total 100 × 0.9235 = 92.35
    expect(view(entry).map((r) => r.slice(2))).toEqual([
      ['30.78', '0.00'],
      ['30.78', '0.00'],
      ['30.79', '0.00'],
      ['0.00', '92.35'],
    ]);
    expect(entry.rounding).toEqual([]);
    expect(entry.currency.original).toEqual({ amount: usd('100.00'), rate: '0.9235', rateSource: 'ECB 2024-03-04' });
    expect(entry.lines.map((l) => l.original && formatMoney(l.original))).toEqual([
      '33.33',
      '33.33',
      '33.34',
      '100.00',
    ]);
  });

  it('places the conversion residual on the largest expense line and says so', () => {
    const { entry } = buildExpenseEntry(
      hotelExpense({
        currency: 'JPY',
        evidence: { invoice: true, inCompanyName: true, vatCountry: 'JP' },
        lines: [
          { category: 'meal', amount: money(1005n, 'JPY'), vat: [] },
          { category: 'transport', amount: money(1005n, 'JPY'), vat: [] },
          { category: 'transport', amount: money(1005n, 'JPY'), vat: [] },
        ],
        conversion: { rate: '0.00615', source: 'ECB' },
      }),
      settings,
    );
    // each 1005 × 0.00615 = 6.18075 → 6.18; total 3015 × 0.00615 = 18.54225 → 18.54; residual 0.00
    // so use a settled card amount to force one: see next case
    expect(entryTotals(entry).debit.minor).toBe(1854n);
    const settled = buildExpenseEntry(
      hotelExpense({
        currency: 'JPY',
        evidence: { invoice: true, inCompanyName: true, vatCountry: 'JP' },
        lines: [
          { category: 'meal', amount: money(1000n, 'JPY'), vat: [] },
          { category: 'transport', amount: money(2000n, 'JPY'), vat: [] },
        ],
        conversion: { companyAmount: eur('18.55'), source: 'card settlement' },
      }),
      settings,
    ).entry;
    // 1000 × 18.55/3000 = 6.1833 → 6.18; 2000 × … = 12.3667 → 12.37; sum 18.55: no residual
    expect(view(settled).map((r) => r.slice(2))).toEqual([
      ['6.18', '0.00'],
      ['12.37', '0.00'],
      ['0.00', '18.55'],
    ]);
    expect(settled.currency.original?.rate).toBe('0.006183');
    const odd = buildExpenseEntry(
      hotelExpense({
        currency: 'JPY',
        evidence: { invoice: true, inCompanyName: true, vatCountry: 'JP' },
        lines: [
          { category: 'meal', amount: money(1n, 'JPY'), vat: [] },
          { category: 'transport', amount: money(1n, 'JPY'), vat: [] },
          { category: 'transport', amount: money(2n, 'JPY'), vat: [] },
        ],
        conversion: { companyAmount: eur('0.06'), source: 'card settlement' },
      }),
      settings,
    ).entry;
    // 1 × 6/4 = 1.5 → 2 (half-even), 1.5 → 2, 3 → 3: 7 cents for 6: residual −1 cent on the largest line (index 2)
    expect(odd.rounding).toHaveLength(1);
    expect(odd.rounding[0]).toMatchObject({ lineIndex: 2, amount: eur('-0.01') });
    expect(view(odd).map((r) => r[2])).toEqual(['0.02', '0.02', '0.02', '0.00']);
    assertValidEntry(odd);
  });

  it('refuses what cannot be booked', () => {
    expect(() =>
      buildExpenseEntry(hotelExpense({ lines: [{ category: 'meal', amount: eur('0'), vat: [] }] }), settings),
    ).toThrow(InvalidExpenseError);
    expect(() =>
      buildExpenseEntry(
        hotelExpense({ lines: [{ category: 'meal', amount: eur('5'), vat: [{ rate: '20', amount: eur('6') }] }] }),
        settings,
      ),
    ).toThrow(/exceeds/);
    expect(() => buildExpenseEntry(hotelExpense({ currency: 'USD' }), settings)).toThrow(InvalidExpenseError);
  });
});

describe('refunds, settlements, reimbursements', () => {
  it('books a refund with every side of the expense swapped', () => {
    const expense = buildExpenseEntry(
      hotelExpense({ lines: [{ category: 'meal', amount: eur('24'), vat: [{ rate: '10', amount: eur('2.18') }] }] }),
      settings,
    ).entry;
    const refund = buildRefundEntry(
      {
        ...hotelExpense({
          lines: [{ category: 'meal', amount: eur('24'), vat: [{ rate: '10', amount: eur('2.18') }] }],
        }),
        refundId: 'rf_1',
      },
      settings,
    ).entry;
    expect(refund.id).toBe('je_expense-refund_rf_1');
    expect(refund.lines.map((l) => [l.account, l.debit, l.credit])).toEqual(
      expense.lines.map((l) => [l.account, l.credit, l.debit]),
    );
  });

  it('settles the card statement and pays back the employee through the bank journal', () => {
    const piece = { ref: 'stmt_2024_03', kind: 'card-statement' as const, date: '2024-03-31', documentSha256: null };
    const s = buildCardSettlementEntry(
      {
        companyId: 'co',
        entityId: null,
        settlementId: 'st_1',
        cardProgramme: null,
        amount: eur('1234.56'),
        bookingDate: '2024-04-02',
        piece,
      },
      settings,
    );
    expect(s.journal).toBe('BQ');
    expect(view(s)).toEqual([
      ['4671', '', '1234.56', '0.00'],
      ['512', '', '0.00', '1234.56'],
    ]);
    const r = buildReimbursementEntry(
      {
        companyId: 'co',
        entityId: null,
        paymentId: 'pay_1',
        employee: { id: 'u_42', name: 'Camille Martin' },
        amount: eur('110'),
        bookingDate: '2024-03-10',
        piece: { ...piece, ref: 'pay_1', kind: 'reimbursement' },
      },
      settings,
    );
    expect(view(r)).toEqual([
      ['421', 'EMP-u_42', '110.00', '0.00'],
      ['512', '', '0.00', '110.00'],
    ]);
  });
});

describe('fiscal years', () => {
  it('names a fiscal year after the year it closes in', () => {
    expect(fiscalYearOf('2024-03-05')).toEqual({ id: '2024', start: '2024-01-01', end: '2024-12-31' });
    expect(fiscalYearOf('2024-07-01', { month: 6, day: 30 })).toEqual({
      id: '2025',
      start: '2024-07-01',
      end: '2025-06-30',
    });
    expect(fiscalYearOf('2024-06-30', { month: 6, day: 30 }).id).toBe('2024');
    expect(fiscalYearOf('2023-03-01', { month: 2, day: 29 })).toEqual({
      id: '2024',
      start: '2023-03-01',
      end: '2024-02-29',
    });
    expect(fiscalYearOf('2023-02-28', { month: 2, day: 29 })).toEqual({
      id: '2023',
      start: '2022-03-01',
      end: '2023-02-28',
    });
  });
});

describe('balancing, property-based', () => {
  const currencies = fc.constantFrom('EUR', 'JPY', 'KWD', 'USD');
  const rates = fc.constantFrom('20', '10', '5.5', '2.1');
  const categories = fc.constantFrom(
    'transport',
    'lodging',
    'meal',
    'reception',
    'fuel',
    'office-supplies',
    'gift',
    'vehicle-costs',
  ) as fc.Arbitrary<ExpenseLineInput['category']>;
  const fxRate = fc.tuple(fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 0, max: 6 })).map(([n, d]) =>
    d === 0
      ? String(n)
      : `${String(n)
          .padStart(d + 1, '0')
          .slice(0, -d)}.${String(n)
          .padStart(d + 1, '0')
          .slice(-d)}`,
  );

  const expenseArb = fc
    .record({
      currency: currencies,
      kind: fc.constantFrom('card' as const, 'out-of-pocket' as const),
      invoice: fc.boolean(),
      inCompanyName: fc.boolean(),
      refund: fc.boolean(),
      settled: fc.boolean(),
      rate: fxRate,
      date: fc.date({ min: new Date('2016-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
      lines: fc.array(
        fc.record({
          category: categories,
          vatRates: fc.array(rates, { maxLength: 3 }),
          amount: fc.bigInt({ min: 1n, max: 10_000_000n }),
          vatShare: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 3, maxLength: 3 }),
          fuel: fc.constantFrom(
            'diesel' as const,
            'petrol' as const,
            'lpg' as const,
            'electricity' as const,
            'e85' as const,
          ),
          vehicle: fc.constantFrom('passenger-car' as const, 'utility' as const),
          beneficiary: fc.constantFrom('staff' as const, 'third-party' as const),
          prior: fc.integer({ min: 0, max: 10_000 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      settledMinor: fc.bigInt({ min: 1n, max: 100_000_000n }),
    })
    .map((r) => {
      const date = r.date.toISOString().slice(0, 10);
      const lines: ExpenseLineInput[] = r.lines.map((l) => {
        // VAT amounts as printed: a share of the line (≤ 90 % in total), split across the line's rates.
        let left = (l.amount * 9n) / 10n;
        const vat = l.vatRates.map((rate, i) => {
          const a = (left * BigInt(l.vatShare[i] ?? 0)) / 100n;
          left -= a;
          return { rate, amount: money(a, r.currency) };
        });
        return {
          category: l.category,
          amount: money(l.amount, r.currency),
          vat,
          fuel: l.fuel,
          vehicle: l.vehicle,
          beneficiary: l.beneficiary,
          gift: { beneficiaryId: 'b1', valueInclVat: eur('10'), priorThisYearInclVat: money(BigInt(l.prior), 'EUR') },
        };
      });
      return { r, date, lines };
    });

  it('balances to the cent in the company currency, whatever the lines, rates, currencies and FX rates', () => {
    let built = 0;
    fc.assert(
      fc.property(expenseArb, ({ r, date, lines }) => {
        const foreign = r.currency !== 'EUR';
        const expense = hotelExpense({
          currency: r.currency,
          kind: r.kind,
          bookingDate: date,
          piece: { ref: 'rcp_x', kind: 'receipt', date, documentSha256: null },
          evidence: { invoice: r.invoice, inCompanyName: r.inCompanyName, vatCountry: foreign ? 'DE' : 'FR' },
          lines,
          conversion: !foreign
            ? null
            : r.settled
              ? { companyAmount: money(r.settledMinor, 'EUR'), source: 'card' }
              : { rate: r.rate === '0' ? '1' : r.rate, source: 'test' },
        });
        let result: ReturnType<typeof buildExpenseEntry>;
        try {
          result = r.refund
            ? buildRefundEntry({ ...expense, refundId: 'rf' }, settings)
            : buildExpenseEntry(expense, settings);
        } catch (error) {
          // A conversion can round the whole expense to zero (tiny amount, tiny rate): refusing it is correct.
          if (error instanceof InvalidExpenseError || /at least two lines/.test(String(error))) return;
          throw error;
        }
        const { entry, vat } = result;
        built++;
        assertValidEntry(entry);
        const totals = entryTotals(entry);
        expect(totals.debit.minor).toBe(totals.credit.minor);
        const total = lines.reduce((s, l) => s + l.amount.minor, 0n);
        const counterpart = entry.lines.filter((l) => l.role === 'counterpart');
        expect(counterpart).toHaveLength(1);
        const expected = !foreign ? total : r.settled ? r.settledMinor : null;
        if (expected !== null) {
          const c = counterpart[0];
          expect(c ? c.debit.minor + c.credit.minor : 0n).toBe(expected);
        }
        // VAT lines carry exactly the deductible VAT, never a rounding adjustment (same currency only).
        if (!foreign) {
          const deductible = vat.reduce((s, v) => s + v.deductible.minor, 0n);
          const onVat = entry.lines
            .filter((l) => l.role === 'vat')
            .reduce((s, l) => s + l.debit.minor + l.credit.minor, 0n);
          expect(onVat).toBe(deductible);
        }
        // A residual is only ever the rounding of the line conversions: at most half a unit per converted line.
        for (const note of entry.rounding) {
          const abs = note.amount.minor < 0n ? -note.amount.minor : note.amount.minor;
          expect(abs * 2n <= BigInt(lines.length + 1)).toBe(true);
        }
        expect(currencyExponent(entry.currency.companyCurrency)).toBe(2);
      }),
      { numRuns: 400 },
    );
    expect(built).toBeGreaterThan(300);
  });
});
