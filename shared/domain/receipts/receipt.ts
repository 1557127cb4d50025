/** A receipt: one document an employee sent (e-mail attachment or upload), then its extracted data. */

export const RECEIPT_STATUSES = ['RECEIVED', 'EXTRACTING', 'EXTRACTED', 'EXTRACTION_FAILED', 'DUPLICATE'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

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
    }
  | { channel: 'upload'; uploadId: string };

export interface Receipt {
  companyId: string;
  id: string;
  employeeId: string | null;
  status: ReceiptStatus;
  source: ReceiptSource;
  document: StoredDocument;
  receivedAt: string;
  updatedAt: string;
}

export interface ReceiptHistoryEntry {
  at: string;
  status: ReceiptStatus;
  actor: string;
  note: string;
}
