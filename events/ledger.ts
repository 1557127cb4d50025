import { z } from 'zod';
import { journalEntryJsonSchema } from '../shared/domain/ledger/entry-json.ts';
import { EVENT_SOURCES } from './envelope.ts';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/);
const currency = z.string().regex(/^[A-Z]{3}$/);

/** A journal entry was written to the ledger (validated and numbered in the same transaction, or still a draft). */
export const journalEntryCreatedDetail = z.object({
  companyId: z.string(),
  entryId: z.string(),
  journal: z.string(),
  fiscalYear: z.string(),
  /** Null while a draft. */
  number: z.number().int().positive().nullable(),
  ecritureNum: z.string().nullable(),
  date: z.iso.date(),
  source: journalEntryJsonSchema.shape.source,
  pieceRef: z.string(),
  documentSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  /** Total debit (= total credit), company currency. */
  total: decimal,
  currency,
  reversalOf: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type JournalEntryCreatedDetail = z.infer<typeof journalEntryCreatedDetail>;

/** The company's accounting system accepted the entry (pushed once, whatever the retries). */
export const journalEntryPostedDetail = z.object({
  companyId: z.string(),
  entryId: z.string(),
  ecritureNum: z.string(),
  connector: z.string(),
  externalId: z.string(),
  total: decimal,
  currency,
  postedAt: z.iso.datetime(),
});
export type JournalEntryPostedDetail = z.infer<typeof journalEntryPostedDetail>;

/**
 * The accounting queue's message (SQS FIFO: MessageGroupId = companyId, MessageDeduplicationId = entryId): the posted
 * entry in its wire form, so the consumer needs no read before pushing.
 */
export const accountingPushMessage = z.object({
  companyId: z.string(),
  entryId: z.string(),
  entry: journalEntryJsonSchema,
});
export type AccountingPushMessage = z.infer<typeof accountingPushMessage>;

/** Every event this module defines: detail-type → detail schema. Samples live in events/samples/. */
export const ledgerEvents = {
  JournalEntryCreated: { source: EVENT_SOURCES.ledger, detail: journalEntryCreatedDetail },
  JournalEntryPosted: { source: EVENT_SOURCES.ledger, detail: journalEntryPostedDetail },
} as const;
