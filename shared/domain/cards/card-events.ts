import type { CardAuthorizationDecidedDetail, CardTransactionPostedDetail } from '../../../events/cards.ts';
import { moneyToJson } from '../money.ts';
import type { AuthorizationDecision } from './decide-authorization.ts';
import type { AuthorizationRequest, CardTransaction } from './model.ts';

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
