import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeBuiltinExtractor } from '../../../shared/adapters/extraction/builtin.ts';
import { OcrEngine, similarReading } from '../../../shared/adapters/extraction/ocr.ts';
import { renderPdfPages } from '../../../shared/adapters/extraction/pdf.ts';
import { receiptToJson } from '../../../shared/domain/extraction/model.ts';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../fixtures/extraction', name)));

// The only OCR tests (tesseract.js is slow on shared CPUs): one worker, offline models.
describe('OCR engine (tesseract.js, offline)', () => {
  const extractor = makeBuiltinExtractor({ now: new Date('2019-06-01T00:00:00Z') });
  afterAll(() => extractor.close());

  it('reads date and total of a scanned receipt photo', async () => {
    const r = await extractor.extract({ bytes: fixture('sroie-003.jpg'), contentType: 'image/jpeg' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const j = receiptToJson(r.receipt);
    expect(j).toMatchObject({ engine: 'ocr', date: '2018-04-25', total: '22.00', currency: 'MYR' });
    // SROIE scoring: upper-case, alphanumerics only (OCR may read a space as '_').
    expect((j.vendor ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '')).toMatch(/HANDELSDNBHD$/);
  }, 20_000);

  it('reads a small, compressed photo of a French receipt (text upscaled before OCR)', async () => {
    // The French receipt PDF rendered, shrunk to 60 % and saved as a JPEG of quality 70: small glyphs that
    // tesseract cannot read as they are.
    const [png] = await renderPdfPages(fixture('french-receipt.pdf'), 1);
    const { createCanvas, Image } = (await import('@napi-rs/canvas' as string)) as {
      createCanvas(
        w: number,
        h: number,
      ): {
        getContext(k: '2d'): { drawImage(i: unknown, x: number, y: number, w: number, h: number): void };
        toBuffer(type: 'image/jpeg', quality: number): Buffer;
      };
      Image: new () => { src: Uint8Array; width: number; height: number; decode(): Promise<void> };
    };
    const img = new Image();
    img.src = png as Uint8Array;
    await img.decode();
    const canvas = createCanvas(Math.round(img.width * 0.6), Math.round(img.height * 0.6));
    canvas.getContext('2d').drawImage(img, 0, 0, Math.round(img.width * 0.6), Math.round(img.height * 0.6));
    const bytes = new Uint8Array(canvas.toBuffer('image/jpeg', 70));
    const r = await extractor.extract({ bytes, contentType: 'image/jpeg', fileName: 'photo.jpg' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(receiptToJson(r.receipt)).toMatchObject({
      engine: 'ocr',
      vendor: 'BOULANGERIE DU MARCHE',
      date: '2024-03-14',
      total: '15.60',
      currency: 'EUR',
    });
  }, 20_000);

  it('reads a header line printed much larger than the rest again alone, at the size of the other lines', async () => {
    const { createCanvas } = (await import('@napi-rs/canvas' as string)) as {
      createCanvas(
        w: number,
        h: number,
      ): {
        getContext(k: '2d'): {
          fillStyle: string;
          font: string;
          fillRect(x: number, y: number, w: number, h: number): void;
          fillText(t: string, x: number, y: number): void;
        };
        toBuffer(type: 'image/png'): Buffer;
      };
    };
    const canvas = createCanvas(900, 900);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, 900, 900);
    ctx.fillStyle = '#000000';
    ctx.font = 'bold 64px sans-serif';
    ctx.fillText('KEDAI MAJU', 120, 110);
    ctx.font = '26px monospace';
    const body = [
      'Jalan Ampang 12, Kuala Lumpur',
      'Tel: 03-2141 5566',
      'Date: 14/03/2024 12:31',
      'Roti canai      2 x 1.50    3.00',
    ];
    body.push(
      'Teh tarik                   2.20',
      'Nasi lemak                  6.50',
      'Subtotal                   11.70',
    );
    body.push(
      'Total                      11.70',
      'Cash                       20.00',
      'Change                      8.30',
    );
    for (const [i, t] of body.entries()) ctx.fillText(t, 60, 200 + i * 62);
    const bytes = new Uint8Array(canvas.toBuffer('image/png'));
    const withPass = new OcrEngine();
    const without = new OcrEngine({ headerPass: false });
    const pages = vi.spyOn(withPass as unknown as { page: (...a: unknown[]) => Promise<unknown> }, 'page');
    const plain = vi.spyOn(without as unknown as { page: (...a: unknown[]) => Promise<unknown> }, 'page');
    try {
      const r = await withPass.recognize(bytes);
      await without.recognize(bytes);
      expect(plain).toHaveBeenCalledTimes(1);
      // The page, then the tall title read alone.
      expect(pages.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(r.lines[0]?.text.toUpperCase().replace(/[^A-Z]/g, '')).toBe('KEDAIMAJU');
      expect(r.lines.some((l) => /11[.,]70/.test(l.text))).toBe(true);
    } finally {
      await withPass.close();
      await without.close();
    }
  }, 60_000);

  it('tells two readings of the same text from different text', () => {
    expect(similarReading('GARDENIA BAKERIES (KI ) SDN BHD', 'GARDENIA BAKERIES (KL) SDN BHD')).toBe(true);
    expect(similarReading('Saniung Realiti Sdn. Bhd.', 'Sanjung Realiti Sdn. Bhd.')).toBe(true);
    expect(similarReading('marre ga 2222222222', 'GARDENIA BAKERIES (KL) SDN BHD')).toBe(false);
    expect(similarReading('|', '|')).toBe(false);
  });

  it('reads the original bytes too when the prepared image reads poorly, and keeps the more confident reading', async () => {
    // Every reading counts as poor here; the header pass (more page calls) is tested apart.
    const engine = new OcrEngine({ retryBelow: 1.01, headerPass: false });
    const page = vi.spyOn(engine as unknown as { page: (...a: unknown[]) => Promise<unknown> }, 'page');
    try {
      const both = await engine.recognize(fixture('sroie-003.jpg'));
      expect(page).toHaveBeenCalledTimes(2);
      const readings = (await Promise.all(page.mock.results.map((r) => r.value))) as Array<{ confidence: number }>;
      expect(both.meanConfidence).toBe(Math.max(...readings.map((r) => r.confidence)));
      page.mockClear();
      const never = new OcrEngine({ retryBelow: 0, headerPass: false });
      const once = vi.spyOn(never as unknown as { page: (...a: unknown[]) => Promise<unknown> }, 'page');
      await never.recognize(fixture('sroie-003.jpg'));
      expect(once).toHaveBeenCalledTimes(1);
      await never.close();
    } finally {
      await engine.close();
    }
  }, 40_000);
});
