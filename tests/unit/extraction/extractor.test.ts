import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { extractCommand } from '../../../cli/commands/extract.ts';
import { makeBuiltinExtractor } from '../../../shared/adapters/extraction/builtin.ts';
import { imageSize, sniffKind } from '../../../shared/adapters/extraction/sniff.ts';
import { receiptToJson } from '../../../shared/domain/extraction/model.ts';
import type { ExtractionResult } from '../../../shared/ports/extractor.ts';
import { buildFrenchReceiptPdf } from '../../fixtures/extraction/french-receipt.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/extraction');
const DATA = resolve(import.meta.dirname, '../../../../shared/data');
const NOW = new Date('2026-06-01T00:00:00Z');
const extractor = makeBuiltinExtractor({ now: NOW });
afterAll(() => extractor.close());

const ok = (r: ExtractionResult) => {
  if (!r.ok) throw new Error(`expected success, got ${r.code}: ${r.error}`);
  return receiptToJson(r.receipt);
};
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('built-in extractor', () => {
  it('reads a French receipt PDF (generated with pdf-lib) from its text layer, fast', async () => {
    const bytes = await buildFrenchReceiptPdf();
    await extractor.extract({ bytes, contentType: 'application/pdf' }); // warm pdfjs
    const t0 = performance.now();
    const r = await extractor.extract({ bytes, contentType: 'application/pdf', fileName: 'ticket.pdf' });
    const ms = performance.now() - t0;
    expect(ok(r)).toMatchObject({
      engine: 'pdf-text',
      vendor: 'BOULANGERIE DU MARCHE',
      vendorSiret: '73282932000074',
      vendorVatNumber: 'FR44732829320',
      date: '2024-03-14',
      currency: 'EUR',
      total: '15.60',
      cardLast4: '4821',
      taxes: [
        { rate: '5.50', base: '5.02', amount: '0.28' },
        { rate: '10.00', base: '10.28', amount: '1.02' },
      ],
    });
    expect(ms).toBeLessThan(500); // ≤ 50 ms a page is the target on an idle core; generous for a shared CI box
  });

  it('reads the Factur-X XML embedded in a PDF/A-3 instead of its text', async () => {
    const bytes = new Uint8Array(readFileSync(join(DATA, 'einvoice/akretion_factur-x/invoice_EN16931.pdf')));
    expect(ok(await extractor.extract({ bytes, contentType: 'application/pdf' }))).toMatchObject({
      engine: 'facturx',
      vendor: 'LE FOURNISSEUR',
      date: '2026-01-31',
      total: '104.90',
      subtotal: '100.00',
    });
  });

  it('reads UBL XML, SROIE box lines, plain OCR text and HTML', async () => {
    const ubl = new Uint8Array(readFileSync(join(DATA, 'einvoice/cen_en16931/ubl/ubl-tc434-example1.xml')));
    expect(ok(await extractor.extract({ bytes: ubl, contentType: 'application/xml' }))).toMatchObject({
      engine: 'ubl',
      total: '250.33',
    });
    const csv = new Uint8Array(readFileSync(join(FIXTURES, 'sroie-003.csv')));
    expect(ok(await extractor.extract({ bytes: csv, contentType: 'text/csv', fileName: 'a.csv' }))).toMatchObject({
      engine: 'ocr-lines',
      vendor: 'IKANO HANDEL SDN BHD',
      date: '2018-04-25',
      total: '22.00',
    });
    const txt = enc('CAFE DE FLORE\n172 bd Saint-Germain\n12/05/2025 10:02\nCafé crème 5,50\nTOTAL TTC 5,50 €');
    expect(ok(await extractor.extract({ bytes: txt, contentType: 'text/plain' }))).toMatchObject({
      total: '5.50',
      date: '2025-05-12',
      currency: 'EUR',
    });
    const html = new Uint8Array(readFileSync(join(FIXTURES, 'french-receipt.html')));
    expect(ok(await extractor.extract({ bytes: html, contentType: 'text/html' }))).toMatchObject({
      engine: 'html',
      vendor: 'Le Comptoir Saint-Paul',
      total: '44.50',
      date: '2025-02-02',
    });
  });

  it('reads a receipt attached to an e-mail', async () => {
    const xml = readFileSync(join(DATA, 'einvoice/akretion_factur-x/factur-x-basic.xml')).toString('base64');
    const eml = [
      'From: shop@example.com',
      'To: receipts@demo.quittance.local',
      'Subject: Votre facture',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Bonjour, voici votre facture.',
      '--b',
      'Content-Type: application/xml; name="factur-x.xml"',
      'Content-Disposition: attachment; filename="factur-x.xml"',
      'Content-Transfer-Encoding: base64',
      '',
      xml,
      '--b--',
      '',
    ].join('\r\n');
    expect(ok(await extractor.extract({ bytes: enc(eml), contentType: 'message/rfc822' }))).toMatchObject({
      engine: 'cii',
      total: '104.90',
    });
  });

  it('fails clearly on bad input and keeps going', async () => {
    const cases: Array<[Uint8Array, string, RegExp]> = [
      [new Uint8Array(), 'application/pdf', /empty file/],
      [enc('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage'), 'application/pdf', /PDF/],
      [enc('hello, this is not a receipt\njust words'), 'text/plain', /does not look like a receipt/],
      [
        enc('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
        'application/xml',
        /DOCTYPE/,
      ],
      [enc('<Invoice><broken>'), 'application/xml', /malformed|not a CII/],
      [new Uint8Array([0x00, 0x01, 0x02, 0x03, 0xfe]), 'application/octet-stream', /unsupported/],
      [new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg', /corrupt/],
    ];
    for (const [bytes, contentType, error] of cases) {
      const r = await extractor.extract({ bytes, contentType });
      expect(r.ok, String(error)).toBe(false);
      if (!r.ok) expect(r.error).toMatch(error);
    }
  });

  it('refuses a 50-megapixel image from its header, before decoding (decompression bombs)', async () => {
    const png = new Uint8Array(64);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(png.buffer).setUint32(16, 10_000);
    new DataView(png.buffer).setUint32(20, 5_000);
    expect(imageSize(png)).toEqual({ width: 10_000, height: 5_000 });
    const r = await extractor.extract({ bytes: png, contentType: 'image/png' });
    expect(r).toMatchObject({
      ok: false,
      code: 'too-large',
      error: expect.stringMatching(/50\.0 MP\) exceeds the 40 MP limit/),
    });
    const jpg = new Uint8Array(readFileSync(join(FIXTURES, 'sroie-003.jpg')));
    expect(imageSize(jpg)).toEqual({ width: 619, height: 1331 });
  });

  it('sniffs types from bytes before names', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage().drawText('x', { font: await pdf.embedFont(StandardFonts.Helvetica) });
    expect(sniffKind(await pdf.save(), 'application/octet-stream', 'scan.bin')).toBe('pdf');
    expect(sniffKind(enc('<?xml version="1.0"?><Invoice/>'), 'text/plain')).toBe('xml');
    expect(sniffKind(enc('1,2,3,4,5,6,7,8,TOTAL'), 'text/csv', 'a.csv')).toBe('csv');
  });
});

describe('quittance extract (CLI)', () => {
  it('prints one JSON line per file in input order; failures do not stop the batch', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const files = [
        join(FIXTURES, 'sroie-003.csv'),
        join(FIXTURES, 'does-not-exist.pdf'),
        join(DATA, 'einvoice/cen_en16931/cii/CII_example1.xml'),
        join(FIXTURES, 'french-receipt.pdf'),
      ];
      const code = await extractCommand.run(files);
      expect(code).toBe(0);
      const lines = out
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.file, l.status])).toEqual([
        [files[0], 'extracted'],
        [files[1], 'failed'],
        [files[2], 'extracted'],
        [files[3], 'extracted'],
      ]);
      expect(lines[0]).toMatchObject({ engine: 'ocr-lines', total: '22.00', date: '2018-04-25' });
      expect(lines[1]).toMatchObject({ error: 'no such file' });
      expect(lines[2]).toMatchObject({ engine: 'cii', total: '250.33', currency: 'EUR' });
      expect(lines[3]).toMatchObject({
        engine: 'pdf-text',
        total: '15.60',
        taxes: [{ rate: '5.50' }, { rate: '10.00' }],
      });
    } finally {
      spy.mockRestore();
    }
  });
});
