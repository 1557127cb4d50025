import { z } from 'zod';
import { EVENT_SOURCES, eventBridgeEnvelope } from './envelope.ts';

const documentRef = z.object({
  bucket: z.string(),
  key: z.string(),
  contentType: z.string(),
  fileName: z.string().nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});

const channel = z.enum(['email', 'upload']);

/** A receipt document was stored and is ready for extraction. */
export const receiptReceivedDetail = z.object({
  companyId: z.string(),
  receiptId: z.string(),
  employeeId: z.string().nullable(),
  channel,
  document: documentRef,
  receivedAt: z.string().datetime(),
});
export type ReceiptReceivedDetail = z.infer<typeof receiptReceivedDetail>;
export const receiptReceivedEvent = eventBridgeEnvelope('ReceiptReceived', receiptReceivedDetail);

/** Inbound mail that could not be turned into someone's receipt: kept, with its reason, for admins. */
export const receiptQuarantinedDetail = z.object({
  companyId: z.string().nullable(),
  mailId: z.string(),
  reason: z.string(),
  from: z.string().nullable(),
  rawObject: z.object({ bucket: z.string(), key: z.string() }),
  quarantinedAt: z.string().datetime(),
});
export type ReceiptQuarantinedDetail = z.infer<typeof receiptQuarantinedDetail>;
export const receiptQuarantinedEvent = eventBridgeEnvelope('ReceiptQuarantined', receiptQuarantinedDetail);

/** Every event this module defines: detail-type → detail schema. Samples live in events/samples/. */
export const receiptEvents = {
  ReceiptReceived: { source: EVENT_SOURCES.receipts, detail: receiptReceivedDetail },
  ReceiptQuarantined: { source: EVENT_SOURCES.receipts, detail: receiptQuarantinedDetail },
} as const;
