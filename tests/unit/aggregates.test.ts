import { describe, expect, it } from 'vitest';
import { aggregateIncrements } from '../../shared/domain/ledger/aggregates.ts';
import { buildExpenseEntry, defaultLedgerSettings, postEntry } from '../../shared/domain/ledger/index.ts';
import { money } from '../../shared/domain/money.ts';

describe('report aggregates', () => {
  it('add up an entry by expense account, employee, category, entity, deductible VAT rate and journal, to the cent', () => {
    const { entry } = buildExpenseEntry(
      {
        companyId: 'acme',
        entityId: null,
        expenseId: 'exp_1',
        kind: 'card',
        cardProgramme: 'stripe',
        employee: { id: 'u_alice', name: 'Alice' },
        label: 'Brasserie',
        bookingDate: '2026-11-14',
        currency: 'EUR',
        lines: [{ category: 'meal', amount: money(4250, 'EUR'), vat: [{ rate: '10', amount: money(386, 'EUR') }] }],
        evidence: { invoice: true, inCompanyName: true, vatCountry: 'FR' },
        piece: { ref: 'rcpt_1', kind: 'receipt', date: '2026-11-14', documentSha256: null },
        conversion: null,
      },
      defaultLedgerSettings('EUR'),
    );
    const incs = aggregateIncrements(postEntry(entry, 1, '2026-11-20T10:00:00Z'), {
      employeeId: 'u_alice',
      category: 'meals',
    });
    const by = Object.fromEntries(incs.map((i) => [`${i.month} ${i.dimension} ${i.key}`, i.amountMinor]));
    expect(by['2026-11 account 6256']).toBe(3864n);
    expect(by['2026-11 employee u_alice']).toBe(3864n);
    expect(by['2026-11 vat-rate 10']).toBe(386n);
    expect(by['2026-11 journal CB']).toBe(4250n);
    expect(by['2026-11 category meals']).toBe(3864n);
    expect(by['2026-11 entity company']).toBe(3864n);
  });
});
