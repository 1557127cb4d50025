import { describe, expect, it } from 'vitest';
import {
  amendDraft,
  buildExpenseEntry,
  correctEntry,
  entryTotals,
  InvalidEntryError,
  PostedEntryImmutableError,
  postEntry,
  reverseEntry,
} from '../../../shared/domain/ledger/index.ts';
import { eur, hotelExpense, settings } from './helpers.ts';

const posted = () => postEntry(buildExpenseEntry(hotelExpense(), settings).entry, 7, '2024-03-06T09:00:00.000Z');

describe('immutability and reversal', () => {
  it('refuses to change a posted entry; a draft may change', () => {
    const p = posted();
    expect(() => amendDraft(p, { label: 'x' })).toThrow(PostedEntryImmutableError);
    const draft = buildExpenseEntry(hotelExpense(), settings).entry;
    expect(amendDraft(draft, { label: 'Hôtel (corrigé)' }).label).toBe('Hôtel (corrigé)');
    expect(() => amendDraft(draft, { lines: draft.lines.slice(0, 1) })).toThrow(InvalidEntryError);
  });

  it('reverses with the same lines, debit and credit swapped, linked, in the fiscal year of its own date', () => {
    const p = posted();
    const r = reverseEntry(p, { date: '2025-01-02', reason: 'mauvaise catégorie' });
    expect(r).toMatchObject({
      id: 'je_reversal_je_expense_exp_1',
      status: 'draft',
      number: null,
      journal: 'NDF',
      fiscalYear: '2025',
      reversalOf: p.id,
      label: 'Extourne NDF-2024-000007 - mauvaise catégorie',
    });
    expect(r.lines.map((l) => [l.account, l.auxiliary, l.debit, l.credit])).toEqual(
      p.lines.map((l) => [l.account, l.auxiliary, l.credit, l.debit]),
    );
    // Original + reversal cancel out on every account.
    const net = new Map<string, bigint>();
    for (const l of [...p.lines, ...r.lines])
      net.set(l.account, (net.get(l.account) ?? 0n) + l.debit.minor - l.credit.minor);
    expect([...net.values()].every((v) => v === 0n)).toBe(true);
    expect(p.status).toBe('posted');
    expect(() => reverseEntry(p, { date: '2024-03-01', reason: 'x' })).toThrow(/before/);
    expect(() =>
      reverseEntry(buildExpenseEntry(hotelExpense(), settings).entry as never, { date: '2024-04-01', reason: 'x' }),
    ).toThrow();
  });

  it('corrects by a reversal plus a new entry that says what it replaces', () => {
    const p = posted();
    const rebuilt = buildExpenseEntry(
      hotelExpense({
        lines: [{ category: 'meal', amount: eur('110.00'), vat: [{ rate: '10', amount: eur('10.00') }] }],
      }),
      settings,
    ).entry;
    const { reversal, replacement } = correctEntry(p, rebuilt, { date: '2024-03-20', reason: 'repas, pas hôtel' });
    expect(reversal.reversalOf).toBe(p.id);
    expect(replacement).toMatchObject({ id: 'je_correction_je_expense_exp_1', replaces: p.id, status: 'draft' });
    expect(replacement.id).not.toBe(p.id);
    expect(replacement.lines.map((l) => l.account)).toEqual(['6256', '44566', '421']);
    expect(entryTotals(replacement).debit).toEqual(eur('110.00'));
  });
});
