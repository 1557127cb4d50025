import type { ExpenseDocument, ExpenseField } from '@aws-sdk/client-textract';
import { describe, expect, it } from 'vitest';
import {
  chooseMainDocument,
  type ExpenseResponse,
  mapExpenseDocument,
  mapExpenseResponse,
  mergeExpensePages,
  type TextractMapOptions,
} from '../../../shared/adapters/textract/textract-mapper.ts';
import { receiptJsonSchema, receiptToJson } from '../../../shared/domain/extraction/model.ts';
import { loadResponse, NOW } from './fixtures.ts';

const field = (
  type: string,
  value: string,
  extra: { label?: string; confidence?: number; currency?: string; group?: string } = {},
): ExpenseField => ({
  Type: { Text: type, Confidence: extra.confidence ?? 99 },
  ValueDetection: { Text: value, Confidence: extra.confidence ?? 99 },
  ...(extra.label ? { LabelDetection: { Text: extra.label, Confidence: 99 } } : {}),
  ...(extra.currency ? { Currency: { Code: extra.currency, Confidence: 95 } } : {}),
  ...(extra.group ? { GroupProperties: [{ Types: [extra.group], Id: `g-${value}` }] } : {}),
});
const line = (...fields: Array<[string, string]>) => ({
  LineItemExpenseFields: fields.map(([t, v]) => field(t, v)),
});
const map = (response: ExpenseResponse, options: TextractMapOptions = {}) => {
  const r = mapExpenseResponse(response, { now: NOW, ...options });
  if (!r.ok) throw new Error(r.error);
  return { receipt: r.receipt, json: receiptToJson(r.receipt) };
};

describe('Textract mapper on the real responses', () => {
  // The company hints a French company would pass: the document's own currency (USD) must win over them.
  it.each([
    ['test_analyze_expense_from_path.json', {}],
    ['test_analyze_expense_from_image.json', {}],
    ['test_analyze_expense_from_path.json', { country: 'FR', currency: 'EUR' }],
  ] as const)('%s %o → MEGA MARKET PLUS, 2019-12-07, $1810.46', (file, hints) => {
    const { receipt, json } = map(loadResponse(file), hints);
    expect(json).toMatchObject({
      engine: 'textract',
      documentNumber: '21772',
      vendor: 'MEGA MARKET PLUS',
      date: '2019-12-07', // "12/07/2019" on a USD receipt: month-first
      currency: 'USD',
      total: '1810.46',
      subtotal: '1699.96',
      taxes: [{ amount: '110.50' }],
      cardLast4: '3433',
    });
    expect(receipt.total).toEqual({ minor: 181046n, currency: 'USD' });
    expect(json.lineItems).toEqual([
      { description: 'LG FLATSCREEN 65', amount: '899.99' },
      { description: 'SONY VIAO I7 6938', amount: '689.99' },
      { description: '6FT HDMI CABLE BB', amount: '19.99' },
      { description: 'APPLE TV V4', amount: '89.99' },
    ]);
    // Two vendor groups: the most confident kept, the other reported.
    expect(json.warnings).toContain('several vendor names: "MEGA MARKET PLUS" kept, also "MEGA BIGBOK"');
    expect(json.warnings.some((w) => w.startsWith('ambiguous date "12/07/2019"'))).toBe(true);
    expect(json.confidence).toMatchObject({ total: 1, subtotal: 1, taxes: 1, vendor: 1, currency: 0.9 });
    // Ambiguous day/month (0.9), and more than six years before the reference date (× 0.6: a misread year is likelier).
    expect(json.confidence.date).toBeCloseTo(0.54, 2);
    expect(json.confidence.cardLast4).toBeCloseTo(0.8, 2); // "**** VISA 3433" read at 80 %
    expect(json.confidence.lineItems).toBeGreaterThan(0.98); // they add up to the subtotal
    expect(receiptJsonSchema.safeParse(json).success).toBe(true);
  });

  it('both runs of receipt.jpg map to the same receipt', () => {
    expect(map(loadResponse('test_analyze_expense_from_image.json')).json).toEqual(
      map(loadResponse('test_analyze_expense_from_path.json')).json,
    );
  });

  it('no summary fields: 29 line items, no total invented because two lines are unreadable', () => {
    const { json } = map(loadResponse('test_analyze_expense_no_summary_fields.json'), {
      country: 'FR',
      currency: 'EUR',
    });
    expect(json.total).toBeUndefined();
    expect(json.currency).toBeUndefined(); // nothing on the document says it; the company's EUR is not forced on it
    expect(json.vendor).toBeUndefined();
    expect(json.date).toBeUndefined();
    expect(json.lineItems).toHaveLength(29);
    expect(json.lineItems.filter((l) => l.amount !== undefined)).toHaveLength(28);
    expect(json.lineItems[0]).toEqual({ description: 'GIL VNS HR CMEGI CRT', amount: '659.00' });
    // "2 X P21.50/Unit": quantity and unit price, consistent with the amount
    expect(json.lineItems[3]).toEqual({
      description: 'J&JCHIZ CURLS 55G',
      quantity: '2',
      unitPrice: '21.50',
      amount: '43.00',
    });
    // "P14. 50/Unit": an OCR gap after the decimal point
    expect(json.lineItems[13]).toMatchObject({ quantity: '6', unitPrice: '14.50', amount: '87.00' });
    // EAN codes folded into the ITEM text are removed from the description
    expect(json.lineItems[20]?.description).toBe('Pf CB210G 2S SLTSVR');
    expect(json.lineItems[27]).toEqual({ description: 'SWISSMISS DRKCHC03TG', unitPrice: '15.30' });
    expect(json.warnings).toEqual([
      'line items: unreadable price "/6.50" on "SWISSMISS DRKCHC03TG"',
      'line items: unreadable quantity "to" on "SWISSMISS DRKCHC03TG"',
      'no total found; not derived from the line items: 2 unreadable or inconsistent line(s)',
    ]);
    expect(json.confidence.lineItems).toBeLessThan(0.75);
    expect(json.confidence.total).toBeUndefined();
  });

  it('no summary fields, every line readable and consistent: total = sum of the lines, low confidence', () => {
    const response = loadResponse('test_analyze_expense_no_summary_fields.json');
    // What the paper says (see receipt_no_summary.png): "5 X P15.30/Unit 76.50 V".
    const swiss = response.ExpenseDocuments?.[0]?.LineItemGroups?.[0]?.LineItems?.[27]?.LineItemExpenseFields ?? [];
    for (const f of swiss) {
      if (f.Type?.Text === 'PRICE' && f.ValueDetection) f.ValueDetection.Text = '76.50';
      if (f.Type?.Text === 'QUANTITY' && f.ValueDetection) f.ValueDetection.Text = '5';
    }
    const { receipt, json } = map(response, { currency: 'PHP' });
    expect(receipt.total).toEqual({ minor: 343090n, currency: 'XXX' });
    expect(json.total).toBe('3430.90');
    expect(json.confidence.total).toBe(0.3);
    expect(json.warnings).toEqual(['no total found; derived from the sum of 29 line items (3430.90)']);
  });
});

describe('Textract mapper: fields and rules', () => {
  it('reads a French receipt: day-first date, "1 810,46 €", VAT number, address, tip, tax rate', () => {
    const { json } = map(
      {
        ExpenseDocuments: [
          {
            SummaryFields: [
              field('NAME', 'Brasserie du Port', { group: 'VENDOR' }),
              field('ADDRESS', '12 quai des Brumes\n13002 Marseille', { group: 'VENDOR' }),
              field('VENDOR_VAT_NUMBER', 'FR 40 303 265 045'),
              field('INVOICE_RECEIPT_DATE', '12/07/2019'),
              field('SUBTOTAL', '1 508,72 €'),
              field('TAX', '301,74 €', { label: 'TVA 20%' }),
              field('TOTAL', '1 810,46 €', { label: 'TOTAL TTC' }),
              field('GRATUITY', '5,00 €'),
            ],
          },
        ],
      },
      { country: 'FR', currency: 'EUR' },
    );
    expect(json).toMatchObject({
      vendor: 'Brasserie du Port',
      vendorAddress: '12 quai des Brumes, 13002 Marseille',
      vendorVatNumber: 'FR40303265045',
      vendorSiren: '303265045',
      date: '2019-07-12',
      currency: 'EUR',
      total: '1810.46',
      subtotal: '1508.72',
      taxes: [{ rate: '20.00', amount: '301.74' }],
      tip: '5.00',
    });
    expect(json.warnings).not.toContain(expect.stringContaining('subtotal + taxes'));
  });

  it('without a currency anywhere, the country decides the date order and the decimal separator', () => {
    const doc = (total: string): ExpenseResponse => ({
      ExpenseDocuments: [{ SummaryFields: [field('INVOICE_RECEIPT_DATE', '03/04/2024'), field('TOTAL', total)] }],
    });
    expect(map(doc('1,234'), { country: 'US' }).json).toMatchObject({ date: '2024-03-04', total: '1234.00' });
    expect(map(doc('1.234'), { country: 'DE' }).json).toMatchObject({ date: '2024-04-03', total: '1234.00' });
    expect(map(doc('1.234'), { country: 'DE' }).json.currency).toBeUndefined();
  });

  it('a bare "$" is named by a dollar hint, else read as USD with a warning', () => {
    const doc = { ExpenseDocuments: [{ SummaryFields: [field('TOTAL', '$12.00')] }] };
    expect(map(doc, { currency: 'CAD' }).json.currency).toBe('CAD');
    const usd = map(doc, { currency: 'EUR' }).json;
    expect(usd.currency).toBe('USD');
    expect(usd.warnings).toContain('a bare "$" on the document, read as USD');
  });

  it('falls back from TOTAL to AMOUNT_DUE then AMOUNT_PAID, with a lower confidence', () => {
    const { json } = map({
      ExpenseDocuments: [
        { SummaryFields: [field('AMOUNT_PAID', '€ 9,90', { confidence: 100 }), field('AMOUNT_DUE', '9,90 €')] },
      ],
    });
    expect(json.total).toBe('9.90');
    expect(json.confidence.total).toBeCloseTo(0.99 * 0.85, 2);
  });

  it('flags subtotal + taxes ≠ total and lowers the total confidence', () => {
    const { json } = map({
      ExpenseDocuments: [
        {
          SummaryFields: [
            field('SUBTOTAL', '10.00', { currency: 'USD' }),
            field('TAX', '1.00', { currency: 'USD' }),
            field('TOTAL', '12.00', { currency: 'USD', confidence: 100 }),
          ],
        },
      ],
    });
    expect(json.warnings).toContain('subtotal + taxes (11.00) ≠ total (12.00)');
    expect(json.confidence.total).toBe(0.8);
  });

  it('a unit price × quantity that does not give the amount is a warning, and blocks a derived total', () => {
    const { json } = map({
      ExpenseDocuments: [
        {
          LineItemGroups: [
            {
              LineItems: [
                line(['ITEM', 'COFFEE'], ['QUANTITY', '2'], ['UNIT_PRICE', '2.50'], ['PRICE', '6.00']),
                line(['ITEM', 'FUEL'], ['QUANTITY', '10.05'], ['UNIT_PRICE', '1.859'], ['PRICE', '18.68']),
              ],
            },
          ],
        },
      ],
    });
    expect(json.lineItems[1]).toEqual({ description: 'FUEL', quantity: '10.05', unitPrice: '1.859', amount: '18.68' });
    expect(json.warnings).toEqual([
      'line items: "COFFEE": 2 × 2.50 ≠ 6.00',
      'no total found; not derived from the line items: 1 unreadable or inconsistent line(s)',
    ]);
    expect(json.total).toBeUndefined();
  });

  it('several expense documents: the one with a TOTAL is the receipt, the others are reported', () => {
    const response: ExpenseResponse = {
      ExpenseDocuments: [
        {
          ExpenseIndex: 1,
          SummaryFields: [field('VENDOR_NAME', 'PARKING A'), field('INVOICE_RECEIPT_DATE', '2024-05-01')],
        },
        { ExpenseIndex: 2, SummaryFields: [field('VENDOR_NAME', 'TAXI B'), field('TOTAL', '€23,40')] },
      ],
    };
    expect(chooseMainDocument(response.ExpenseDocuments ?? [])).toEqual({ main: 1, others: [0] });
    const { json } = map(response);
    expect(json).toMatchObject({ vendor: 'TAXI B', total: '23.40', currency: 'EUR' });
    expect(json.warnings[0]).toBe(
      '2 expense documents in the file; used #2, not #1 ("PARKING A", 2024-05-01, no total, 0 line items)',
    );
  });

  it('no document, or a document with nothing in it, is not a receipt', () => {
    expect(mapExpenseResponse({ ExpenseDocuments: [] })).toMatchObject({ ok: false, code: 'not-a-receipt' });
    expect(mapExpenseResponse({ ExpenseDocuments: [{ SummaryFields: [field('OTHER', 'hello')] }] })).toMatchObject({
      ok: false,
      code: 'not-a-receipt',
    });
  });

  it('TAX_PAYER_ID: a SIRET becomes siret + siren', () => {
    const r = mapExpenseDocument({
      SummaryFields: [field('TAX_PAYER_ID', '732 829 320 00074'), field('TOTAL', '5,00 €')],
    });
    expect(r.vendor).toMatchObject({ siret: '73282932000074', siren: '732829320' });
  });

  it('merges GetExpenseAnalysis pages: one document split across pages is one document', () => {
    const page1: ExpenseResponse = {
      DocumentMetadata: { Pages: 2 },
      ExpenseDocuments: [
        {
          ExpenseIndex: 1,
          SummaryFields: [field('VENDOR_NAME', 'HOTEL')],
          LineItemGroups: [{ LineItemGroupIndex: 1, LineItems: [line(['ITEM', 'NIGHT'], ['PRICE', '100.00'])] }],
        },
      ],
    };
    const page2: ExpenseResponse = {
      ExpenseDocuments: [
        {
          ExpenseIndex: 1,
          SummaryFields: [field('TOTAL', '110.00', { currency: 'EUR' })],
          LineItemGroups: [{ LineItemGroupIndex: 2, LineItems: [line(['ITEM', 'BREAKFAST'], ['PRICE', '10.00'])] }],
        },
      ],
    };
    const merged = mergeExpensePages([page1, page2]);
    expect(merged.ExpenseDocuments).toHaveLength(1);
    expect(merged.DocumentMetadata).toEqual({ Pages: 2 });
    const doc = merged.ExpenseDocuments?.[0] as ExpenseDocument;
    expect(doc.SummaryFields).toHaveLength(2);
    expect(map(merged).json).toMatchObject({ vendor: 'HOTEL', total: '110.00', lineItems: [{}, {}] });
    // the inputs are not mutated
    expect(page1.ExpenseDocuments?.[0]?.SummaryFields).toHaveLength(1);
  });
});
