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

export const matchingEvents = {
  ReceiptMatched: { source: EVENT_SOURCES.matching, detail: receiptMatchedDetail },
  MatchSuggested: { source: EVENT_SOURCES.matching, detail: matchSuggestedDetail },
} as const;
