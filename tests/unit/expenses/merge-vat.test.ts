import { describe, expect, it } from 'vitest';
import { mergeVat, vatFromExtraction } from '../../../shared/domain/expenses/workflow.ts';

const ticket = (id: string, amount: string, documentType?: string) =>
  vatFromExtraction(
    id,
    { taxes: [{ rate: '20.00', amount }], currency: 'EUR', ...(documentType ? { documentType } : {}) },
    'EUR',
  );

describe('VAT of several receipts paid in one charge (one expense)', () => {
  it('keeps every receipt line once, an invoice only when all are invoices', () => {
    const merged = mergeVat([ticket('x', '5.00', 'invoice'), ticket('y', '2.08')]);
    expect(merged).toEqual({
      receiptId: 'x',
      documentType: 'receipt',
      currency: 'EUR',
      lines: [
        { rate: '20.00', amount: '5.00' },
        { rate: '20.00', amount: '2.08' },
      ],
    });
    expect(mergeVat([ticket('x', '5.00', 'invoice'), ticket('y', '2.08', 'invoice')])?.documentType).toBe('invoice');
  });

  it('a single receipt is unchanged; receipts without VAT add nothing', () => {
    const one = ticket('x', '5.00');
    expect(mergeVat([one])).toBe(one);
    expect(mergeVat([null, one])).toBe(one);
    expect(mergeVat([null, null])).toBeNull();
  });
});
