import { describe, expect, it } from 'vitest';
import { parseReceiptRows } from '../../../shared/domain/extraction/field-parser.ts';
import { buildRows } from '../../../shared/domain/extraction/layout.ts';
import { receiptToJson } from '../../../shared/domain/extraction/model.ts';
import { repairTradeWords, tradeWordFor } from '../../../shared/domain/extraction/name-words.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

describe('trade words of merchant names', () => {
  it('reads a trade word misread by one typical OCR confusion', () => {
    expect(tradeWordFor('BAKERLES')).toBe('BAKERIES');
    expect(tradeWordFor('HARDWAKE')).toBeUndefined(); // R/K is not a shape confusion
    expect(tradeWordFor('SUPERMARKFT')).toBe('SUPERMARKET');
    expect(tradeWordFor('JOHGR')).toBe('JOHOR');
    expect(repairTradeWords('Kedai Runcit Restauramt Seri')).toBe('Kedai Runcit Restaurant Seri');
    expect(repairTradeWords('Kedai Runcit Restaurajt Seri')).toBe('Kedai Runcit Restaurajt Seri'); // J/N: no
    expect(repairTradeWords('Sinar Stati0nery')).toBe('Sinar Stati0nery'); // digits are not letters here
    expect(repairTradeWords('Sinar Statlonery Sdn Bhd')).toBe('Sinar Stationery Sdn Bhd');
  });

  it('leaves proper names and real words alone', () => {
    // In the list, or not one confusion away from a single trade word.
    for (const w of ['BAKERS', 'BAKERY', 'WOODS', 'PARTY', 'HOUSE', 'MERBOK', 'FOTOZY', 'HART', 'STOOGES']) {
      expect(tradeWordFor(w)).toBeUndefined();
    }
  });

  it('is applied to OCR readings of the vendor only, not to clean text', () => {
    const rows = (confidence?: number) =>
      buildRows(
        ['SRI BAKERLES (KL) SDN BHD', 'LOT 3, JALAN PELABUR 23/1', '12/08/2024', 'TOTAL 7.90'].map((text, i) => ({
          text,
          box: { x0: 10, y0: i * 30, x1: 300, y1: i * 30 + 20 },
          ...(confidence !== undefined ? { confidence } : {}),
        })),
      );
    expect(receiptToJson(parseReceiptRows(rows(0.9), 'ocr', { now: NOW })).vendor).toBe('SRI BAKERIES (KL) SDN BHD');
    expect(receiptToJson(parseReceiptRows(rows(), 'ocr-lines', { now: NOW })).vendor).toBe('SRI BAKERLES (KL) SDN BHD');
  });
});
