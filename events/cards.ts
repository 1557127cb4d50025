import { z } from 'zod';
import { EVENT_SOURCES, eventBridgeEnvelope } from './envelope.ts';

/** Money in JSON: a decimal string with exactly the currency's decimals, and the ISO 4217 code. */
const moneyJson = z.object({
  amount: z.string().regex(/^-?\d+(\.\d+)?$/),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

const processor = z.enum(['stripe', 'lithic', 'marqeta']);

const merchant = z.object({
  name: z.string(),
  normalizedName: z.string(),
  mcc: z
    .string()
    .regex(/^\d{4}$/)
    .nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
  acceptorId: z.string().nullable(),
});

const networkIds = z.object({
  transactionId: z.string().optional(),
  authorizationCode: z.string().optional(),
  retrievalReferenceNumber: z.string().optional(),
  systemTraceAuditNumber: z.string().optional(),
  acquirerReferenceNumber: z.string().optional(),
});

const card = {
  cardId: z.string(),
  cardLast4: z.string().nullable(),
  cardholderId: z.string().nullable(),
};

/**
 * A real-time authorization request was answered (approved or declined, by the rules or by the company's
 * fallback). employeeId null: the card is assigned to nobody yet (shown to finance).
 */
export const cardAuthorizationDecidedDetail = z.object({
  companyId: z.string(),
  employeeId: z.string().nullable(),
  processor,
  /** The processor's event id of the request. */
  eventId: z.string(),
  authorizationId: z.string(),
  ...card,
  approved: z.boolean(),
  fallback: z.boolean(),
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  /** Card currency; positive = spend. */
  amount: moneyJson,
  merchantAmount: moneyJson,
  merchant,
  reservations: z.array(z.object({ lineId: z.string(), budgetId: z.string(), amount: moneyJson })),
  requestedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime(),
});
export type CardAuthorizationDecidedDetail = z.infer<typeof cardAuthorizationDecidedDetail>;
export const cardAuthorizationDecidedEvent = eventBridgeEnvelope(
  'CardAuthorizationDecided',
  cardAuthorizationDecidedDetail,
);

/**
 * Money moved on a card: a capture (positive) or a refund (negative), posted once per processor transaction id.
 * The matcher looks for its receipt.
 */
export const cardTransactionPostedDetail = z.object({
  companyId: z.string(),
  employeeId: z.string().nullable(),
  processor,
  /** The processor event that first carried this transaction. */
  eventId: z.string(),
  transactionId: z.string(),
  authorizationId: z.string().nullable(),
  kind: z.enum(['capture', 'refund']),
  ...card,
  /** Card currency, signed: positive = spent by the employee, negative = refunded. */
  amount: moneyJson,
  /** Merchant currency, same sign. */
  merchantAmount: moneyJson,
  merchant,
  network: networkIds,
  /** When the card was authorized for it, when known (else the posting time is all there is). */
  authorizedAt: z.iso.datetime().nullable().default(null),
  postedAt: z.iso.datetime(),
});
export type CardTransactionPostedDetail = z.infer<typeof cardTransactionPostedDetail>;
export const cardTransactionPostedEvent = eventBridgeEnvelope('CardTransactionPosted', cardTransactionPostedDetail);

/**
 * An authorization ended without moving money: reversed by the merchant or expired unused (no capture on record).
 * Its receipt slot closes, and a receipt that had taken the slot is free again.
 */
export const cardAuthorizationEndedDetail = z.object({
  companyId: z.string(),
  employeeId: z.string().nullable(),
  processor,
  /** The processor event that ended it. */
  eventId: z.string(),
  authorizationId: z.string(),
  status: z.enum(['reversed', 'expired']),
  amount: moneyJson,
  endedAt: z.iso.datetime(),
  /**
   * The real-time approval Quittance gave it, if any (the weekly cash-out report counted it as authorized and takes
   * it back); null when the processor authorized it without asking.
   */
  approved: z.object({ decidedAt: z.iso.datetime(), amount: moneyJson }).nullable().default(null),
});
export type CardAuthorizationEndedDetail = z.infer<typeof cardAuthorizationEndedDetail>;

/** Every event this module defines: detail-type → detail schema. Samples live in events/samples/. */
export const cardEvents = {
  CardAuthorizationDecided: { source: EVENT_SOURCES.cards, detail: cardAuthorizationDecidedDetail },
  CardTransactionPosted: { source: EVENT_SOURCES.cards, detail: cardTransactionPostedDetail },
  CardAuthorizationEnded: { source: EVENT_SOURCES.cards, detail: cardAuthorizationEndedDetail },
} as const;
