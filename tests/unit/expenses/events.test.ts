import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventBridgeEnvelope } from '../../../events/envelope.ts';
import { expenseEvents } from '../../../events/expenses.ts';

const dir = join(import.meta.dirname, '../../../events/samples');

describe('expense event contracts', () => {
  it.each(Object.keys(expenseEvents))('events/samples/%s.json validates against its schema and source', (name) => {
    const spec = expenseEvents[name as keyof typeof expenseEvents];
    const sample = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as unknown;
    const parsed = eventBridgeEnvelope(name, spec.detail).parse(sample);
    expect(parsed.source).toBe('quittance.expenses');
  });

  it('carries amounts as decimal strings, never numbers', () => {
    const { detail } = expenseEvents.ExpenseBooked;
    const base = JSON.parse(readFileSync(join(dir, 'ExpenseBooked.json'), 'utf8')).detail;
    expect(detail.safeParse({ ...base, amount: { amount: 640, currency: 'EUR' } }).success).toBe(false);
  });
});
