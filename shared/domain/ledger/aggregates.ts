import type { PostedEntry } from './model.ts';

export const AGGREGATE_DIMENSIONS = ['account', 'employee', 'category', 'entity', 'vat-rate', 'journal'] as const;
/** Card cash out per ISO week (key = the Monday): approved authorizations and posted transactions. */
export const CASH_OUT_DIMENSIONS = ['cash-out-authorized', 'cash-out-captured'] as const;
export type AggregateDimension = (typeof AGGREGATE_DIMENSIONS)[number] | (typeof CASH_OUT_DIMENSIONS)[number];

/** What the entry is about beyond its lines: who spent, in which expense category. */
export interface EntryTags {
  employeeId: string | null;
  category?: string | null;
}

/** A report aggregate: one counter per company, month, dimension and key, in minor units of the company currency. */
export interface AggregateIncrement {
  month: string;
  dimension: AggregateDimension;
  key: string;
  label: string;
  amountMinor: bigint;
}

/**
 * What a posted entry adds to the maintained reports (so reports never scan the ledger): spend per expense account,
 * per employee, per expense category and per legal entity (the entry's expense lines, without VAT), deductible VAT
 * per rate, and totals per journal, in its month.
 */
export const aggregateIncrements = (entry: PostedEntry, tags: EntryTags): AggregateIncrement[] => {
  const { employeeId, category } = tags;
  const month = entry.date.slice(0, 7);
  const out = new Map<string, AggregateIncrement>();
  const add = (inc: AggregateIncrement) => {
    const k = `${inc.dimension}#${inc.key}`;
    const cur = out.get(k);
    out.set(k, cur ? { ...cur, amountMinor: cur.amountMinor + inc.amountMinor } : inc);
  };
  for (const l of entry.lines) {
    const signed = l.debit.minor - l.credit.minor;
    if (l.role === 'expense') {
      add({ month, dimension: 'account', key: l.account, label: l.accountLabel, amountMinor: signed });
      if (employeeId) add({ month, dimension: 'employee', key: employeeId, label: employeeId, amountMinor: signed });
      if (category) add({ month, dimension: 'category', key: category, label: category, amountMinor: signed });
      const entity = entry.entityId ?? 'company';
      add({ month, dimension: 'entity', key: entity, label: entity, amountMinor: signed });
    } else if (l.role === 'vat') {
      add({ month, dimension: 'vat-rate', key: l.vat?.rate ?? 'unknown', label: l.accountLabel, amountMinor: signed });
    }
  }
  const total = entry.lines.reduce((s, l) => s + l.debit.minor, 0n);
  add({ month, dimension: 'journal', key: entry.journal, label: entry.journalLabel, amountMinor: total });
  return [...out.values()];
};
