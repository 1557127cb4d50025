import type { DocumentStore } from '../../ports/document-store.ts';
import type { DomainEvent } from '../../ports/event-publisher.ts';
import type { ReceiptRepository } from '../../ports/receipt-repository.ts';
import { CONTENT_TYPES, type ReceiptFileKind } from './attachments.ts';
import type { Receipt, ReceiptSource } from './receipt.ts';

export interface RegisterDocumentDeps {
  receipts: ReceiptRepository;
  documents: DocumentStore;
  sha256: (bytes: Uint8Array) => string;
}

const EXTENSIONS: Partial<Record<ReceiptFileKind, string>> = { jpeg: 'jpg' };

export interface RegisteredDocument {
  receipt: Receipt;
  /** ReceiptReceived for a new receipt waiting for extraction, ReceiptExtractionFailed for a file that cannot be
   *  a receipt, none for a duplicate file. */
  event: DomainEvent<'ReceiptReceived' | 'ReceiptExtractionFailed'> | null;
}

const UNSUPPORTED =
  'not a receipt format: send a PDF, JPEG, PNG, WebP, TIFF or HEIC image, or a Factur-X/UBL/CII invoice';

/**
 * Stores one receipt document and records its receipt. The same file (SHA-256) already received by the
 * company makes a DUPLICATE receipt linked to the original, which is not extracted again. Idempotent: the
 * receipt id comes from the input, writes are conditional, and a retry finds what the first run wrote.
 */
export const registerDocument = async (
  deps: RegisterDocumentDeps,
  input: {
    companyId: string;
    employeeId: string | null;
    receiptId: string;
    bytes: Uint8Array;
    /** null: the bytes are no receipt format; the receipt is recorded as failed, with the file kept. */
    kind: ReceiptFileKind | null;
    /** Content type as declared, for files whose kind is unknown. */
    declaredContentType?: string;
    fileName: string | null;
    source: ReceiptSource;
    receivedAt: string;
    actor: string;
    note: string;
  },
): Promise<RegisteredDocument> => {
  const existing = await deps.receipts.get(input.companyId, input.receiptId);
  if (existing) return { receipt: existing, event: eventFor(existing) };

  const sha256 = deps.sha256(input.bytes);
  const contentType = input.kind
    ? CONTENT_TYPES[input.kind]
    : (input.declaredContentType ?? 'application/octet-stream');
  const extension = input.kind ? (EXTENSIONS[input.kind] ?? input.kind) : 'bin';
  // Markup (an e-mail body) is stored as plain text to download: it can never run in a browser from S3.
  const markup = input.kind === 'html' || input.kind === 'txt';
  const stored = await deps.documents.put({
    key: `companies/${input.companyId}/receipts/${input.receiptId}/${sha256}.${extension}`,
    bytes: input.bytes,
    contentType: markup ? 'text/plain; charset=utf-8' : contentType,
    ...(markup ? { contentDisposition: `attachment; filename="${input.receiptId}.${extension}.txt"` } : {}),
    metadata: { 'receipt-id': input.receiptId, sha256 },
  });
  const original = input.kind ? await deps.receipts.claim(input.companyId, 'file', sha256, input.receiptId) : null;
  const receipt: Receipt = {
    companyId: input.companyId,
    id: input.receiptId,
    employeeId: input.employeeId,
    status: original ? 'DUPLICATE' : input.kind ? 'RECEIVED' : 'EXTRACTION_FAILED',
    source: input.source,
    document: { ...stored, contentType, fileName: input.fileName, sha256, size: input.bytes.length },
    receivedAt: input.receivedAt,
    updatedAt: input.receivedAt,
    ...(original ? { duplicateOf: original } : {}),
    ...(input.kind ? {} : { failure: { code: 'unsupported', reason: UNSUPPORTED, attempts: 0 } }),
  };
  const outcome = await deps.receipts.create(receipt, {
    at: input.receivedAt,
    status: receipt.status,
    actor: input.actor,
    note: original
      ? `${input.note}; same file as receipt ${original}, not processed again`
      : input.kind
        ? input.note
        : `${input.note}; ${UNSUPPORTED}`,
  });
  // Lost a race with a concurrent delivery of the same input: report what the winner wrote.
  const saved =
    outcome === 'created' ? receipt : ((await deps.receipts.get(input.companyId, input.receiptId)) ?? receipt);
  return { receipt: saved, event: eventFor(saved) };
};

const eventFor = (r: Receipt): RegisteredDocument['event'] => {
  if (r.status === 'RECEIVED') {
    return {
      name: 'ReceiptReceived',
      detail: {
        companyId: r.companyId,
        receiptId: r.id,
        employeeId: r.employeeId,
        channel: r.source.channel,
        document: r.document,
        receivedAt: r.receivedAt,
      },
    };
  }
  if (r.status === 'EXTRACTION_FAILED' && r.failure) {
    return {
      name: 'ReceiptExtractionFailed',
      detail: {
        companyId: r.companyId,
        receiptId: r.id,
        employeeId: r.employeeId,
        code: r.failure.code,
        reason: r.failure.reason,
        failedAt: r.updatedAt,
      },
    };
  }
  return null;
};
