/**
 * The Extractor port: bytes of a receipt or invoice in, one normalized receipt out, whatever the engine
 * (built-in: e-invoice XML, PDF text layer, OCR; in AWS: Textract AnalyzeExpense).
 */
import type { ExtractedReceipt } from '../domain/extraction/model.ts';

export type { ExtractedReceipt } from '../domain/extraction/model.ts';

export interface ExtractionInput {
  bytes: Uint8Array;
  /** MIME type as received ("application/pdf", "image/jpeg", "text/csv"…); sniffed from the bytes when generic. */
  contentType: string;
  fileName?: string;
  hints?: { country?: string; currency?: string };
}

export type ExtractionFailureCode =
  | 'unsupported' // a format no engine reads
  | 'unreadable' // corrupt, encrypted, empty, malformed
  | 'too-large' // size or pixel limits
  | 'not-a-receipt' // readable, but nothing that looks like a receipt or invoice
  | 'engine-error'; // the engine itself failed (OCR worker, Textract throttling…)

export interface ExtractionFailure {
  ok: false;
  code: ExtractionFailureCode;
  error: string;
  /** The engine that was tried, when one was. */
  engine?: ExtractedReceipt['engine'];
}

export interface ExtractionSuccess {
  ok: true;
  receipt: ExtractedReceipt;
  /** Wall time spent, for metrics. */
  elapsedMs: number;
}

export type ExtractionResult = ExtractionSuccess | ExtractionFailure;

export interface Extractor {
  extract(input: ExtractionInput): Promise<ExtractionResult>;
  /** Releases engines holding resources (OCR workers). Safe to call more than once. */
  close?(): Promise<void>;
}
