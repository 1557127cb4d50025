import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnalyzeExpenseResponse, mapAnalyzeExpense } from '../../../shared/adapters/extraction/textract-mapper.ts';
import { receiptJsonSchema, receiptToJson } from '../../../shared/domain/extraction/model.ts';

const DIR = resolve(import.meta.dirname, '../../../../shared/data/textract-responses');
const load = (f: string): AnalyzeExpenseResponse => JSON.parse(readFileSync(resolve(DIR, f), 'utf8'));

describe('Textract AnalyzeExpense → normalized receipt (real responses)', () => {
  it.each(['test_analyze_expense_from_path.json', 'test_analyze_expense_from_image.json'])('%s', (file) => {
    const r = receiptToJson(mapAnalyzeExpense(load(file), { now: new Date('2020-01-01T00:00:00Z') }));
    expect(r).toMatchObject({
      engine: 'textract',
      vendor: 'MEGA MARKET PLUS',
      currency: 'USD',
      date: '2019-12-07', // 12/07/2019 read month-first: a dollar receipt without country
      total: '1810.46',
      subtotal: '1699.96',
      taxes: [{ amount: '110.50' }],
      cardLast4: '3433',
    });
    expect(r.lineItems).toHaveLength(4);
    expect(r.lineItems[0]).toMatchObject({ description: 'LG FLATSCREEN 65', amount: '899.99' });
    expect(r.confidence.total).toBeGreaterThan(0.9);
    expect(receiptJsonSchema.safeParse(r).success).toBe(true);
  });

  it('maps a response without summary fields: line items only, a warning, no invented total', () => {
    const r = receiptToJson(mapAnalyzeExpense(load('test_analyze_expense_no_summary_fields.json')));
    expect(r.total).toBeUndefined();
    expect(r.warnings).toContain('no total found');
    expect(r.lineItems.length).toBe(29);
  });

  it('reads the date day-first for a French merchant', () => {
    const r = mapAnalyzeExpense(
      {
        ExpenseDocuments: [
          {
            SummaryFields: [
              { Type: { Text: 'INVOICE_RECEIPT_DATE' }, ValueDetection: { Text: '12/07/2019', Confidence: 99 } },
              { Type: { Text: 'TOTAL' }, ValueDetection: { Text: '1 234,50 €', Confidence: 98 } },
            ],
          },
        ],
      },
      { country: 'FR' },
    );
    expect(receiptToJson(r)).toMatchObject({ date: '2019-07-12', total: '1234.50', currency: 'EUR' });
  });
});
