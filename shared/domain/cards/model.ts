import type { Money } from '../money.ts';

/**
 * The normalized card model. Every processor's payload becomes one of these shapes, so budgets, the ledger,
 * matching and the finance API never look at a processor's JSON.
 *
 * Sign convention (all amounts): positive = money spent by the employee (a debit of the company's card
 * balance), negative = money coming back (refund, credit). Stripe's issuing_transaction.amount uses the opposite
 * sign (captures are negative there) and is negated on the way in; Lithic and Marqeta send unsigned amounts whose
 * direction comes from the event type or polarity.
 */
export type Processor = 'stripe' | 'lithic' | 'marqeta';

export const PROCESSORS: readonly Processor[] = ['stripe', 'lithic', 'marqeta'];

/** Identifiers the card networks and acquirers put on an authorization or a clearing, when the processor sends them. */
export interface NetworkIds {
  /** Network transaction id (Visa transaction id, Mastercard Banknet reference, Stripe network_data.transaction_id). */
  transactionId?: string;
  authorizationCode?: string;
  retrievalReferenceNumber?: string;
  systemTraceAuditNumber?: string;
  acquirerReferenceNumber?: string;
}

export interface Merchant {
  /** The descriptor as the network sent it ("SQ *SOMA EATS"). */
  name: string;
  /** Upper-case letters and digits separated by single spaces: what allow/block lists match against. */
  normalizedName: string;
  /** ISO 18245 merchant category code, 4 digits. */
  mcc: string | null;
  city: string | null;
  /** ISO 3166-1 alpha-2 when the processor's code is recognized, else the code as sent. */
  country: string | null;
  /** The card acceptor id (MID) when sent. */
  acceptorId: string | null;
}

export interface CardRef {
  cardId: string;
  cardLast4: string | null;
  /** The processor's cardholder (Stripe cardholder, Lithic account, Marqeta user); null when the payload omits it. */
  cardholderId: string | null;
}

/** debit: the employee spends; credit: a refund or credit authorization. */
export type Direction = 'debit' | 'credit';

/** A request the processor holds open until we answer approve/decline (Stripe .request, Lithic ASA, Marqeta JIT). */
export interface AuthorizationRequest extends CardRef {
  processor: Processor;
  /** The authorization this request creates (Stripe iauth_…, Lithic transaction token, Marqeta transaction token). */
  authorizationId: string;
  direction: Direction;
  /** Requested amount in the card currency, positive for a debit, negative for a credit. */
  amount: Money;
  /** The same amount in the merchant's currency. */
  merchantAmount: Money;
  merchant: Merchant;
  network: NetworkIds;
  /** The processor accepts approving less than requested. */
  partialApprovalCapable: boolean;
  requestedAt: string;
}

export type AuthorizationStatus = 'pending' | 'closed' | 'reversed' | 'expired' | 'declined';

export type AuthorizationChange = 'created' | 'updated' | 'reversed' | 'expired' | 'closed';

export interface Authorization extends CardRef {
  processor: Processor;
  id: string;
  network: NetworkIds;
  status: AuthorizationStatus;
  /** Amount authorized, card currency, signed (positive = spend). */
  amount: Money;
  /** What the processor still holds for this authorization (0 unless pending). */
  pendingAmount: Money;
  merchantAmount: Money;
  merchant: Merchant;
  /** Transactions the processor already counted in this snapshot (so the ledger does not subtract them twice). */
  transactionIds: readonly string[];
  createdAt: string;
  /** When this snapshot was true (the event's time). */
  updatedAt: string;
}

export type TransactionKind = 'capture' | 'refund';

/** Money that actually moved: a clearing (capture) or a refund. One authorization may have several. */
export interface CardTransaction extends CardRef {
  processor: Processor;
  id: string;
  /** The authorization it settles, when the processor says so (null for force posts and most refunds). */
  authorizationId: string | null;
  kind: TransactionKind;
  network: NetworkIds;
  /** Card currency, signed: captures positive, refunds negative. */
  amount: Money;
  /** Merchant currency, same sign as amount. */
  merchantAmount: Money;
  merchant: Merchant;
  postedAt: string;
}

export type CardStatus = 'active' | 'inactive' | 'canceled' | 'lost' | 'stolen' | 'unknown';

export interface CardLifecycle {
  cardId: string;
  cardLast4: string | null;
  cardholderId: string | null;
  status: CardStatus;
  /** The card this one replaces, when the processor says. */
  replacementFor: string | null;
}

export interface CardholderLifecycle {
  cardholderId: string;
  name: string | null;
  email: string | null;
  status: string;
}

export type CardEventBody =
  | { kind: 'authorization-request'; request: AuthorizationRequest }
  | {
      kind: 'authorization';
      change: AuthorizationChange;
      authorization: Authorization;
      /** Captures and refunds the processor embedded in the authorization (Stripe, Lithic). */
      transactions: readonly CardTransaction[];
    }
  | { kind: 'transaction'; transaction: CardTransaction }
  | { kind: 'card'; card: CardLifecycle }
  | { kind: 'cardholder'; cardholder: CardholderLifecycle }
  | { kind: 'ignored'; raw: unknown };

export interface CardEvent {
  processor: Processor;
  /** The processor's event id: what idempotency keys on (Stripe evt_…, Lithic webhook-id, Marqeta token:state). */
  eventId: string;
  /** The processor's own event type ("issuing_authorization.updated", "card_transaction.updated", "authorization.clearing"). */
  type: string;
  occurredAt: string;
  body: CardEventBody;
}
