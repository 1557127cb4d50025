import { merchantOf } from '../../../shared/domain/cards/merchant.ts';
import type {
  Authorization,
  AuthorizationRequest,
  AuthorizationStatus,
  CardEvent,
  CardTransaction,
} from '../../../shared/domain/cards/model.ts';
import { money } from '../../../shared/domain/money.ts';

export const CARD = { cardId: 'ic_1', cardLast4: '4242', cardholderId: 'ich_1' } as const;
export const eur = (minor: number | bigint) => money(minor, 'EUR');

const minute = (n: number) => new Date(Date.UTC(2026, 10, 20, 9, n)).toISOString();

export const merchant = (name = 'Brasserie Lipp', mcc = '5812', country = 'FR') =>
  merchantOf({ name, mcc, city: 'Paris', country, acceptorId: 'mid-1' });

export const authorization = (
  id: string,
  amount: number,
  status: AuthorizationStatus,
  at: number,
  extra: Partial<Authorization> = {},
): Authorization => ({
  processor: 'stripe',
  id,
  ...CARD,
  network: {},
  status,
  amount: eur(amount),
  pendingAmount: eur(status === 'pending' ? amount : 0),
  merchantAmount: eur(amount),
  merchant: merchant(),
  transactionIds: [],
  createdAt: minute(0),
  updatedAt: minute(at),
  ...extra,
});

export const transaction = (
  id: string,
  authorizationId: string | null,
  amount: number,
  at: number,
  kind: 'capture' | 'refund' = amount < 0 ? 'refund' : 'capture',
): CardTransaction => ({
  processor: 'stripe',
  id,
  authorizationId,
  kind,
  ...CARD,
  network: {},
  amount: eur(amount),
  merchantAmount: eur(amount),
  merchant: merchant(),
  postedAt: minute(at),
});

export const authEvent = (eventId: string, auth: Authorization, transactions: CardTransaction[] = []): CardEvent => ({
  processor: 'stripe',
  eventId,
  type: 'issuing_authorization.updated',
  occurredAt: auth.updatedAt,
  body: {
    kind: 'authorization',
    change: auth.status === 'pending' ? 'updated' : 'closed',
    authorization: auth,
    transactions,
  },
});

export const txEvent = (eventId: string, tx: CardTransaction): CardEvent => ({
  processor: 'stripe',
  eventId,
  type: 'issuing_transaction.created',
  occurredAt: tx.postedAt,
  body: { kind: 'transaction', transaction: tx },
});

export const request = (amount: number, extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  processor: 'stripe',
  authorizationId: 'iauth_req',
  ...CARD,
  direction: amount < 0 ? 'credit' : 'debit',
  amount: eur(amount),
  merchantAmount: eur(amount),
  merchant: merchant(),
  network: {},
  partialApprovalCapable: false,
  requestedAt: '2026-11-20T09:00:00.000Z',
  ...extra,
});
