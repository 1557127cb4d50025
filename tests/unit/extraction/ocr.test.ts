import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBuiltinExtractor } from '../../../shared/adapters/extraction/builtin.ts';
import { receiptToJson } from '../../../shared/domain/extraction/model.ts';

// The only OCR test (tesseract.js is slow on shared CPUs): one scanned receipt, offline models.
describe('OCR engine (tesseract.js, offline)', () => {
  it('reads date and total of a scanned receipt photo', async () => {
    const extractor = makeBuiltinExtractor({ now: new Date('2019-06-01T00:00:00Z') });
    try {
      const bytes = new Uint8Array(
        readFileSync(resolve(import.meta.dirname, '../../fixtures/extraction/sroie-003.jpg')),
      );
      const r = await extractor.extract({ bytes, contentType: 'image/jpeg', fileName: 'sroie-003.jpg' });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const j = receiptToJson(r.receipt);
      expect(j).toMatchObject({ engine: 'ocr', date: '2018-04-25', total: '22.00', currency: 'MYR' });
      // SROIE scoring: upper-case, alphanumerics only (OCR may read a space as '_').
      expect((j.vendor ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '')).toMatch(/HANDELSDNBHD$/);
    } finally {
      await extractor.close();
    }
  }, 20_000);
});
