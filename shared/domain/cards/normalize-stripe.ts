import { z } from 'zod';
import { type Money, money } from '../money.ts';
import { merchantOf } from './merchant.ts';
import type {
  Authorization,
  AuthorizationChange,
  AuthorizationStatus,
  CardEvent,
  CardEventBody,
  CardStatus,
  CardTransaction,
  NetworkIds,
} from './model.ts';
import { malformed, type NormalizeResult } from './normalize-result.ts';

/**
 * Stripe Issuing webhooks. Amounts are integers in the currency's minor unit (Stripe's unit; for ISO currencies
 * with exceptions — ISK, HUF, TWD, UGX — Stripe still counts two decimals, which these payloads do not use).
 * authorization.amount / pending_request.amount are positive; issuing_transaction.amount is negative for captures
 * (they debit the Issuing balance) and positive for refunds, so it is negated into our convention.
 */
const nullableString = z.string().nullish();

const merchantData = z.object({
  category_code: nullableString,
  city: nullableString,
  country: nullableString,
  name: nullableString,
  network_id: nullableString,
});

const cardholderRef = z.union([z.string(), z.object({ id: z.string() })]).nullish();

const card = z.object({
  id: z.string(),
  last4: nullableString,
  cardholder: cardholderRef,
  status: z.string(),
  cancellation_reason: nullableString,
  replacement_for: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
});

const transaction = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  merchant_amount: z.number().int(),
  merchant_currency: z.string(),
  authorization: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  card: z.union([z.string(), card]),
  cardholder: cardholderRef,
  created: z.number().int(),
  merchant_data: merchantData,
  network_data: z.object({ authorization_code: nullableString, transaction_id: nullableString }).nullish(),
  type: z.enum(['capture', 'refund']),
});

const authorization = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  merchant_amount: z.number().int(),
  merchant_currency: z.string(),
  approved: z.boolean(),
  card,
  cardholder: cardholderRef,
  created: z.number().int(),
  merchant_data: merchantData,
  network_data: z.object({ transaction_id: nullableString }).nullish(),
  pending_request: z
    .object({
      amount: z.number().int(),
      currency: z.string(),
      merchant_amount: z.number().int(),
      merchant_currency: z.string(),
      is_amount_controllable: z.boolean().nullish(),
    })
    .nullish(),
  status: z.enum(['pending', 'closed', 'reversed', 'expired']),
  transactions: z.array(z.union([z.string(), transaction])).nullish(),
});

const cardholder = z.object({
  id: z.string(),
  name: nullableString,
  email: nullableString,
  status: z.string(),
});

const envelope = z.object({
  id: z.string(),
  type: z.string(),
  created: z.number().int(),
  data: z.object({ object: z.unknown() }),
});

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
const cur = (c: string): string => c.toUpperCase();
const idOf = (ref: string | { id: string } | null | undefined): string | null =>
  ref == null ? null : typeof ref === 'string' ? ref : ref.id;

const networkIds = (ids: Record<string, string | null | undefined>): NetworkIds =>
  Object.fromEntries(Object.entries(ids).filter(([, v]) => v)) as NetworkIds;

const merchant = (m: z.infer<typeof merchantData>) =>
  merchantOf({ name: m.name, mcc: m.category_code, city: m.city, country: m.country, acceptorId: m.network_id });

const cardRef = (c: z.infer<typeof card> | string, holder: z.infer<typeof cardholderRef>) =>
  typeof c === 'string'
    ? { cardId: c, cardLast4: null, cardholderId: idOf(holder) }
    : { cardId: c.id, cardLast4: c.last4 ?? null, cardholderId: idOf(holder) ?? idOf(c.cardholder) };

const toTransaction = (t: z.infer<typeof transaction>): CardTransaction => ({
  processor: 'stripe',
  id: t.id,
  authorizationId: idOf(t.authorization),
  kind: t.type,
  ...cardRef(t.card, t.cardholder),
  network: networkIds({
    transactionId: t.network_data?.transaction_id,
    authorizationCode: t.network_data?.authorization_code,
  }),
  amount: money(-t.amount, cur(t.currency)),
  merchantAmount: money(-t.merchant_amount, cur(t.merchant_currency)),
  merchant: merchant(t.merchant_data),
  postedAt: iso(t.created),
});

const statusOf = (a: z.infer<typeof authorization>): AuthorizationStatus =>
  a.status === 'closed' && !a.approved ? 'declined' : a.status;

const toAuthorization = (a: z.infer<typeof authorization>, at: number): Authorization => {
  const status = statusOf(a);
  const amount = money(a.amount, cur(a.currency));
  const pending: Money = status === 'pending' ? amount : money(0, amount.currency);
  return {
    processor: 'stripe',
    id: a.id,
    ...cardRef(a.card, a.cardholder),
    network: networkIds({ transactionId: a.network_data?.transaction_id }),
    status,
    amount,
    pendingAmount: pending,
    merchantAmount: money(a.merchant_amount, cur(a.merchant_currency)),
    merchant: merchant(a.merchant_data),
    transactionIds: (a.transactions ?? []).map((t) => (typeof t === 'string' ? t : t.id)),
    createdAt: iso(a.created),
    updatedAt: iso(at),
  };
};

const CHANGES: Record<string, AuthorizationChange> = {
  pending: 'updated',
  closed: 'closed',
  declined: 'closed',
  reversed: 'reversed',
  expired: 'expired',
};

const cardStatus = (c: z.infer<typeof card>): CardStatus => {
  if (c.status === 'canceled' && (c.cancellation_reason === 'lost' || c.cancellation_reason === 'stolen')) {
    return c.cancellation_reason;
  }
  return c.status === 'active' || c.status === 'inactive' || c.status === 'canceled' ? c.status : 'unknown';
};

const bodyOf = (type: string, object: unknown, created: number): CardEventBody => {
  if (type === 'issuing_authorization.request') {
    const a = authorization.parse(object);
    const p = a.pending_request;
    const amount = money(p?.amount ?? a.amount, cur(p?.currency ?? a.currency));
    return {
      kind: 'authorization-request',
      request: {
        processor: 'stripe',
        authorizationId: a.id,
        ...cardRef(a.card, a.cardholder),
        direction: amount.minor < 0n ? 'credit' : 'debit',
        amount,
        merchantAmount: money(
          p?.merchant_amount ?? a.merchant_amount,
          cur(p?.merchant_currency ?? a.merchant_currency),
        ),
        merchant: merchant(a.merchant_data),
        network: networkIds({ transactionId: a.network_data?.transaction_id }),
        partialApprovalCapable: p?.is_amount_controllable ?? false,
        requestedAt: iso(created),
      },
    };
  }
  if (type === 'issuing_authorization.created' || type === 'issuing_authorization.updated') {
    const a = authorization.parse(object);
    const auth = toAuthorization(a, created);
    const embedded = (a.transactions ?? []).filter((t) => typeof t !== 'string');
    return {
      kind: 'authorization',
      change: type === 'issuing_authorization.created' ? 'created' : (CHANGES[auth.status] ?? 'updated'),
      authorization: auth,
      transactions: embedded.map(toTransaction),
    };
  }
  if (type === 'issuing_transaction.created' || type === 'issuing_transaction.updated') {
    return { kind: 'transaction', transaction: toTransaction(transaction.parse(object)) };
  }
  if (type.startsWith('issuing_card.')) {
    const c = card.parse(object);
    return {
      kind: 'card',
      card: {
        cardId: c.id,
        cardLast4: c.last4 ?? null,
        cardholderId: idOf(c.cardholder),
        status: cardStatus(c),
        replacementFor: idOf(c.replacement_for),
      },
    };
  }
  if (type.startsWith('issuing_cardholder.')) {
    const h = cardholder.parse(object);
    return {
      kind: 'cardholder',
      cardholder: { cardholderId: h.id, name: h.name ?? null, email: h.email ?? null, status: h.status },
    };
  }
  return { kind: 'ignored', raw: object };
};

/** Normalizes one Stripe event (the `event` envelope: id, type, created, data.object). */
export const normalizeStripeEvent = (payload: unknown): NormalizeResult => {
  const parsed = envelope.safeParse(payload);
  if (!parsed.success) return malformed('Stripe', parsed.error);
  const e = parsed.data;
  try {
    const event: CardEvent = {
      processor: 'stripe',
      eventId: e.id,
      type: e.type,
      occurredAt: iso(e.created),
      body: bodyOf(e.type, e.data.object, e.created),
    };
    return { ok: true, events: [event] };
  } catch (error) {
    return malformed('Stripe', error as Error);
  }
};
