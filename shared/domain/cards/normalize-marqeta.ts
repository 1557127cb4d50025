import { z } from 'zod';
import { type Money, money, negateMoney, parseMoney } from '../money.ts';
import { merchantOf } from './merchant.ts';
import type {
  Authorization,
  AuthorizationStatus,
  CardEvent,
  CardEventBody,
  CardTransaction,
  NetworkIds,
} from './model.ts';
import { malformed, type NormalizeContext, type NormalizeResult } from './normalize-result.ts';

/**
 * Marqeta: a transaction webhook is `{ "transactions": [ … ] }`, each entry one step with its own token and a
 * `preceding_related_transaction_token` pointing at the authorization it follows; a JIT Funding request is one such
 * transaction, alone, holding `gpa_order.jit_funding` (or `jit_funding`). Amounts are decimal numbers in major
 * units ("amount": 10 is 10.00 USD) and are read exactly from their decimal text, never through arithmetic.
 * Marqeta sends no event id: a delivery is identified by transaction token + state, which is what Marqeta resends.
 */
const nullableString = z.string().nullish();
const decimal = z.union([z.number(), z.string()]);

const transaction = z.object({
  type: z.string(),
  state: z.string(),
  token: z.string(),
  user_token: nullableString,
  card_token: z.string(),
  preceding_related_transaction_token: nullableString,
  amount: decimal,
  request_amount: decimal.nullish(),
  currency_code: z.string(),
  created_time: z.string(),
  user_transaction_time: nullableString,
  approval_code: nullableString,
  card: z.object({ last_four: nullableString }).nullish(),
  card_acceptor: z
    .object({
      mid: nullableString,
      mcc: nullableString,
      name: nullableString,
      city: nullableString,
      country_code: nullableString,
    })
    .nullish(),
  acquirer: z
    .object({ retrieval_reference_number: nullableString, system_trace_audit_number: nullableString })
    .nullish(),
  network_reference_id: nullableString,
  pos: z.object({ partial_approval_capable: z.boolean().nullish() }).nullish(),
  gpa_order: z.object({ jit_funding: z.object({ method: z.string() }).nullish() }).nullish(),
  jit_funding: z.object({ method: z.string() }).nullish(),
});
type MarqetaTransaction = z.infer<typeof transaction>;

const webhook = z.object({ transactions: z.array(z.unknown()) });

/** A JSON number as the decimal text it was written as (shortest round-trip form), refusing exponents. */
export const decimalMoney = (value: number | string, currency: string): Money => {
  const text = typeof value === 'number' ? String(value) : value;
  if (/e/i.test(text)) throw new Error(`amount ${text} is not a plain decimal`);
  return parseMoney(text, currency);
};

const iso = (s: string): string => new Date(s).toISOString();

const networkIds = (t: MarqetaTransaction): NetworkIds =>
  Object.fromEntries(
    Object.entries({
      transactionId: t.network_reference_id,
      authorizationCode: t.approval_code,
      retrievalReferenceNumber: t.acquirer?.retrieval_reference_number,
      systemTraceAuditNumber: t.acquirer?.system_trace_audit_number,
    }).filter(([, v]) => v),
  ) as NetworkIds;

const common = (t: MarqetaTransaction) => ({
  processor: 'marqeta' as const,
  cardId: t.card_token,
  cardLast4: t.card?.last_four ?? null,
  cardholderId: t.user_token ?? null,
  network: networkIds(t),
  merchant: merchantOf({
    name: t.card_acceptor?.name,
    mcc: t.card_acceptor?.mcc,
    city: t.card_acceptor?.city,
    country: t.card_acceptor?.country_code,
    acceptorId: t.card_acceptor?.mid,
  }),
});

const at = (t: MarqetaTransaction): string => iso(t.user_transaction_time ?? t.created_time);

/** Marqeta transaction types that move money (the rest are authorizations, their changes, or not ours). */
const CAPTURES = new Set(['authorization.clearing', 'pindebit', 'authorization.clearing.chargeback.reversal']);
const REFUNDS = new Set([
  'refund',
  'authorization.clearing.refund',
  'refund.authorization.clearing',
  'pindebit.refund',
]);

const authorization = (
  t: MarqetaTransaction,
  id: string,
  status: AuthorizationStatus,
  amount: Money,
): Authorization => ({
  ...common(t),
  id,
  status,
  amount,
  pendingAmount: status === 'pending' ? amount : money(0, amount.currency),
  // Marqeta's webhook carries no merchant-currency amount for domestic transactions.
  merchantAmount: amount,
  transactionIds: [],
  createdAt: at(t),
  updatedAt: at(t),
});

const bodyOf = (t: MarqetaTransaction): CardEventBody => {
  const amount = decimalMoney(t.amount, t.currency_code);
  const authId = t.preceding_related_transaction_token ?? null;
  if (t.type === 'authorization') {
    const status: AuthorizationStatus =
      t.state === 'PENDING' ? 'pending' : t.state === 'DECLINED' || t.state === 'ERROR' ? 'declined' : 'closed';
    return {
      kind: 'authorization',
      change: status === 'pending' ? 'created' : 'closed',
      authorization: authorization(t, t.token, status, amount),
      transactions: [],
    };
  }
  if (authId && (t.type === 'authorization.reversal' || t.type === 'authorization.reversal.issuerexpiration')) {
    const expired = t.type === 'authorization.reversal.issuerexpiration';
    return {
      kind: 'authorization',
      change: expired ? 'expired' : 'reversed',
      authorization: authorization(t, authId, expired ? 'expired' : 'reversed', amount),
      transactions: [],
    };
  }
  if (CAPTURES.has(t.type) || REFUNDS.has(t.type)) {
    const refund = REFUNDS.has(t.type);
    const signed = refund ? negateMoney(amount) : amount;
    const tx: CardTransaction = {
      ...common(t),
      id: t.token,
      authorizationId: refund ? null : authId,
      kind: refund ? 'refund' : 'capture',
      amount: signed,
      merchantAmount: signed,
      postedAt: at(t),
    };
    return { kind: 'transaction', transaction: tx };
  }
  return { kind: 'ignored', raw: t };
};

const isJitRequest = (t: MarqetaTransaction): boolean =>
  t.state === 'PENDING' && (t.gpa_order?.jit_funding ?? t.jit_funding)?.method === 'pgfs.authorization';

const requestOf = (t: MarqetaTransaction): CardEventBody => {
  const amount = decimalMoney(t.request_amount ?? t.amount, t.currency_code);
  return {
    kind: 'authorization-request',
    request: {
      ...common(t),
      authorizationId: t.token,
      direction: 'debit',
      amount,
      merchantAmount: amount,
      partialApprovalCapable: t.pos?.partial_approval_capable ?? false,
      requestedAt: at(t),
    },
  };
};

const eventOf = (t: MarqetaTransaction, body: CardEventBody, type: string): CardEvent => ({
  processor: 'marqeta',
  eventId: `${t.token}:${t.state}`,
  type,
  occurredAt: at(t),
  body,
});

/**
 * Normalizes a Marqeta delivery: a transaction webhook (one CardEvent per transaction) or a JIT Funding
 * request (`pgfs.authorization` on a lone PENDING authorization), which needs a real-time answer.
 */
export const normalizeMarqetaPayload = (payload: unknown, _context: NormalizeContext): NormalizeResult => {
  try {
    const hook = webhook.safeParse(payload);
    if (hook.success) {
      const events: CardEvent[] = [];
      for (const raw of hook.data.transactions) {
        const t = transaction.safeParse(raw);
        if (!t.success) return malformed('Marqeta transaction', t.error);
        events.push(eventOf(t.data, bodyOf(t.data), t.data.type));
      }
      return { ok: true, events };
    }
    const t = transaction.safeParse(payload);
    if (!t.success) return malformed('Marqeta', t.error);
    if (!isJitRequest(t.data)) return { ok: true, events: [eventOf(t.data, bodyOf(t.data), t.data.type)] };
    return { ok: true, events: [eventOf(t.data, requestOf(t.data), 'jit_funding.authorization')] };
  } catch (error) {
    return malformed('Marqeta', error as Error);
  }
};
