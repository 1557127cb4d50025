import type { Receipt, ReceiptHistoryEntry } from '../domain/receipts/receipt.ts';

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null on the last page. */
  nextCursor: string | null;
}

export interface ReceiptRepository {
  /** Creates the receipt unless one with the same id exists (idempotent re-delivery). */
  create(receipt: Receipt, history: ReceiptHistoryEntry): Promise<'created' | 'exists'>;
  get(companyId: string, receiptId: string): Promise<Receipt | null>;
  history(companyId: string, receiptId: string): Promise<ReceiptHistoryEntry[]>;
  list(companyId: string, query: { limit: number; cursor: string | null; employeeId?: string }): Promise<Page<Receipt>>;
}
