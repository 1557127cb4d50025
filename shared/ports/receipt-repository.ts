import type { Receipt, ReceiptHistoryEntry, ReceiptStatus } from '../domain/receipts/receipt.ts';

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null on the last page. */
  nextCursor: string | null;
}

export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
}

export interface ReceiptRepository {
  /** Creates the receipt unless one with the same id exists (idempotent re-delivery). */
  create(receipt: Receipt, history: ReceiptHistoryEntry): Promise<'created' | 'exists'>;
  get(companyId: string, receiptId: string): Promise<Receipt | null>;
  history(companyId: string, receiptId: string): Promise<ReceiptHistoryEntry[]>;
  /**
   * Newest first; with `status`, only receipts in that status; `unmatched`: extracted receipts linked to no card
   * spend (a page may come back short with a cursor).
   */
  list(
    companyId: string,
    query: { limit: number; cursor: string | null; employeeId?: string; status?: ReceiptStatus; unmatched?: boolean },
  ): Promise<Page<Receipt>>;
  /**
   * Moves a receipt from one status to another with a patch, atomically with its history entry.
   * Throws ConcurrentUpdateError when the receipt is no longer in `from` (someone else moved it).
   */
  transition(
    companyId: string,
    receiptId: string,
    change: { from: ReceiptStatus; to: ReceiptStatus; patch: Partial<Receipt>; history: ReceiptHistoryEntry },
  ): Promise<Receipt>;
  /**
   * Claims a uniqueness key for a receipt ('file' = document SHA-256, 'expense' = employee+vendor+date+total).
   * Returns null when the receipt holds it (now or already), else the id of the receipt that holds it.
   */
  claim(companyId: string, scope: 'file' | 'expense', key: string, receiptId: string): Promise<string | null>;
}
