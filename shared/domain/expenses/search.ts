import { formatMoney } from '../money.ts';
import type { Expense, ExpenseStatus } from './expense.ts';

/** What finance filters a list of expenses by; every field given must hold (AND). Dates are spend dates. */
export interface ExpenseFilter {
  status?: ExpenseStatus;
  employeeId?: string;
  entityId?: string;
  category?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  /** Decimal strings in the expense's (company) currency, inclusive. */
  minAmount?: string;
  maxAmount?: string;
  hasReceipt?: boolean;
  hasViolations?: boolean;
}

export type ExpenseOrder = 'spentOn' | '-spentOn';

/** Exact comparison of two decimal strings ("12.3" vs "12.30" → 0), without floats. */
export const compareDecimal = (a: string, b: string): number => {
  const split = (s: string) => {
    const negative = s.startsWith('-');
    const [whole = '0', frac = ''] = s.replace(/^[-+]/, '').split('.');
    return { negative, whole, frac };
  };
  const x = split(a);
  const y = split(b);
  const scale = Math.max(x.frac.length, y.frac.length);
  const value = (p: ReturnType<typeof split>) => {
    const v = BigInt(p.whole + p.frac.padEnd(scale, '0'));
    return p.negative ? -v : v;
  };
  const d = value(x) - value(y);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** The single definition of what a filter means; the DynamoDB adapter's filter expression must agree with it. */
export const expenseMatches = (e: Expense, f: ExpenseFilter): boolean => {
  if (f.status && e.status !== f.status) return false;
  if (f.employeeId && e.employeeId !== f.employeeId) return false;
  if (f.entityId && e.entityId !== f.entityId) return false;
  if (f.category && e.category?.category !== f.category) return false;
  if (f.from && e.spentOn < f.from) return false;
  if (f.to && e.spentOn > f.to) return false;
  const amount = formatMoney(e.amount);
  if (f.minAmount && compareDecimal(amount, f.minAmount) < 0) return false;
  if (f.maxAmount && compareDecimal(amount, f.maxAmount) > 0) return false;
  if (f.hasReceipt !== undefined && e.receiptIds.length > 0 !== f.hasReceipt) return false;
  if (f.hasViolations !== undefined && e.violations.length > 0 !== f.hasViolations) return false;
  return true;
};

/** The order of a list: by spend date, then id (the index sort key), newest first unless asked. */
export const compareExpenses = (order: ExpenseOrder) => (a: Expense, b: Expense) => {
  const ka = `${a.spentOn}#${a.id}`;
  const kb = `${b.spentOn}#${b.id}`;
  const c = ka < kb ? -1 : ka > kb ? 1 : 0;
  return order === 'spentOn' ? c : -c;
};
