import type { MatchReceipt, MatchShape, MatchTransaction } from '../domain/matching/types.ts';

export interface MatchLink {
  /** The transaction (the first one, in time order, when the link is a sum of several). */
  transactionId: string;
  score: number;
  reasons: readonly string[];
  /** "auto" or "user:<id>". */
  by: string;
  at: string;
  /** Set when the link is one decision over several items: split charges, deposit + final, receipts paid at once. */
  shape?: MatchShape;
  /** Every transaction of the decision (receipt-to-many), in time order. */
  transactionIds?: readonly string[];
  /** Every receipt of the decision (many-to-transaction). */
  receiptIds?: readonly string[];
}

export interface Suggestion {
  transactionId: string;
  score: number;
  reasons: readonly string[];
  /** A sum option: all its transactions (one receipt ↔ several charges). */
  transactionIds?: readonly string[];
  /** A sum option: all its receipts (several receipts ↔ one charge). */
  receiptIds?: readonly string[];
}

/** One decision linking receipts and transactions (one of each, or a sum on one side). */
export interface GroupLink {
  shape: MatchShape;
  receiptIds: readonly string[];
  /** The transactions as read (the store needs their employee and posting time for the missing-receipt markers). */
  transactions: readonly OnlineTransaction[];
  score: number;
  reasons: readonly string[];
  by: string;
  at: string;
}

/** A refund linked to the purchase it reverses (on the refund's record). */
export interface RefundOfLink {
  transactionId: string;
  score: number;
  reasons: readonly string[];
  by: string;
  at: string;
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
  /** The linked receipt (the first one when several receipts were paid in this charge). */
  receiptId: string | null;
  lostReceipt?: LostReceiptDeclaration;
  /** A refund: the purchase it reverses. */
  refundOf?: RefundOfLink;
  /** A purchase: minor units taken back by the refunds linked to it, and their ids. */
  refundedMinor?: bigint;
  refundIds?: readonly string[];
  /**
   * An approved authorization not captured yet: a "receipt slot" a receipt may take; the receipt follows it to its
   * capture. Never a missing receipt by itself.
   */
  pending?: true;
  /** The processor's authorization this capture (or slot) belongs to. */
  authorizationId?: string | null;
  /** A slot whose authorization was captured (by this transaction): no longer a candidate. */
  capturedBy?: string;
}

/** Storage of online matching (DynamoDB: indexes by employee and time window, conditional links). */
export interface MatchStore {
  receipt(companyId: string, receiptId: string): Promise<OnlineReceipt | null>;
  transaction(companyId: string, transactionId: string): Promise<OnlineTransaction | null>;
  /** Unlinked transactions of an employee authorized in [from, to] (ISO instants). */
  transactionsNear(companyId: string, employeeId: string, from: string, to: string): Promise<OnlineTransaction[]>;
  /** Extracted, unlinked receipts of an employee received in [from, to] (ISO instants). */
  receiptsNear(companyId: string, employeeId: string, from: string, to: string): Promise<OnlineReceipt[]>;
  /**
   * A capture arrived for an authorization slot: the slot stops being a candidate and, if a receipt had taken it,
   * the link moves to the capture (one transaction). Returns the receipt that followed, or null. Idempotent.
   */
  followAuthorization(
    companyId: string,
    slotId: string,
    capture: OnlineTransaction,
    at: string,
    /**
     * Explains the receipt found in the slot against the capture (a tip, a hotel's final amount), for the moved link;
     * null keeps the slot link's explanation (noted as followed). Asked for the receipt actually read, each time.
     */
    explain?: (receiptId: string) => Promise<{ score: number; reasons: readonly string[] } | null>,
  ): Promise<MatchLink | null>;
  /**
   * An authorization ended without a capture (reversed, expired): its slot stops being a candidate for good (a
   * tombstone if it was never recorded, so a late decision opens none) and a receipt that had taken it is free
   * again, unlinked without counting as refused. Returns that receipt's id, or null. Idempotent.
   */
  endSlot(
    companyId: string,
    slotId: string,
    ending: { status: string; at: string; employeeId: string },
  ): Promise<string | null>;
  /**
   * Records a posted card transaction (idempotent) and marks its receipt as missing (not for a slot). false: it
   * was recorded before (a redelivery), or, for a slot, its capture came first and left a tombstone.
   */
  recordTransaction(tx: OnlineTransaction): Promise<boolean>;
  /**
   * Links both sides atomically, only if neither is linked yet (conditional writes: never double-linked, even when
   * the receipt and the capture are matched at the same time from both ends). false: someone else linked first.
   * A lost-receipt declaration pending on the transaction is withdrawn in the same write (the receipt turned up: it
   * no longer waits for finance's decision); one accepted or refused stays as it is (history).
   */
  link(companyId: string, receiptId: string, link: MatchLink): Promise<boolean>;
  /**
   * Links a decision over several items in one transaction (every receipt and every transaction conditioned on being
   * unlinked, every missing-receipt marker removed, every pending lost-receipt declaration withdrawn as `link`
   * does): all or nothing. false: one of them was linked meanwhile.
   */
  linkGroup(companyId: string, group: GroupLink): Promise<boolean>;
  /** The employee's transactions authorized in [from, to], linked or not (purchases a refund may reverse). */
  transactionsOf(companyId: string, employeeId: string, from: string, to: string): Promise<OnlineTransaction[]>;
  /**
   * Links a refund to its purchase, only if the refund has no purchase yet and the purchase's refunded amount is
   * still `seenRefundedMinor` (optimistic: refunds of one purchase never exceed it). false: changed meanwhile.
   * The refund that makes the purchase refunded in full (`refundedInFull`) withdraws a lost-receipt declaration
   * pending on it in the same write (no receipt is needed: WITHDRAWN by the link's `by`, at its `at`); one accepted
   * or refused stays as it is (history). A declaration made or decided meanwhile is read again, not a failure.
   */
  linkRefund(
    companyId: string,
    refund: OnlineTransaction,
    purchase: OnlineTransaction,
    link: RefundOfLink,
  ): Promise<boolean>;
  /**
   * A refund that found no purchase it may reverse (delivered before its purchase): remembered so the purchase,
   * when it is recorded, links it. linkRefund forgets it. Idempotent.
   */
  noteWaitingRefund(refund: OnlineTransaction): Promise<void>;
  /** The employee's refunds waiting for their purchase. */
  waitingRefunds(companyId: string, employeeId: string): Promise<OnlineTransaction[]>;
  /** Removes a link (all of its decision when it is a sum) and remembers every pair of it as refused. */
  unlink(companyId: string, receiptId: string, by: string, at: string): Promise<MatchLink | null>;
  suggest(companyId: string, receiptId: string, suggestions: readonly Suggestion[]): Promise<void>;
  /**
   * The employee declares the receipt lost (kept pending until finance decides). false: the transaction is unknown,
   * has its receipt, is an authorization's receipt slot (pending, captured or ended: its capture is the payment
   * that needs the receipt), is a refund, a zero amount or a purchase refunded in full (`refundedInFull`: no receipt
   * is needed), or has a declaration pending or accepted (conditional write, on the refunded amount read too). A
   * declaration refused or withdrawn before may be made again.
   */
  declareLost(companyId: string, transactionId: string, declaration: LostReceiptDeclaration): Promise<boolean>;
  /**
   * Finance accepts (the transaction no longer waits for a receipt) or refuses (it still does) the pending
   * declaration. null when none is pending: none made, decided already, withdrawn by a link or by the refund making
   * the purchase refunded in full, or decided concurrently (only the declaration read, still pending, is decided);
   * null too when a receipt is linked to the transaction or it is refunded in full (a declaration left pending by a
   * link or a refund made before they withdrew them): nothing to decide.
   */
  decideLost(
    companyId: string,
    transactionId: string,
    decision: { accepted: boolean; by: string; at: string; reason: string | null },
  ): Promise<LostReceiptDeclaration | null>;
}

/**
 * A lost-receipt declaration. PENDING until finance accepts or refuses it, or until a receipt is linked to the
 * transaction first: the link withdraws it (WITHDRAWN; `decidedBy` / `decidedAt` are the link's `by` / `at`, `reason`
 * names the receipts); or until a refund makes the purchase refunded in full: the refund's link withdraws it the same
 * way (`reason` names the refund). An ACCEPTED one stays when a receipt is linked or the refund completed later
 * (history). A REFUSED or WITHDRAWN one may be followed by a new declaration (not on a purchase refunded in full).
 */
export interface LostReceiptDeclaration {
  by: string;
  at: string;
  description: string;
  status: 'PENDING' | 'ACCEPTED' | 'REFUSED' | 'WITHDRAWN';
  decidedBy?: string;
  decidedAt?: string;
  reason?: string | null;
}

/**
 * Whether the refunds linked to a purchase give all of it back (`refundedMinor` ≥ its amount: an order cancelled
 * and refunded): it cost the company nothing, so no receipt is asked for it. A partial refund still waits.
 */
export const refundedInFull = (amountMinor: bigint, refundedMinor: bigint): boolean =>
  amountMinor > 0n && refundedMinor >= amountMinor;
