import type {
  CardAuthorizationDecidedDetail,
  CardAuthorizationEndedDetail,
  CardTransactionPostedDetail,
} from '../../../events/cards.ts';
import { moneyToJson } from '../money.ts';
import type { AuthorizationDecision } from './decide-authorization.ts';
import type { CardLedgerState, DecisionRecord } from './ledger.ts';
import type { Authorization, AuthorizationRequest, CardTransaction } from './model.ts';

/** Who the card belongs to, as the card directory says (employeeId null: unassigned). */
export interface CardOwner {
  companyId: string;
  employeeId: string | null;
}

export const cardAuthorizationDecided = (
  owner: CardOwner,
  eventId: string,
  request: AuthorizationRequest,
  decision: AuthorizationDecision,
  decidedAt: Date,
): CardAuthorizationDecidedDetail => ({
  ...owner,
  processor: request.processor,
  eventId,
  authorizationId: request.authorizationId,
  cardId: request.cardId,
  cardLast4: request.cardLast4,
  cardholderId: request.cardholderId,
  approved: decision.approved,
  fallback: decision.fallback,
  reasons: decision.reasons.map((r) => ({ ...r })),
  amount: moneyToJson(request.amount),
  merchantAmount: moneyToJson(request.merchantAmount),
  merchant: { ...request.merchant },
  reservations: decision.reservations.map((r) => ({
    lineId: r.lineId,
    budgetId: r.budgetId,
    amount: moneyToJson(r.amount),
  })),
  requestedAt: request.requestedAt,
  decidedAt: decidedAt.toISOString(),
});

export const cardTransactionPosted = (
  owner: CardOwner,
  eventId: string,
  transaction: CardTransaction,
  authorizedAt: string | null = null,
): CardTransactionPostedDetail => ({
  ...owner,
  processor: transaction.processor,
  eventId,
  transactionId: transaction.id,
  authorizationId: transaction.authorizationId,
  kind: transaction.kind,
  cardId: transaction.cardId,
  cardLast4: transaction.cardLast4,
  cardholderId: transaction.cardholderId,
  amount: moneyToJson(transaction.amount),
  merchantAmount: moneyToJson(transaction.merchantAmount),
  merchant: { ...transaction.merchant },
  network: { ...transaction.network },
  authorizedAt,
  postedAt: transaction.postedAt,
});

/**
 * Authorizations an event left reversed or expired (its snapshot is the one on record) with no capture of theirs on
 * record: they end without moving money. A redelivery finds them again (consumers are idempotent); a capture that
 * arrives later is still matched on its own.
 */
export const endedWithoutCapture = (state: CardLedgerState, eventId: string): Authorization[] => {
  const captured = new Set(
    Object.values(state.transactions)
      .filter((v) => v.transaction.kind === 'capture' && v.transaction.authorizationId)
      .map((v) => `${v.transaction.processor}:${v.transaction.authorizationId}`),
  );
  return Object.entries(state.authorizations).flatMap(([key, v]) => {
    const a = v.authorization;
    const ended = a.status === 'reversed' || a.status === 'expired';
    return ended && v.eventId === eventId && !captured.has(key) ? [a] : [];
  });
};

export const cardAuthorizationEnded = (
  owner: CardOwner,
  eventId: string,
  a: Authorization,
  decision: DecisionRecord | undefined,
): CardAuthorizationEndedDetail => ({
  ...owner,
  processor: a.processor,
  eventId,
  authorizationId: a.id,
  status: a.status as 'reversed' | 'expired',
  amount: moneyToJson(a.amount),
  endedAt: a.updatedAt,
  approved: decision?.approved ? { decidedAt: decision.decidedAt, amount: moneyToJson(decision.amount) } : null,
});
