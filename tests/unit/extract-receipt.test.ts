import { beforeEach, describe, expect, it } from 'vitest';
import { money } from '../../shared/domain/money.ts';
import {
  extractReceipt,
  jobTagOf,
  MAX_EXTRACTION_ATTEMPTS,
  parseJobTag,
  RetryableExtractionError,
  recordExtraction,
} from '../../shared/domain/receipts/extract-receipt.ts';
import { registerDocument } from '../../shared/domain/receipts/register-document.ts';
import type { ExtractionResult, Extractor } from '../../shared/ports/extractor.ts';
import { inMemory } from '../support/in-memory.ts';

const PDF = new TextEncoder().encode('%PDF-1.7 lunch');

const extracted = (total: bigint): ExtractionResult => ({
  ok: true,
  elapsedMs: 1,
  receipt: {
    engine: 'pdf-text',
    vendor: { name: 'Brasserie du Marché' },
    date: '2026-11-14',
    currency: 'EUR',
    total: money(total, 'EUR'),
    taxes: [{ rate: '10.00', amount: money(386n, 'EUR') }],
    lineItems: [],
    confidence: { vendor: 0.9, total: 0.95 },
    warnings: [],
  },
});

const fixedExtractor = (result: ExtractionResult): Extractor & { calls: number } => {
  const e = {
    calls: 0,
    async extract() {
      e.calls++;
      return result;
    },
  };
  return e;
};

describe('extractReceipt', () => {
  let mem: ReturnType<typeof inMemory>;
  const now = () => new Date('2026-11-20T12:00:05.000Z');

  const receive = async (id: string, bytes = PDF) =>
    registerDocument(mem.deps, {
      companyId: 'acme',
      employeeId: 'u1',
      receiptId: id,
      bytes,
      kind: 'pdf',
      fileName: `${id}.pdf`,
      source: { channel: 'upload', uploadId: id, rawObject: { bucket: 'documents', key: `uploads/${id}` } },
      receivedAt: '2026-11-20T12:00:00.000Z',
      actor: 'user:u1',
      note: 'uploaded',
    });

  beforeEach(() => {
    mem = inMemory();
  });

  it('stores what the engine read, moves the receipt to EXTRACTED and publishes ReceiptExtracted', async () => {
    await receive('r1');
    const deps = { ...mem.deps, extractors: { builtin: fixedExtractor(extracted(4250n)) }, now };
    expect(await extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt: 1 })).toBe('extracted');
    const receipt = await mem.deps.receipts.get('acme', 'r1');
    expect(receipt).toMatchObject({
      status: 'EXTRACTED',
      extraction: { total: '42.50', vendor: 'Brasserie du Marché' },
    });
    expect(mem.state.published.at(-1)).toMatchObject({
      name: 'ReceiptExtracted',
      detail: { possibleDuplicateOf: null },
    });
  });

  it('runs once per receipt: a re-delivered message is skipped', async () => {
    await receive('r1');
    const engine = fixedExtractor(extracted(4250n));
    const deps = { ...mem.deps, extractors: { builtin: engine }, now };
    await extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt: 1 });
    expect(await extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt: 2 })).toBe('skipped');
    expect(engine.calls).toBe(1);
  });

  it('flags a second receipt with the same employee, vendor, date and total as a possible duplicate', async () => {
    await receive('r1');
    await receive('r2', new TextEncoder().encode('%PDF-1.7 the same lunch, photographed again'));
    const deps = { ...mem.deps, extractors: { builtin: fixedExtractor(extracted(4250n)) }, now };
    await extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt: 1 });
    await extractReceipt(deps, { companyId: 'acme', receiptId: 'r2', attempt: 1 });
    expect((await mem.deps.receipts.get('acme', 'r2'))?.possibleDuplicateOf).toBe('r1');
    expect((await mem.deps.receipts.get('acme', 'r1'))?.possibleDuplicateOf).toBeUndefined();
  });

  it('fails a bad document at once, with its reason', async () => {
    await receive('r1');
    const failing = fixedExtractor({
      ok: false,
      code: 'unreadable',
      error: 'the PDF is encrypted',
      engine: 'pdf-text',
    });
    const deps = { ...mem.deps, extractors: { builtin: failing }, now };
    expect(await extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt: 1 })).toBe('failed');
    expect(await mem.deps.receipts.get('acme', 'r1')).toMatchObject({
      status: 'EXTRACTION_FAILED',
      failure: { code: 'unreadable', reason: 'the PDF is encrypted' },
    });
    expect(mem.state.published.at(-1)?.name).toBe('ReceiptExtractionFailed');
  });

  it('retries engine errors through the queue, then fails after the last attempt', async () => {
    await receive('r1');
    const flaky = fixedExtractor({ ok: false, code: 'engine-error', error: 'Textract throttled' });
    const deps = { ...mem.deps, extractors: { builtin: flaky }, now };
    for (let attempt = 1; attempt < MAX_EXTRACTION_ATTEMPTS; attempt++) {
      await expect(extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt })).rejects.toThrow(
        RetryableExtractionError,
      );
      expect((await mem.deps.receipts.get('acme', 'r1'))?.status).toBe('RECEIVED');
    }
    expect(await extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt: MAX_EXTRACTION_ATTEMPTS })).toBe(
      'failed',
    );
    expect((await mem.deps.receipts.get('acme', 'r1'))?.failure?.attempts).toBe(MAX_EXTRACTION_ATTEMPTS);
  });

  it('uses the engine the company chose', async () => {
    await receive('r1');
    mem.addCompany({
      companyId: 'acme',
      legalName: 'Acme',
      country: 'US',
      currency: 'USD',
      extractionEngine: 'textract',
    });
    const builtin = fixedExtractor(extracted(1n));
    const textract = fixedExtractor(extracted(2n));
    await extractReceipt(
      { ...mem.deps, extractors: { builtin, textract }, now },
      { companyId: 'acme', receiptId: 'r1', attempt: 1 },
    );
    expect([builtin.calls, textract.calls]).toEqual([0, 1]);
  });

  it('starts an asynchronous job for a document the synchronous API cannot read, and finishes it on completion', async () => {
    await receive('r1');
    mem.addCompany({
      companyId: 'acme',
      legalName: 'Acme',
      country: 'FR',
      currency: 'EUR',
      extractionEngine: 'textract',
    });
    const started: { key: string; jobTag: string }[] = [];
    const textract = fixedExtractor({
      ok: false,
      code: 'unsupported',
      error: 'several pages',
      needsAsync: true,
    } as never);
    const deps = {
      ...mem.deps,
      extractors: { textract },
      asyncExtraction: {
        textract: {
          async start(input: { bucket: string; key: string; jobTag: string }) {
            started.push(input);
            return 'job-1';
          },
        },
      },
      now,
    };
    expect(await extractReceipt(deps, { companyId: 'acme', receiptId: 'r1', attempt: 1 })).toBe('started');
    expect(started[0]?.jobTag).toBe(jobTagOf('acme', 'r1'));
    expect(await mem.deps.receipts.get('acme', 'r1')).toMatchObject({
      status: 'EXTRACTING',
      asyncJob: { jobId: 'job-1' },
    });

    const tag = parseJobTag(started[0]?.jobTag ?? '');
    const done = await recordExtraction(deps, {
      companyId: tag?.companyId ?? '',
      receiptId: tag?.receiptId ?? '',
      from: 'EXTRACTING',
      attempt: 1,
      engine: 'textract',
      result: extracted(4250n),
    });
    expect(done).toBe('extracted');
    const receipt = await mem.deps.receipts.get('acme', 'r1');
    expect(receipt).toMatchObject({ status: 'EXTRACTED', extraction: { total: '42.50' } });
    expect(receipt?.asyncJob).toBeUndefined();
  });
});
