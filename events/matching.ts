import { z } from 'zod';
import { EVENT_SOURCES } from './envelope.ts';

/** A receipt was linked to a card transaction (automatically above the threshold, or by a person). */
export const receiptMatchedDetail = z.object({
  companyId: z.string(),
  receiptId: z.string(),
  transactionId: z.string(),
  employeeId: z.string().nullable(),
  score: z.number().min(0).max(1),
  reasons: z.array(z.string()),
  by: z.string(),
  matchedAt: z.iso.datetime(),
  /**
   * Present when the link is one decision over several items (one receipt ↔ split charges or a hotel deposit +
   * final; several receipts ↔ one charge): one ReceiptMatched is published per pair, each carrying the whole.
   */
  group: z
    .object({
      shape: z.enum(['receipt-to-many', 'many-to-transaction']),
      receiptIds: z.array(z.string()).min(1),
      transactionIds: z.array(z.string()).min(1),
    })
    .optional(),
});
export type ReceiptMatchedDetail = z.infer<typeof receiptMatchedDetail>;

/** Candidates below the auto-link threshold, ranked, for a person to accept. */
export const matchSuggestedDetail = z.object({
  companyId: z.string(),
  receiptId: z.string(),
  employeeId: z.string().nullable(),
  suggestions: z.array(
    z.object({
      transactionId: z.string(),
      score: z.number(),
      reasons: z.array(z.string()),
      /** A sum suggestion: all its transactions (one receipt ↔ several charges). */
      transactionIds: z.array(z.string()).optional(),
      /** A sum suggestion: all its receipts (several receipts ↔ one charge). */
      receiptIds: z.array(z.string()).optional(),
    }),
  ),
  suggestedAt: z.iso.datetime(),
});
export type MatchSuggestedDetail = z.infer<typeof matchSuggestedDetail>;

/**
 * A refund was linked to the purchase it reverses (a refund without a receipt of its own: the purchase's receipt is
 * its evidence). Partial refunds of one purchase never add up to more than it.
 */
export const refundMatchedDetail = z.object({
  companyId: z.string(),
  employeeId: z.string(),
  refundTransactionId: z.string(),
  purchaseTransactionId: z.string(),
  /** The refund, card currency, negative. */
  amount: z.object({ amount: z.string().regex(/^-\d+(\.\d+)?$/), currency: z.string().regex(/^[A-Z]{3}$/) }),
  score: z.number().min(0).max(1),
  reasons: z.array(z.string()),
  by: z.string(),
  matchedAt: z.iso.datetime(),
});
export type RefundMatchedDetail = z.infer<typeof refundMatchedDetail>;

export const matchingEvents = {
  ReceiptMatched: { source: EVENT_SOURCES.matching, detail: receiptMatchedDetail },
  MatchSuggested: { source: EVENT_SOURCES.matching, detail: matchSuggestedDetail },
  RefundMatched: { source: EVENT_SOURCES.matching, detail: refundMatchedDetail },
} as const;
