import { z } from 'zod';
import { receiptJsonSchema } from '../shared/domain/extraction/model.ts';
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
  receivedAt: z.iso.datetime(),
});
export type ReceiptReceivedDetail = z.infer<typeof receiptReceivedDetail>;
export const receiptReceivedEvent = eventBridgeEnvelope('ReceiptReceived', receiptReceivedDetail);

/** The receipt's data was read from its document. */
export const receiptExtractedDetail = z.object({
  companyId: z.string(),
  receiptId: z.string(),
  employeeId: z.string().nullable(),
  extraction: receiptJsonSchema,
  possibleDuplicateOf: z.string().nullable(),
  extractedAt: z.iso.datetime(),
});
export type ReceiptExtractedDetail = z.infer<typeof receiptExtractedDetail>;

/** Extraction gave up: the reason is on the receipt; an admin can retry. */
export const receiptExtractionFailedDetail = z.object({
  companyId: z.string(),
  receiptId: z.string(),
  employeeId: z.string().nullable(),
  code: z.string(),
  reason: z.string(),
  failedAt: z.iso.datetime(),
});
export type ReceiptExtractionFailedDetail = z.infer<typeof receiptExtractionFailedDetail>;

/** Inbound mail that could not be turned into someone's receipt: kept, with its reason, for admins. */
export const receiptQuarantinedDetail = z.object({
  companyId: z.string().nullable(),
  mailId: z.string(),
  reason: z.string(),
  from: z.string().nullable(),
  rawObject: z.object({ bucket: z.string(), key: z.string() }),
  quarantinedAt: z.iso.datetime(),
});
export type ReceiptQuarantinedDetail = z.infer<typeof receiptQuarantinedDetail>;
export const receiptQuarantinedEvent = eventBridgeEnvelope('ReceiptQuarantined', receiptQuarantinedDetail);

/** Every event this module defines: detail-type → detail schema. Samples live in events/samples/. */
export const receiptEvents = {
  ReceiptReceived: { source: EVENT_SOURCES.receipts, detail: receiptReceivedDetail },
  ReceiptExtracted: { source: EVENT_SOURCES.receipts, detail: receiptExtractedDetail },
  ReceiptExtractionFailed: { source: EVENT_SOURCES.receipts, detail: receiptExtractionFailedDetail },
  ReceiptQuarantined: { source: EVENT_SOURCES.receipts, detail: receiptQuarantinedDetail },
} as const;
