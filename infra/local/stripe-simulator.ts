import { createHmac, randomBytes } from 'node:crypto';

/**
 * A small Stripe Issuing simulator for the demo, the tests and the benchmarks: builds the webhook events Stripe
 * sends (issuing_authorization.request / .created / .updated, issuing_transaction.created) for a card, signs them
 * the way Stripe does (Stripe-Signature: t=…,v1=HMAC-SHA256 hex of "<t>.<body>"), and posts them.
 */
export interface SimCard {
  id: string;
  last4: string;
  cardholderId: string;
}

export interface SimMerchant {
  name: string;
  mcc: string;
  city: string;
  country: string;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

const cardObject = (card: SimCard) => ({
  id: card.id,
  object: 'issuing.card',
  last4: card.last4,
  cardholder: card.cardholderId,
  status: 'active',
  cancellation_reason: null,
  replacement_for: null,
});

const merchantData = (m: SimMerchant) => ({
  category: 'eating_places_restaurants',
  category_code: m.mcc,
  city: m.city,
  country: m.country,
  name: m.name,
  network_id: '1234567890',
  postal_code: null,
  state: null,
});

export interface SimAuthorization {
  id: string;
  card: SimCard;
  merchant: SimMerchant;
  amount: number;
  currency: string;
  created: number;
}

export const newAuthorization = (
  card: SimCard,
  merchant: SimMerchant,
  amount: number,
  currency = 'eur',
): SimAuthorization => ({
  id: id('iauth'),
  card,
  merchant,
  amount,
  currency,
  created: now(),
});

const authorizationObject = (
  a: SimAuthorization,
  state: {
    status: 'pending' | 'closed' | 'reversed' | 'expired';
    approved: boolean;
    pending?: boolean;
    transactions?: unknown[];
  },
) => ({
  id: a.id,
  object: 'issuing.authorization',
  amount: state.pending ? 0 : a.amount,
  currency: a.currency,
  merchant_amount: state.pending ? 0 : a.amount,
  merchant_currency: a.currency,
  approved: state.approved,
  authorization_method: 'online',
  card: cardObject(a.card),
  cardholder: a.card.cardholderId,
  created: a.created,
  livemode: false,
  merchant_data: merchantData(a.merchant),
  network_data: { transaction_id: `net_${a.id.slice(6, 18)}` },
  pending_request: state.pending
    ? {
        amount: a.amount,
        currency: a.currency,
        merchant_amount: a.amount,
        merchant_currency: a.currency,
        is_amount_controllable: false,
      }
    : null,
  status: state.status,
  transactions: state.transactions ?? [],
});

const event = (type: string, object: unknown, created = now()) => ({
  id: id('evt'),
  object: 'event',
  api_version: '2024-06-20',
  created,
  livemode: false,
  type,
  data: { object },
});

export const authorizationRequest = (a: SimAuthorization) =>
  event('issuing_authorization.request', authorizationObject(a, { status: 'pending', approved: false, pending: true }));

export const authorizationCreated = (a: SimAuthorization, approved: boolean) =>
  event('issuing_authorization.created', authorizationObject(a, { status: approved ? 'pending' : 'closed', approved }));

export const transactionObject = (a: SimAuthorization, amount: number) => ({
  id: id('ipi'),
  object: 'issuing.transaction',
  amount: -amount,
  currency: a.currency,
  merchant_amount: -amount,
  merchant_currency: a.currency,
  authorization: a.id,
  card: a.card.id,
  cardholder: a.card.cardholderId,
  created: now(),
  merchant_data: merchantData(a.merchant),
  network_data: { authorization_code: 'S12345', transaction_id: `net_${a.id.slice(6, 18)}` },
  type: 'capture',
});

export const transactionCreated = (tx: ReturnType<typeof transactionObject>) =>
  event('issuing_transaction.created', tx);

export const authorizationClosed = (a: SimAuthorization, transactions: unknown[]) =>
  event('issuing_authorization.updated', authorizationObject(a, { status: 'closed', approved: true, transactions }));

/** The merchant cancels the authorization before any capture: the hold is released. */
export const authorizationReversed = (a: SimAuthorization) =>
  event('issuing_authorization.updated', authorizationObject(a, { status: 'reversed', approved: true }));

export const signStripe = (body: string, secret: string, t = now()): string =>
  `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

/** Posts a signed event to the webhook endpoint and returns the HTTP status and JSON answer. */
export const sendStripe = async (apiUrl: string, secret: string, payload: unknown) => {
  const body = JSON.stringify(payload);
  const res = await fetch(`${apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, secret) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
