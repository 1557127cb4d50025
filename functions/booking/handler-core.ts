import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { cardAuthorizationDecidedDetail, cardTransactionPostedDetail } from '../../events/cards.ts';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { expenseApprovedDetail, reimbursementBatchCreatedDetail } from '../../events/expenses.ts';
import { cashOutIncrements } from '../../shared/domain/cards/cash-out.ts';
import type { Expense } from '../../shared/domain/expenses/expense.ts';
import type { AggregateIncrement } from '../../shared/domain/ledger/aggregates.ts';
import { type BookExpenseDeps, bookExpense, bookReimbursements } from '../../shared/domain/ledger/book-expense.ts';
import type { Directory } from '../../shared/ports/directory.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';

const incoming = z.discriminatedUnion('detail-type', [
  eventBridgeEnvelope('ExpenseApproved', expenseApprovedDetail),
  eventBridgeEnvelope('ReimbursementBatchCreated', reimbursementBatchCreatedDetail),
  eventBridgeEnvelope('CardAuthorizationDecided', cardAuthorizationDecidedDetail),
  eventBridgeEnvelope('CardTransactionPosted', cardTransactionPostedDetail),
]);

export interface BookingDeps extends BookExpenseDeps {
  expense(companyId: string, id: string): Promise<Expense | null>;
  receipts: ReceiptRepository;
  directory: Directory;
  /** Adds increments to the maintained reports once per `sourceId`. */
  addToReports(companyId: string, sourceId: string, increments: AggregateIncrement[]): Promise<void>;
}

/**
 * ExpenseApproved → a numbered, balanced journal entry, queued for the accounting system; reimbursement batches →
 * their payments booked; card authorizations and transactions → the weekly cash-out report.
 */
export const makeHandler = (deps: BookingDeps, logger: Pick<Logger, 'info' | 'warn'>) => async (event: unknown) => {
  const e = incoming.parse(event);
  if (e['detail-type'] === 'CardAuthorizationDecided' || e['detail-type'] === 'CardTransactionPosted') {
    const increments =
      e['detail-type'] === 'CardAuthorizationDecided'
        ? cashOutIncrements({ type: e['detail-type'], detail: e.detail })
        : cashOutIncrements({ type: e['detail-type'], detail: e.detail });
    const sourceId = `${e['detail-type']}#${e.detail.processor}#${e.detail.eventId}`;
    if (increments.length) await deps.addToReports(e.detail.companyId, sourceId, increments);
    return { cashOut: increments.length };
  }
  if (e['detail-type'] === 'ReimbursementBatchCreated') {
    const entries = await bookReimbursements(deps, e.detail);
    logger.info('reimbursements booked', { fileId: e.detail.fileId, entries: entries.map((x) => x.ecritureNum) });
    return { entries: entries.map((x) => x.id) };
  }
  const { detail } = e;
  const expense = await deps.expense(detail.companyId, detail.expenseId);
  if (!expense) {
    logger.warn('approved expense not found', { ...detail });
    return { skipped: 'not found' };
  }
  const receiptId = expense.receiptIds[0];
  const [employee, receipt] = await Promise.all([
    deps.directory.user(expense.companyId, expense.employeeId),
    receiptId ? deps.receipts.get(expense.companyId, receiptId) : Promise.resolve(null),
  ]);
  const entry = await bookExpense(deps, expense, {
    employeeName: employee?.displayName ?? expense.employeeId,
    receipt: receipt ? { id: receipt.id, sha256: receipt.document.sha256 } : null,
    cardProgramme: expense.cardTransactionIds[0]?.split(':')[0] ?? null,
  });
  logger.info('expense booked', { expenseId: expense.id, entryId: entry.id, ecritureNum: entry.ecritureNum });
  return { entryId: entry.id, ecritureNum: entry.ecritureNum };
};
