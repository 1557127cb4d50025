import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expenseItem } from '../../shared/adapters/dynamodb/expenses.ts';
import { chooseCategory } from '../../shared/domain/expenses/categories.ts';
import {
  EXPENSE_CATEGORIES,
  EXPENSE_STATUSES,
  type Expense,
  newExpense,
} from '../../shared/domain/expenses/expense.ts';
import { money } from '../../shared/domain/money.ts';

/** Seeded randomness (mulberry32), so a failing set can be replayed. */
export const seeded = (seed: number) => {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
};

const day = (offset: number) => new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * A company's expenses with every list filter varied: status, employee, entity, category, spend date over a year,
 * amounts from 1 to 2 000 EUR, with or without receipt, with or without a policy violation.
 */
export const syntheticExpenses = (
  companyId: string,
  n: number,
  opts: { seed?: number; employees?: number; entities?: string[] } = {},
): Expense[] => {
  const rng = seeded(opts.seed ?? 7);
  const employees = opts.employees ?? 40;
  const entities = opts.entities ?? ['ent_paris', 'ent_lyon'];
  return Array.from({ length: n }, (_, i) => {
    const employeeId = `u_${String(rng.int(1, employees)).padStart(3, '0')}`;
    const base = newExpense({
      companyId,
      id: `exp_${String(i).padStart(8, '0')}`,
      employeeId,
      type: 'out-of-pocket',
      spentOn: day(rng.int(0, 364)),
      amount: money(rng.int(100, 200_000), 'EUR'),
      at: '2026-01-01T00:00:00.000Z',
      receiptIds: rng.next() < 0.8 ? [`rcpt_${i}`] : [],
    });
    const category = EXPENSE_CATEGORIES[rng.int(0, EXPENSE_CATEGORIES.length - 1)] ?? 'other';
    const entity = rng.int(0, entities.length);
    const status = EXPENSE_STATUSES[rng.int(0, EXPENSE_STATUSES.length - 1)] ?? 'DRAFT';
    return {
      ...base,
      status,
      rejection: status === 'REJECTED' ? { by: 'u_fin', at: base.createdAt, reason: 'not a business expense' } : null,
      booking: status === 'BOOKED' ? { journalEntryId: `je_${i}`, at: base.createdAt } : null,
      category: chooseCategory(category, employeeId),
      entityId: entities[entity] ?? null,
      violations:
        rng.next() < 0.1
          ? [{ code: 'over-limit', severity: 'warn', message: 'over the meal limit', ruleId: 'r1', ruleVersion: 1 }]
          : [],
    };
  });
};

/** Writes expenses straight to the table (25 a batch, unprocessed items retried), as the repository stores them. */
export const putExpenses = async (ddb: DynamoDBDocumentClient, table: string, expenses: Expense[]) => {
  for (let i = 0; i < expenses.length; i += 25) {
    let requests = expenses.slice(i, i + 25).map((e) => ({ PutRequest: { Item: expenseItem(e) } }));
    while (requests.length > 0) {
      const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (res.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
};
