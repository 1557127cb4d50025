import { z } from 'zod';
import { EVENT_SOURCES, eventBridgeEnvelope } from './envelope.ts';

const money = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/), currency: z.string().regex(/^[A-Z]{3}$/) });
const expenseType = z.enum(['card', 'out-of-pocket', 'mileage', 'per-diem']);

/** What every expense event says about the expense. */
const expenseRef = {
  companyId: z.string(),
  expenseId: z.string(),
  employeeId: z.string(),
  type: expenseType,
  amount: money,
  category: z.string().nullable(),
  /** The expense version after the change: consumers ignore an event older than what they have. */
  version: z.number().int().positive(),
};

/** The employee submitted the expense (or it was submitted automatically: a card expense with receipt and category). */
export const expenseSubmittedDetail = z.object({
  ...expenseRef,
  submittedBy: z.string(),
  auto: z.boolean(),
  violations: z.array(z.object({ code: z.string(), severity: z.enum(['warn', 'block']) })),
  submittedAt: z.iso.datetime(),
});
export type ExpenseSubmittedDetail = z.infer<typeof expenseSubmittedDetail>;
export const expenseSubmittedEvent = eventBridgeEnvelope('ExpenseSubmitted', expenseSubmittedDetail);

/** A step of the approval chain waits for these approvers (the first step, or the next one). */
export const expenseApprovalRequestedDetail = z.object({
  ...expenseRef,
  step: z.number().int().nonnegative(),
  stepName: z.string(),
  mode: z.enum(['any', 'all']),
  approverIds: z.array(z.string()).min(1),
  /** The approval version a decision must name (optimistic concurrency, signed links). */
  approvalVersion: z.number().int().nonnegative(),
  requestedAt: z.iso.datetime(),
});
export type ExpenseApprovalRequestedDetail = z.infer<typeof expenseApprovalRequestedDetail>;

/** Finally approved: by the whole chain, or automatically (compliant and under the threshold). */
export const expenseApprovedDetail = z.object({
  ...expenseRef,
  auto: z.boolean(),
  /** Who decided, step by step (empty when automatic). */
  approvedBy: z.array(z.object({ step: z.number().int().nonnegative(), approverId: z.string(), actorId: z.string() })),
  reimbursable: z.boolean(),
  approvedAt: z.iso.datetime(),
});
export type ExpenseApprovedDetail = z.infer<typeof expenseApprovedDetail>;
export const expenseApprovedEvent = eventBridgeEnvelope('ExpenseApproved', expenseApprovedDetail);

/** Rejected by an approver, with the reason the employee reads. */
export const expenseRejectedDetail = z.object({
  ...expenseRef,
  rejectedBy: z.string(),
  /** Set when a delegate rejected for an absent approver. */
  onBehalfOf: z.string().nullable(),
  reason: z.string().min(1),
  rejectedAt: z.iso.datetime(),
});
export type ExpenseRejectedDetail = z.infer<typeof expenseRejectedDetail>;

/** Back to DRAFT: the employee edits a rejected expense, or withdraws one under approval. */
export const expenseReopenedDetail = z.object({
  ...expenseRef,
  from: z.enum(['SUBMITTED', 'PENDING_APPROVAL', 'REJECTED']),
  reopenedBy: z.string(),
  reopenedAt: z.iso.datetime(),
});
export type ExpenseReopenedDetail = z.infer<typeof expenseReopenedDetail>;

/** Accounted: the journal entry that books it. */
export const expenseBookedDetail = z.object({
  ...expenseRef,
  journalEntryId: z.string(),
  bookedAt: z.iso.datetime(),
});
export type ExpenseBookedDetail = z.infer<typeof expenseBookedDetail>;

/** Approved out-of-pocket expenses paid back in one SEPA transfer file: each payment gets its bank entry. */
export const reimbursementBatchCreatedDetail = z.object({
  companyId: z.string(),
  fileId: z.string(),
  executionDate: z.iso.date(),
  transfers: z
    .array(z.object({ expenseId: z.string(), employeeId: z.string(), employeeName: z.string(), amount: money }))
    .min(1),
  createdAt: z.iso.datetime(),
});
export type ReimbursementBatchCreatedDetail = z.infer<typeof reimbursementBatchCreatedDetail>;

/** Every event this module defines: detail-type → detail schema. Samples live in events/samples/. */
export const expenseEvents = {
  ReimbursementBatchCreated: { source: EVENT_SOURCES.expenses, detail: reimbursementBatchCreatedDetail },
  ExpenseSubmitted: { source: EVENT_SOURCES.expenses, detail: expenseSubmittedDetail },
  ExpenseApprovalRequested: { source: EVENT_SOURCES.expenses, detail: expenseApprovalRequestedDetail },
  ExpenseApproved: { source: EVENT_SOURCES.expenses, detail: expenseApprovedDetail },
  ExpenseRejected: { source: EVENT_SOURCES.expenses, detail: expenseRejectedDetail },
  ExpenseReopened: { source: EVENT_SOURCES.expenses, detail: expenseReopenedDetail },
  ExpenseBooked: { source: EVENT_SOURCES.expenses, detail: expenseBookedDetail },
} as const;

export type ExpenseEventName = keyof typeof expenseEvents;
export type ExpenseEventDetail<N extends ExpenseEventName> = z.infer<(typeof expenseEvents)[N]['detail']>;
/** An expense event as the domain produces it (the EventPublisher port takes this shape). */
export type ExpenseDomainEvent = {
  [N in ExpenseEventName]: { name: N; detail: ExpenseEventDetail<N> };
}[ExpenseEventName];
