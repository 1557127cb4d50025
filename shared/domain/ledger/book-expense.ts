import type { ReimbursementBatchCreatedDetail } from '../../../events/expenses.ts';
import type { JournalStore } from '../../ports/accounting.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { Expense } from '../expenses/expense.ts';
import { formatMoney, parseMoney } from '../money.ts';
import type { EntryTags } from './aggregates.ts';
import { buildExpenseEntry, buildRefundEntry, buildReimbursementEntry } from './build-entry.ts';
import { type CardRefund, refundOfPurchase } from './card-refund.ts';
import { defaultLedgerSettings, type LedgerSettings } from './chart.ts';
import { entryToJson } from './entry-json.ts';
import { approvedExpenseFor } from './from-expense.ts';
import { type DraftEntry, entryTotals, type PostedEntry } from './model.ts';
import { postDraft } from './post-entry.ts';

export interface BookExpenseDeps {
  journal: JournalStore;
  events: EventPublisher;
  /** Sends the posted entry to the accounting queue (SQS FIFO: group = company, deduplication = entry id). */
  enqueue(entry: PostedEntry): Promise<void>;
  /** Adds the entry to the maintained report aggregates, once per entry (idempotent). */
  aggregate(entry: PostedEntry, tags: EntryTags): Promise<void>;
  /** The company's ledger settings in its currency (entities' account overrides included); defaults if absent. */
  ledgerSettings?(companyId: string, currency: string): Promise<LedgerSettings>;
  now: () => Date;
}

/**
 * Posts a draft once (a re-run finds it posted), adds it to the report aggregates, queues it for the accounting
 * system (the FIFO queue deduplicates by entry id) and announces it.
 */
const postQueueAnnounce = async (deps: BookExpenseDeps, draft: DraftEntry, tags: EntryTags): Promise<PostedEntry> => {
  const existing = await deps.journal.get(draft.companyId, draft.id);
  let posted: PostedEntry;
  if (existing?.status === 'posted') {
    posted = existing;
  } else {
    await deps.journal.saveDraft(draft);
    posted = await postDraft({ store: deps.journal, now: deps.now }, draft);
  }
  await deps.aggregate(posted, tags);
  await deps.enqueue(posted);
  const totals = entryTotals(posted);
  await deps.events.publish([
    {
      name: 'JournalEntryCreated',
      detail: {
        companyId: posted.companyId,
        entryId: posted.id,
        journal: posted.journal,
        fiscalYear: posted.fiscalYear,
        number: posted.number,
        ecritureNum: posted.ecritureNum,
        date: posted.date,
        source: entryToJson(posted).source,
        pieceRef: posted.piece.ref,
        documentSha256: posted.piece.documentSha256,
        total: formatMoney(totals.debit),
        currency: posted.currency.companyCurrency,
        reversalOf: posted.reversalOf,
        createdAt: deps.now().toISOString(),
      },
    },
  ]);
  return posted;
};

/**
 * An approved expense becomes a balanced journal entry (French VAT rules per line), numbered without gaps in its
 * journal and fiscal year, then queued for the company's accounting system. Idempotent: the entry id derives from the
 * expense.
 */
export const bookExpense = async (
  deps: BookExpenseDeps,
  expense: Expense,
  context: { employeeName: string; receipt: { id: string; sha256: string } | null; cardProgramme: string | null },
): Promise<PostedEntry> => {
  const settings =
    (await deps.ledgerSettings?.(expense.companyId, expense.amount.currency)) ??
    defaultLedgerSettings(expense.amount.currency);
  const { entry: draft } = buildExpenseEntry(approvedExpenseFor(expense, context), settings);
  return postQueueAnnounce(deps, draft, {
    employeeId: expense.employeeId,
    category: expense.category?.category ?? null,
  });
};

/**
 * A card refund linked to its purchase (no credit note of its own): the purchase expense's share given back, every
 * side swapped (expense and VAT credited, card clearing debited), posted, queued and announced like any entry.
 * Idempotent: the entry id derives from the refund.
 */
export const bookCardRefund = async (
  deps: BookExpenseDeps,
  expense: Expense,
  refund: CardRefund,
  context: { employeeName: string; receipt: { id: string; sha256: string } | null; cardProgramme: string | null },
): Promise<PostedEntry> => {
  const settings =
    (await deps.ledgerSettings?.(expense.companyId, expense.amount.currency)) ??
    defaultLedgerSettings(expense.amount.currency);
  const { entry: draft } = buildRefundEntry(refundOfPurchase(approvedExpenseFor(expense, context), refund), settings);
  return postQueueAnnounce(deps, draft, {
    employeeId: expense.employeeId,
    category: expense.category?.category ?? null,
  });
};

/** A SEPA reimbursement batch was issued: each payment is booked (employee payable 421 → bank 512), queued. */
export const bookReimbursements = async (
  deps: BookExpenseDeps,
  batch: ReimbursementBatchCreatedDetail,
): Promise<PostedEntry[]> => {
  const settings = defaultLedgerSettings(batch.transfers[0]?.amount.currency ?? 'EUR');
  const out: PostedEntry[] = [];
  for (const t of batch.transfers) {
    const draft = buildReimbursementEntry(
      {
        companyId: batch.companyId,
        entityId: null,
        paymentId: `${batch.fileId}-${t.expenseId}`,
        employee: { id: t.employeeId, name: t.employeeName },
        amount: parseMoney(t.amount.amount, t.amount.currency),
        bookingDate: batch.executionDate,
        piece: { ref: t.expenseId, kind: 'reimbursement', date: batch.executionDate, documentSha256: null },
      },
      settings,
    );
    out.push(await postQueueAnnounce(deps, draft, { employeeId: t.employeeId }));
  }
  return out;
};
