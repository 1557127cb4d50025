/**
 * The public webhook events: what finance tools receive, mapped from Quittance's internal events.
 *
 * Every payload is `{ id, type, createdAt, data }`. `data` is built field by field from the internal detail, never
 * spread from it, so an internal field added later (tenant ids, versions, storage keys, extraction internals) never
 * leaks to a receiver. The `data` schemas below are the contract (documented in docs/webhooks.md); a unit test
 * parses every mapped sample against them.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CardTransactionPostedDetail } from '../../../events/cards.ts';
import type {
  ExpenseApprovedDetail,
  ExpenseBookedDetail,
  ExpenseRejectedDetail,
  ReimbursementBatchCreatedDetail,
} from '../../../events/expenses.ts';
import type { JournalEntryPostedDetail } from '../../../events/ledger.ts';
import type { ReceiptMatchedDetail } from '../../../events/matching.ts';
import type { ReceiptExtractedDetail } from '../../../events/receipts.ts';

const money = z.object({ amount: z.string(), currency: z.string() });
const expenseCore = {
  expenseId: z.string(),
  employeeId: z.string(),
  type: z.enum(['card', 'out-of-pocket', 'mileage', 'per-diem']),
  amount: money,
  category: z.string().nullable(),
};

/** Public `data` schema of each outbound event type. */
export const WEBHOOK_DATA_SCHEMAS = {
  'expense.approved': z.object({
    ...expenseCore,
    auto: z.boolean().describe('approved automatically (compliant and under the threshold)'),
    approvedBy: z.array(z.object({ step: z.number().int(), approverId: z.string(), actorId: z.string() })),
    reimbursable: z.boolean(),
    approvedAt: z.string(),
  }),
  'expense.rejected': z.object({
    ...expenseCore,
    rejectedBy: z.string(),
    onBehalfOf: z.string().nullable(),
    reason: z.string(),
    rejectedAt: z.string(),
  }),
  'expense.booked': z.object({ ...expenseCore, journalEntryId: z.string(), bookedAt: z.string() }),
  'entry.posted': z.object({
    entryId: z.string(),
    ecritureNum: z.string(),
    connector: z.string(),
    externalId: z.string(),
    total: money,
    postedAt: z.string(),
  }),
  'receipt.extracted': z.object({
    receiptId: z.string(),
    employeeId: z.string().nullable(),
    documentType: z.string().nullable(),
    documentNumber: z.string().nullable(),
    vendor: z.object({
      name: z.string().nullable(),
      vatNumber: z.string().nullable(),
      siren: z.string().nullable(),
      siret: z.string().nullable(),
    }),
    date: z.string().nullable(),
    currency: z.string().nullable(),
    total: z.string().nullable(),
    subtotal: z.string().nullable(),
    taxes: z.array(z.object({ rate: z.string().nullable(), base: z.string().nullable(), amount: z.string() })),
    possibleDuplicateOf: z.string().nullable(),
    extractedAt: z.string(),
  }),
  'receipt.matched': z.object({
    receiptId: z.string(),
    transactionId: z.string(),
    employeeId: z.string().nullable(),
    score: z.number(),
    by: z.string().describe('`auto` or the user who linked them'),
    receiptIds: z.array(z.string()).describe('every receipt of the same decision (one unless a sum)'),
    transactionIds: z.array(z.string()).describe('every card transaction of the same decision'),
    matchedAt: z.string(),
  }),
  'card.transaction.posted': z.object({
    transactionId: z.string(),
    authorizationId: z.string().nullable(),
    kind: z.enum(['capture', 'refund']),
    employeeId: z.string().nullable(),
    processor: z.string(),
    cardLast4: z.string().nullable(),
    amount: money,
    merchantAmount: money,
    merchant: z.object({
      name: z.string(),
      mcc: z.string().nullable(),
      city: z.string().nullable(),
      country: z.string().nullable(),
    }),
    authorizedAt: z.string().nullable(),
    postedAt: z.string(),
  }),
  'reimbursement.batch.created': z.object({
    batchId: z.string(),
    executionDate: z.string(),
    transfers: z.array(
      z.object({ expenseId: z.string(), employeeId: z.string(), employeeName: z.string(), amount: money }),
    ),
    total: z.array(money).describe('one sum per currency'),
    createdAt: z.string(),
  }),
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_DATA_SCHEMAS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_DATA_SCHEMAS) as [WebhookEventType, ...WebhookEventType[]];

/** What each public type means, for the docs and the API's event list. */
export const WEBHOOK_EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  'expense.approved': 'an expense was finally approved (by its whole approval chain, or automatically)',
  'expense.rejected': 'an approver rejected an expense, with the reason',
  'expense.booked': 'an approved expense was booked: its journal entry is written',
  'entry.posted': 'a journal entry was accepted by the company’s accounting system',
  'receipt.extracted': 'a receipt was read: vendor, date, totals and VAT',
  'receipt.matched': 'a receipt was linked to a card transaction (automatically or by a person)',
  'card.transaction.posted': 'money moved on a company card: a capture or a refund',
  'reimbursement.batch.created': 'approved out-of-pocket expenses were put in a SEPA transfer file',
};

/** Internal detail-type → public type; the single table both the subscription and the mapping read. */
export const INTERNAL_TO_PUBLIC = {
  ExpenseApproved: 'expense.approved',
  ExpenseRejected: 'expense.rejected',
  ExpenseBooked: 'expense.booked',
  JournalEntryPosted: 'entry.posted',
  ReceiptExtracted: 'receipt.extracted',
  ReceiptMatched: 'receipt.matched',
  CardTransactionPosted: 'card.transaction.posted',
  ReimbursementBatchCreated: 'reimbursement.batch.created',
} as const satisfies Record<string, WebhookEventType>;
export type ExposedInternalEvent = keyof typeof INTERNAL_TO_PUBLIC;

/**
 * The test event an admin sends to one endpoint on request (POST /webhook-endpoints/{id}/test), whatever it
 * listens to; nothing else sends it and no endpoint subscribes to it.
 */
export const TEST_EVENT_TYPE = 'webhook.test';
/** Every type a delivery can carry: the subscribable ones and the test event. */
export const DELIVERABLE_EVENT_TYPES = [...WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE] as const;
export type DeliverableEventType = (typeof DELIVERABLE_EVENT_TYPES)[number];

/** The test event for an endpoint; its id is fresh (a new test is a new event). */
export const testEvent = (endpointId: string, nonce: string, now: Date): WebhookEvent => ({
  id: publicEventId(`test:${endpointId}:${nonce}`, now),
  type: TEST_EVENT_TYPE,
  createdAt: now.toISOString(),
  data: { endpointId, message: 'A test event from Quittance: this endpoint receives and verifies our webhooks.' },
});

export const webhookEventSchema = z.object({
  id: z.string().regex(/^evt_[0-9a-z]{25}$/),
  type: z.enum(DELIVERABLE_EVENT_TYPES),
  createdAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/**
 * The public id of an internal event: `evt_` + the event time (base 36 milliseconds, fixed width, so ids sort by
 * time) + 16 hex of a hash of the bus event's id. Deterministic: a redelivered bus event has the same id, which is
 * what makes deliveries idempotent per endpoint (and what receivers see in `webhook-id`).
 */
export const publicEventId = (busEventId: string, time: Date): string =>
  `evt_${time.getTime().toString(36).padStart(9, '0')}${createHash('sha256').update(busEventId).digest('hex').slice(0, 16)}`;

type Data<T extends WebhookEventType> = z.infer<(typeof WEBHOOK_DATA_SCHEMAS)[T]>;

const expenseOf = (d: ExpenseApprovedDetail | ExpenseRejectedDetail | ExpenseBookedDetail) => ({
  expenseId: d.expenseId,
  employeeId: d.employeeId,
  type: d.type,
  amount: { amount: d.amount.amount, currency: d.amount.currency },
  category: d.category,
});

const moneyOf = (m: { amount: string; currency: string }) => ({ amount: m.amount, currency: m.currency });

/** Sums decimal strings per currency exactly (integer hundredths; inputs carry at most the currency's decimals). */
const totals = (amounts: readonly { amount: string; currency: string }[]) => {
  const sums = new Map<string, { minor: bigint; decimals: number }>();
  for (const a of amounts) {
    const [int = '0', frac = ''] = a.amount.replace('-', '').split('.');
    const sign = a.amount.startsWith('-') ? -1n : 1n;
    const cur = sums.get(a.currency) ?? { minor: 0n, decimals: 0 };
    const decimals = Math.max(cur.decimals, frac.length);
    const scale = (x: bigint, from: number) => x * 10n ** BigInt(decimals - from);
    const minor = sign * BigInt(`${int}${frac}`);
    sums.set(a.currency, { minor: scale(cur.minor, cur.decimals) + scale(minor, frac.length), decimals });
  }
  return [...sums].map(([currency, { minor, decimals }]) => {
    const abs = (minor < 0n ? -minor : minor).toString().padStart(decimals + 1, '0');
    const text = decimals ? `${abs.slice(0, -decimals)}.${abs.slice(-decimals)}` : abs;
    return { amount: `${minor < 0n ? '-' : ''}${text}`, currency };
  });
};

const MAPPERS: { [N in ExposedInternalEvent]: (detail: never) => Data<(typeof INTERNAL_TO_PUBLIC)[N]> } = {
  ExpenseApproved: (d: ExpenseApprovedDetail) => ({
    ...expenseOf(d),
    auto: d.auto,
    approvedBy: d.approvedBy.map((a) => ({ step: a.step, approverId: a.approverId, actorId: a.actorId })),
    reimbursable: d.reimbursable,
    approvedAt: d.approvedAt,
  }),
  ExpenseRejected: (d: ExpenseRejectedDetail) => ({
    ...expenseOf(d),
    rejectedBy: d.rejectedBy,
    onBehalfOf: d.onBehalfOf,
    reason: d.reason,
    rejectedAt: d.rejectedAt,
  }),
  ExpenseBooked: (d: ExpenseBookedDetail) => ({
    ...expenseOf(d),
    journalEntryId: d.journalEntryId,
    bookedAt: d.bookedAt,
  }),
  JournalEntryPosted: (d: JournalEntryPostedDetail) => ({
    entryId: d.entryId,
    ecritureNum: d.ecritureNum,
    connector: d.connector,
    externalId: d.externalId,
    total: { amount: d.total, currency: d.currency },
    postedAt: d.postedAt,
  }),
  ReceiptExtracted: (d: ReceiptExtractedDetail) => {
    const x = d.extraction;
    return {
      receiptId: d.receiptId,
      employeeId: d.employeeId,
      documentType: x.documentType ?? null,
      documentNumber: x.documentNumber ?? null,
      vendor: {
        name: x.vendor ?? null,
        vatNumber: x.vendorVatNumber ?? null,
        siren: x.vendorSiren ?? null,
        siret: x.vendorSiret ?? null,
      },
      date: x.date ?? null,
      currency: x.currency ?? null,
      total: x.total ?? null,
      subtotal: x.subtotal ?? null,
      taxes: x.taxes.map((t) => ({ rate: t.rate ?? null, base: t.base ?? null, amount: t.amount })),
      possibleDuplicateOf: d.possibleDuplicateOf,
      extractedAt: d.extractedAt,
    };
  },
  ReceiptMatched: (d: ReceiptMatchedDetail) => ({
    receiptId: d.receiptId,
    transactionId: d.transactionId,
    employeeId: d.employeeId,
    score: d.score,
    by: d.by,
    receiptIds: d.group ? [...d.group.receiptIds] : [d.receiptId],
    transactionIds: d.group ? [...d.group.transactionIds] : [d.transactionId],
    matchedAt: d.matchedAt,
  }),
  CardTransactionPosted: (d: CardTransactionPostedDetail) => ({
    transactionId: d.transactionId,
    authorizationId: d.authorizationId,
    kind: d.kind,
    employeeId: d.employeeId,
    processor: d.processor,
    cardLast4: d.cardLast4,
    amount: moneyOf(d.amount),
    merchantAmount: moneyOf(d.merchantAmount),
    merchant: { name: d.merchant.name, mcc: d.merchant.mcc, city: d.merchant.city, country: d.merchant.country },
    authorizedAt: d.authorizedAt ?? null,
    postedAt: d.postedAt,
  }),
  ReimbursementBatchCreated: (d: ReimbursementBatchCreatedDetail) => ({
    batchId: d.fileId,
    executionDate: d.executionDate,
    transfers: d.transfers.map((t) => ({
      expenseId: t.expenseId,
      employeeId: t.employeeId,
      employeeName: t.employeeName,
      amount: moneyOf(t.amount),
    })),
    total: totals(d.transfers.map((t) => t.amount)),
    createdAt: d.createdAt,
  }),
};

/** The part of an EventBridge envelope the mapping reads. */
export interface BusEventLike {
  id: string;
  'detail-type': string;
  time: string;
  detail: unknown;
}

/**
 * An internal bus event as the public event finance tools receive, with the company it belongs to; null for an
 * event type that is not exposed. The internal detail must already be valid (the caller parses it with its schema
 * from events/).
 */
export const toWebhookEvent = (e: BusEventLike): { companyId: string; event: WebhookEvent } | null => {
  const name = e['detail-type'];
  if (!Object.hasOwn(INTERNAL_TO_PUBLIC, name)) return null;
  const internal = name as ExposedInternalEvent;
  const detail = e.detail as { companyId: string };
  const time = new Date(e.time);
  const type = INTERNAL_TO_PUBLIC[internal];
  const data = (MAPPERS[internal] as unknown as (d: unknown) => Record<string, unknown>)(detail);
  return {
    companyId: detail.companyId,
    event: { id: publicEventId(e.id, time), type, createdAt: time.toISOString(), data },
  };
};
