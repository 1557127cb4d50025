import type { MatchReceipt, MatchTransaction } from '../domain/matching/types.ts';

export interface MatchLink {
  transactionId: string;
  score: number;
  reasons: readonly string[];
  /** "auto" or "user:<id>". */
  by: string;
  at: string;
}

export interface Suggestion {
  transactionId: string;
  score: number;
  reasons: readonly string[];
}

/** A receipt as online matching needs it: the matcher's view plus what people decided. */
export interface OnlineReceipt extends MatchReceipt {
  companyId: string;
  link: MatchLink | null;
  /** Pairs a person unlinked or refused: automation never proposes them again. */
  refusedTransactionIds: readonly string[];
}

export interface OnlineTransaction extends MatchTransaction {
  companyId: string;
  receiptId: string | null;
  lostReceipt?: LostReceiptDeclaration;
}

/** Storage of online matching (DynamoDB: indexes by employee and time window, conditional links). */
export interface MatchStore {
  receipt(companyId: string, receiptId: string): Promise<OnlineReceipt | null>;
  transaction(companyId: string, transactionId: string): Promise<OnlineTransaction | null>;
  /** Unlinked transactions of an employee authorized in [from, to] (ISO instants). */
  transactionsNear(companyId: string, employeeId: string, from: string, to: string): Promise<OnlineTransaction[]>;
  /** Extracted, unlinked receipts of an employee received in [from, to] (ISO instants). */
  receiptsNear(companyId: string, employeeId: string, from: string, to: string): Promise<OnlineReceipt[]>;
  /** Records a posted card transaction (idempotent) and marks its receipt as missing. */
  recordTransaction(tx: OnlineTransaction): Promise<void>;
  /**
   * Links both sides atomically, only if neither is linked yet (conditional writes: never double-linked, even when
   * the receipt and the capture are matched at the same time from both ends). false: someone else linked first.
   */
  link(companyId: string, receiptId: string, link: MatchLink): Promise<boolean>;
  /** Removes a link and remembers the pair as refused. */
  unlink(companyId: string, receiptId: string, by: string, at: string): Promise<MatchLink | null>;
  suggest(companyId: string, receiptId: string, suggestions: readonly Suggestion[]): Promise<void>;
  /** The employee declares the receipt lost (kept pending until finance decides). */
  declareLost(companyId: string, transactionId: string, declaration: LostReceiptDeclaration): Promise<boolean>;
  /** Finance accepts (the transaction no longer waits for a receipt) or refuses (it still does). */
  decideLost(
    companyId: string,
    transactionId: string,
    decision: { accepted: boolean; by: string; at: string; reason: string | null },
  ): Promise<LostReceiptDeclaration | null>;
}

export interface LostReceiptDeclaration {
  by: string;
  at: string;
  description: string;
  status: 'PENDING' | 'ACCEPTED' | 'REFUSED';
  decidedBy?: string;
  decidedAt?: string;
  reason?: string | null;
}
