import {
  type ApprovedExpense,
  type DraftEntry,
  defaultLedgerSettings,
  type PostedEntry,
  postEntry,
} from '../../../shared/domain/ledger/index.ts';
import { parseMoney } from '../../../shared/domain/money.ts';

export const settings = defaultLedgerSettings('EUR');
export const SHA = 'a'.repeat(64);

export const eur = (s: string) => parseMoney(s, 'EUR');

/** A hotel night paid out of pocket in France, invoice in the company's name. */
export const hotelExpense = (over: Partial<ApprovedExpense> = {}): ApprovedExpense => ({
  companyId: 'co_demo',
  entityId: null,
  expenseId: 'exp_1',
  kind: 'out-of-pocket',
  cardProgramme: null,
  employee: { id: 'u_42', name: 'Camille Martin' },
  label: 'Hôtel Ibis Lyon',
  bookingDate: '2024-03-05',
  currency: 'EUR',
  lines: [
    { category: 'lodging', beneficiary: 'staff', amount: eur('110.00'), vat: [{ rate: '10', amount: eur('10.00') }] },
  ],
  evidence: { invoice: true, inCompanyName: true, vatCountry: 'FR' },
  piece: { ref: 'rcp_01HOTEL', kind: 'receipt', date: '2024-03-04', documentSha256: SHA },
  conversion: null,
  ...over,
});

/** Numbers drafts 1..n in order, as the store would, with a fixed posting instant per entry. */
export const postAll = (drafts: readonly DraftEntry[], at = '2024-03-31T10:00:00.000Z'): PostedEntry[] => {
  const counters = new Map<string, number>();
  return drafts.map((d) => {
    const k = `${d.journal}/${d.fiscalYear}`;
    const n = (counters.get(k) ?? 0) + 1;
    counters.set(k, n);
    return postEntry(d, n, at);
  });
};
