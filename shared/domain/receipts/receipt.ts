/** A receipt: one document an employee sent (e-mail attachment, e-mail body or upload), then its extracted data. */
import type { ReceiptJson } from '../extraction/model.ts';

export const RECEIPT_STATUSES = ['RECEIVED', 'EXTRACTING', 'EXTRACTED', 'EXTRACTION_FAILED', 'DUPLICATE'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/**
 * Allowed transitions. RECEIVED → EXTRACTED | EXTRACTION_FAILED by the pipeline (through EXTRACTING while an
 * asynchronous engine job runs); EXTRACTION_FAILED → RECEIVED when
 * an admin retries; EXTRACTED → RECEIVED for a re-extraction (e.g. with another engine). DUPLICATE (the same file
 * as an earlier receipt) is final: it links to the original and is never processed.
 */
export const RECEIPT_TRANSITIONS: Readonly<Record<ReceiptStatus, readonly ReceiptStatus[]>> = {
  RECEIVED: ['EXTRACTING', 'EXTRACTED', 'EXTRACTION_FAILED'],
  /** An asynchronous engine job (Textract on a multi-page PDF) is running. */
  EXTRACTING: ['EXTRACTED', 'EXTRACTION_FAILED'],
  EXTRACTED: ['RECEIVED'],
  EXTRACTION_FAILED: ['RECEIVED'],
  DUPLICATE: [],
};

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
}

export const assertTransition = (from: ReceiptStatus, to: ReceiptStatus): void => {
  if (!RECEIPT_TRANSITIONS[from].includes(to)) {
    throw new InvalidTransitionError(`a receipt cannot go from ${from} to ${to}`);
  }
};

export interface StoredDocument {
  bucket: string;
  key: string;
  contentType: string;
  fileName: string | null;
  sha256: string;
  size: number;
}

export type ReceiptSource =
  | {
      channel: 'email';
      mailId: string;
      from: string;
      subject: string | null;
      rawObject: { bucket: string; key: string };
      /** The e-mail's body itself is the receipt (ride-hailing, marketplaces, SaaS). */
      body?: boolean;
    }
  | { channel: 'upload'; uploadId: string; rawObject: { bucket: string; key: string } };

export interface Receipt {
  companyId: string;
  id: string;
  employeeId: string | null;
  status: ReceiptStatus;
  source: ReceiptSource;
  document: StoredDocument;
  receivedAt: string;
  updatedAt: string;
  /** The same file (SHA-256) was received before as this receipt. */
  duplicateOf?: string;
  /** Same employee, vendor, date and total as this receipt: probably the same expense twice. */
  possibleDuplicateOf?: string;
  extraction?: ReceiptJson;
  failure?: { code: string; reason: string; attempts: number };
  /** The asynchronous engine job reading the document, while EXTRACTING. */
  asyncJob?: { engine: string; jobId: string; startedAt: string };
}

export interface ReceiptHistoryEntry {
  at: string;
  status: ReceiptStatus;
  actor: string;
  note: string;
}

/** Normalized key for "same employee + vendor + date + total" possible-duplicate detection. */
export const duplicateKey = (employeeId: string, e: Pick<ReceiptJson, 'vendor' | 'date' | 'total' | 'currency'>) => {
  if (!e.vendor || !e.date || !e.total) return null;
  const vendor = e.vendor
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  return vendor ? `${employeeId}#${vendor}#${e.date}#${e.total}${e.currency ?? ''}` : null;
};
