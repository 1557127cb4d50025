import { z } from 'zod';
import { type Money, money } from '../money.ts';
import { merchantOf } from './merchant.ts';
import type {
  Authorization,
  AuthorizationChange,
  AuthorizationStatus,
  CardEventBody,
  CardStatus,
  CardTransaction,
  NetworkIds,
} from './model.ts';
import { malformed, type NormalizeContext, type NormalizeResult } from './normalize-result.ts';

/**
 * Lithic: `card_transaction.updated` carries the whole transaction (Lithic's word for an authorization and what
 * followed it: clearings, returns, reversals, expiry), each step an entry of `events`. An Auth Stream Access request
 * has no event_type. Amounts are integers in the smallest unit. Lithic's event id is the Standard Webhooks
 * `webhook-id` header, which the caller passes in the context.
 */
const nullableString = z.string().nullish();
const amount = z.object({ amount: z.number().int(), currency: z.string() });

const merchant = z.object({
  acceptor_id: nullableString,
  city: nullableString,
  country: nullableString,
  descriptor: nullableString,
  mcc: nullableString,
});

const networkInfo = z
  .object({
    acquirer: z
      .object({ acquirer_reference_number: nullableString, retrieval_reference_number: nullableString })
      .nullish(),
    mastercard: z.object({ banknet_reference_number: nullableString }).nullish(),
    visa: z.object({ transaction_id: nullableString }).nullish(),
  })
  .nullish();

const transactionEvent = z.object({
  token: z.string(),
  type: z.string(),
  result: z.string(),
  amount: z.number().int(),
  amounts: z.object({ cardholder: amount.nullish(), merchant: amount.nullish() }).nullish(),
  created: z.string(),
  effective_polarity: z.enum(['DEBIT', 'CREDIT']).nullish(),
  network_info: networkInfo,
});

const cardTransaction = z.object({
  token: z.string(),
  account_token: nullableString,
  card_token: z.string(),
  status: z.enum(['DECLINED', 'EXPIRED', 'PENDING', 'SETTLED', 'VOIDED']),
  result: z.string(),
  amount: z.number().int(),
  authorization_amount: z.number().int().nullish(),
  merchant_authorization_amount: z.number().int().nullish(),
  merchant_currency: nullableString,
  amounts: z.object({ cardholder: amount.nullish(), hold: amount.nullish(), merchant: amount.nullish() }).nullish(),
  authorization_code: nullableString,
  acquirer_reference_number: nullableString,
  merchant,
  events: z.array(transactionEvent).default([]),
  created: z.string(),
  updated: z.string(),
});

const asaRequest = z.object({
  token: z.string(),
  status: z.string(),
  amount: z.number().int(),
  authorization_amount: z.number().int().nullish(),
  cardholder_amount: z.number().int().nullish(),
  merchant_amount: z.number().int().nullish(),
  merchant_currency: nullableString,
  amounts: z.object({ cardholder: amount.nullish(), merchant: amount.nullish() }).nullish(),
  created: z.string(),
  card: z.object({ token: z.string(), last_four: nullableString }),
  account_token: nullableString,
  merchant,
  pos: z.object({ terminal: z.object({ partial_approval_capable: z.boolean().nullish() }).nullish() }).nullish(),
});

const cardChange = z.object({ card_token: z.string(), state: nullableString, replacement_for: nullableString });

/**
 * Lithic predates multi-currency cards: payloads without `amounts` are in USD, the only currency those programs
 * settle in. Newer payloads carry the currency in `amounts`.
 */
const DEFAULT_CURRENCY = 'USD';

const iso = (s: string): string => new Date(s).toISOString();

const merchantOfLithic = (m: z.infer<typeof merchant>) =>
  merchantOf({ name: m.descriptor, mcc: m.mcc, city: m.city, country: m.country, acceptorId: m.acceptor_id });

const networkIds = (ids: Record<string, string | null | undefined>): NetworkIds =>
  Object.fromEntries(Object.entries(ids).filter(([, v]) => v)) as NetworkIds;

/** Event types that move money, and their direction when Lithic sends no effective_polarity. */
const POSTING_TYPES: Record<string, 'DEBIT' | 'CREDIT'> = {
  CLEARING: 'DEBIT',
  CORRECTION_DEBIT: 'DEBIT',
  FINANCIAL_AUTHORIZATION: 'DEBIT',
  RETURN_REVERSAL: 'DEBIT',
  RETURN: 'CREDIT',
  CORRECTION_CREDIT: 'CREDIT',
  FINANCIAL_CREDIT_AUTHORIZATION: 'CREDIT',
};

const STATUSES: Record<z.infer<typeof cardTransaction>['status'], AuthorizationStatus> = {
  PENDING: 'pending',
  SETTLED: 'closed',
  VOIDED: 'reversed',
  EXPIRED: 'expired',
  DECLINED: 'declined',
};

const signed = (value: number, currency: string, polarity: 'DEBIT' | 'CREDIT'): Money =>
  money(polarity === 'CREDIT' ? -Math.abs(value) : Math.abs(value), currency);

const toAuthorizationBody = (t: z.infer<typeof cardTransaction>): CardEventBody => {
  const currency = t.amounts?.cardholder?.currency ?? t.amounts?.hold?.currency ?? DEFAULT_CURRENCY;
  const merchantCurrency = t.amounts?.merchant?.currency ?? t.merchant_currency ?? currency;
  const status = STATUSES[t.status];
  const authorized = t.authorization_amount ?? t.amount;
  const card = { cardId: t.card_token, cardLast4: null, cardholderId: t.account_token ?? null };
  const m = merchantOfLithic(t.merchant);
  const network = (e?: z.infer<typeof transactionEvent>) =>
    networkIds({
      authorizationCode: t.authorization_code,
      acquirerReferenceNumber: e?.network_info?.acquirer?.acquirer_reference_number ?? t.acquirer_reference_number,
      retrievalReferenceNumber: e?.network_info?.acquirer?.retrieval_reference_number,
      transactionId: e?.network_info?.visa?.transaction_id ?? e?.network_info?.mastercard?.banknet_reference_number,
    });
  const transactions: CardTransaction[] = t.events
    .filter((e) => e.result === 'APPROVED' && POSTING_TYPES[e.type])
    .map((e) => {
      const polarity = e.effective_polarity ?? POSTING_TYPES[e.type] ?? 'DEBIT';
      return {
        processor: 'lithic',
        id: e.token,
        authorizationId: t.token,
        kind: polarity === 'CREDIT' ? 'refund' : 'capture',
        ...card,
        network: network(e),
        amount: signed(
          e.amounts?.cardholder?.amount ?? e.amount,
          e.amounts?.cardholder?.currency ?? currency,
          polarity,
        ),
        merchantAmount: signed(
          e.amounts?.merchant?.amount ?? e.amount,
          e.amounts?.merchant?.currency ?? merchantCurrency,
          polarity,
        ),
        merchant: m,
        postedAt: iso(e.created),
      };
    });
  // Lithic reports the hold as a negative balance movement; our pending amount is what is still reserved.
  const hold = t.amounts?.hold ? -t.amounts.hold.amount : status === 'pending' ? authorized : 0;
  const authorization: Authorization = {
    processor: 'lithic',
    id: t.token,
    ...card,
    network: network(t.events.find((e) => e.type === 'AUTHORIZATION')),
    status,
    amount: money(authorized, currency),
    pendingAmount: money(status === 'pending' ? Math.max(0, hold) : 0, currency),
    merchantAmount: money(t.merchant_authorization_amount ?? authorized, merchantCurrency),
    merchant: m,
    transactionIds: transactions.map((x) => x.id),
    createdAt: iso(t.created),
    updatedAt: iso(t.updated),
  };
  const change: AuthorizationChange =
    status === 'pending'
      ? t.events.length <= 1
        ? 'created'
        : 'updated'
      : status === 'reversed'
        ? 'reversed'
        : status === 'expired'
          ? 'expired'
          : 'closed';
  return { kind: 'authorization', change, authorization, transactions };
};

const CREDIT_REQUESTS = new Set(['CREDIT_AUTHORIZATION', 'FINANCIAL_CREDIT_AUTHORIZATION']);

const toRequestBody = (r: z.infer<typeof asaRequest>): CardEventBody => {
  const currency = r.amounts?.cardholder?.currency ?? DEFAULT_CURRENCY;
  const polarity = CREDIT_REQUESTS.has(r.status) ? 'CREDIT' : 'DEBIT';
  const value = r.amounts?.cardholder?.amount ?? r.cardholder_amount ?? r.authorization_amount ?? r.amount;
  const merchantValue = r.amounts?.merchant?.amount ?? r.merchant_amount ?? value;
  return {
    kind: 'authorization-request',
    request: {
      processor: 'lithic',
      authorizationId: r.token,
      cardId: r.card.token,
      cardLast4: r.card.last_four ?? null,
      cardholderId: r.account_token ?? null,
      direction: polarity === 'CREDIT' ? 'credit' : 'debit',
      amount: signed(value, currency, polarity),
      merchantAmount: signed(merchantValue, r.amounts?.merchant?.currency ?? r.merchant_currency ?? currency, polarity),
      merchant: merchantOfLithic(r.merchant),
      network: {},
      partialApprovalCapable: r.pos?.terminal?.partial_approval_capable ?? false,
      requestedAt: iso(r.created),
    },
  };
};

const LITHIC_CARD_STATES: Record<string, CardStatus> = {
  OPEN: 'active',
  PAUSED: 'inactive',
  PENDING_ACTIVATION: 'inactive',
  PENDING_FULFILLMENT: 'inactive',
  CLOSED: 'canceled',
};

const envelope = z.object({ event_type: z.string().optional() });

/** Normalizes one Lithic delivery: a webhook event (with event_type) or an Auth Stream Access request. */
export const normalizeLithicPayload = (payload: unknown, context: NormalizeContext): NormalizeResult => {
  const head = envelope.safeParse(payload);
  if (!head.success) return malformed('Lithic', head.error);
  const type = head.data.event_type;
  const receivedAt = context.receivedAt.toISOString();
  try {
    if (type === undefined) {
      const r = asaRequest.safeParse(payload);
      if (!r.success) return malformed('Lithic ASA request', r.error);
      const occurredAt = iso(r.data.created);
      const eventId = context.eventId ?? `asa:${r.data.token}`;
      return {
        ok: true,
        events: [{ processor: 'lithic', eventId, type: 'asa.request', occurredAt, body: toRequestBody(r.data) }],
      };
    }
    if (type === 'card_transaction.updated') {
      const t = cardTransaction.safeParse(payload);
      if (!t.success) return malformed('Lithic card_transaction', t.error);
      const eventId = context.eventId ?? `${t.data.token}:${t.data.updated}`;
      const occurredAt = iso(t.data.updated);
      return {
        ok: true,
        events: [{ processor: 'lithic', eventId, type, occurredAt, body: toAuthorizationBody(t.data) }],
      };
    }
    const eventId = context.eventId ?? null;
    if (eventId === null) return malformed('Lithic', new Error('a webhook event needs its webhook-id'));
    if (type === 'card.created' || type === 'card.updated') {
      const c = cardChange.safeParse(payload);
      if (!c.success) return malformed('Lithic card event', c.error);
      const status = type === 'card.created' ? 'unknown' : (LITHIC_CARD_STATES[c.data.state ?? ''] ?? 'unknown');
      const card = {
        cardId: c.data.card_token,
        cardLast4: null,
        cardholderId: null,
        status,
        replacementFor: c.data.replacement_for ?? null,
      } as const;
      return {
        ok: true,
        events: [{ processor: 'lithic', eventId, type, occurredAt: receivedAt, body: { kind: 'card', card } }],
      };
    }
    return {
      ok: true,
      events: [{ processor: 'lithic', eventId, type, occurredAt: receivedAt, body: { kind: 'ignored', raw: payload } }],
    };
  } catch (error) {
    return malformed('Lithic', error as Error);
  }
};
