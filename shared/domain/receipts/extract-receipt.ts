import type { Directory, ExtractionEngineChoice } from '../../ports/directory.ts';
import type { DocumentStore } from '../../ports/document-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { Extractor } from '../../ports/extractor.ts';
import type { ReceiptRepository } from '../../ports/receipt-repository.ts';
import { receiptToJson } from '../extraction/model.ts';
import { duplicateKey } from './receipt.ts';

/** Engines with an asynchronous API for documents the synchronous one cannot read (Textract: several pages). */
export interface AsyncExtraction {
  /** Starts the job; its completion arrives later as a message carrying `jobTag`. */
  start(input: { bucket: string; key: string; jobTag: string }): Promise<string>;
}

export interface ExtractReceiptDeps {
  receipts: ReceiptRepository;
  documents: DocumentStore;
  directory: Directory;
  events: EventPublisher;
  extractors: Partial<Record<ExtractionEngineChoice, Extractor>>;
  /** Per engine, when its asynchronous API is configured. */
  asyncExtraction?: Partial<Record<ExtractionEngineChoice, AsyncExtraction>>;
  now: () => Date;
}

/** The job tag of an asynchronous extraction: what its completion message carries back. */
export const jobTagOf = (companyId: string, receiptId: string) => `${companyId}:${receiptId}`;
export const parseJobTag = (tag: string) => {
  const i = tag.indexOf(':');
  return i > 0 ? { companyId: tag.slice(0, i), receiptId: tag.slice(i + 1) } : null;
};

/** Engine errors (throttling, a crashed OCR worker) are retried this many times before the receipt fails. */
export const MAX_EXTRACTION_ATTEMPTS = 3;

export class RetryableExtractionError extends Error {
  override readonly name = 'RetryableExtractionError';
}

export type ExtractReceiptResult = 'extracted' | 'failed' | 'skipped' | 'started';

/**
 * Reads a received receipt's document with the company's engine.
 * 1. Skip receipts no longer RECEIVED (a re-delivered message): extraction happens once.
 * 2. Run the company's extractor (built-in by default) with the company's country and currency as hints.
 * 3. Success: flag a possible duplicate (same employee, vendor, date, total), store the extraction, EXTRACTED,
 *    publish ReceiptExtracted.
 * 4. A bad document (unreadable, unsupported, too large, not a receipt) fails at once with its reason; an engine
 *    error is retried (the queue redelivers) and fails after MAX_EXTRACTION_ATTEMPTS. Failures publish
 *    ReceiptExtractionFailed; an admin can retry.
 */
export const extractReceipt = async (
  deps: ExtractReceiptDeps,
  input: { companyId: string; receiptId: string; attempt: number },
): Promise<ExtractReceiptResult> => {
  const receipt = await deps.receipts.get(input.companyId, input.receiptId);
  if (receipt?.status !== 'RECEIVED') return 'skipped';

  const company = await deps.directory.company(input.companyId);
  const engine = company?.extractionEngine ?? 'builtin';
  const extractor = deps.extractors[engine] ?? deps.extractors.builtin;
  if (!extractor) throw new Error(`no extractor configured for ${engine}`);

  const bytes = await deps.documents.get(receipt.document);
  const result = await extractor.extract({
    bytes,
    contentType: receipt.document.contentType,
    ...(receipt.document.fileName ? { fileName: receipt.document.fileName } : {}),
    hints: { country: company?.country ?? 'FR', currency: company?.currency ?? 'EUR' },
  });
  const at = deps.now().toISOString();

  if (!result.ok && (result as { needsAsync?: boolean }).needsAsync && deps.asyncExtraction?.[engine]) {
    const jobId = await deps.asyncExtraction[engine].start({
      bucket: receipt.document.bucket,
      key: receipt.document.key,
      jobTag: jobTagOf(input.companyId, input.receiptId),
    });
    await deps.receipts.transition(input.companyId, input.receiptId, {
      from: 'RECEIVED',
      to: 'EXTRACTING',
      patch: { asyncJob: { engine, jobId, startedAt: at } },
      history: {
        at,
        status: 'EXTRACTING',
        actor: `extractor:${engine}`,
        note: `several pages: ${engine} job ${jobId} started`,
      },
    });
    return 'started';
  }
  return recordExtraction(deps, {
    companyId: input.companyId,
    receiptId: input.receiptId,
    from: 'RECEIVED',
    attempt: input.attempt,
    engine,
    result,
  });
};

/**
 * Stores what an engine returned for a receipt (from RECEIVED, or from EXTRACTING when an asynchronous job
 * completes): EXTRACTED with a possible-duplicate check and ReceiptExtracted, or EXTRACTION_FAILED with the reason
 * and ReceiptExtractionFailed. An engine error before the last attempt is thrown, so the queue retries.
 */
export const recordExtraction = async (
  deps: Pick<ExtractReceiptDeps, 'receipts' | 'events' | 'now'>,
  input: {
    companyId: string;
    receiptId: string;
    from: 'RECEIVED' | 'EXTRACTING';
    attempt: number;
    engine: string;
    result: Awaited<ReturnType<Extractor['extract']>>;
  },
): Promise<ExtractReceiptResult> => {
  const { result, engine } = input;
  const receipt = await deps.receipts.get(input.companyId, input.receiptId);
  if (receipt?.status !== input.from) return 'skipped';
  const at = deps.now().toISOString();

  if (!result.ok) {
    if (result.code === 'engine-error' && input.attempt < MAX_EXTRACTION_ATTEMPTS) {
      throw new RetryableExtractionError(`attempt ${input.attempt}: ${result.error}`);
    }
    await deps.receipts.transition(input.companyId, input.receiptId, {
      from: input.from,
      to: 'EXTRACTION_FAILED',
      patch: { failure: { code: result.code, reason: result.error, attempts: input.attempt }, asyncJob: undefined },
      history: { at, status: 'EXTRACTION_FAILED', actor: `extractor:${result.engine ?? engine}`, note: result.error },
    });
    await deps.events.publish([
      {
        name: 'ReceiptExtractionFailed',
        detail: {
          companyId: input.companyId,
          receiptId: input.receiptId,
          employeeId: receipt.employeeId,
          code: result.code,
          reason: result.error,
          failedAt: at,
        },
      },
    ]);
    return 'failed';
  }

  const extraction = receiptToJson(result.receipt);
  const dupKey = receipt.employeeId ? duplicateKey(receipt.employeeId, extraction) : null;
  const possibleDuplicateOf = dupKey
    ? await deps.receipts.claim(input.companyId, 'expense', dupKey, input.receiptId)
    : null;
  await deps.receipts.transition(input.companyId, input.receiptId, {
    from: input.from,
    to: 'EXTRACTED',
    patch: {
      extraction,
      possibleDuplicateOf: possibleDuplicateOf ?? undefined,
      failure: undefined,
      asyncJob: undefined,
    },
    history: {
      at,
      status: 'EXTRACTED',
      actor: `extractor:${extraction.engine}`,
      note: [
        `read by ${extraction.engine}`,
        extraction.vendor,
        extraction.date,
        extraction.total && `${extraction.total} ${extraction.currency ?? ''}`.trim(),
        possibleDuplicateOf && `possible duplicate of ${possibleDuplicateOf}`,
      ]
        .filter(Boolean)
        .join(' · '),
    },
  });
  await deps.events.publish([
    {
      name: 'ReceiptExtracted',
      detail: {
        companyId: input.companyId,
        receiptId: input.receiptId,
        employeeId: receipt.employeeId,
        extraction,
        possibleDuplicateOf,
        extractedAt: at,
      },
    },
  ]);
  return 'extracted';
};
