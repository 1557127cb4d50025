import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { expenseApprovedDetail, reimbursementBatchCreatedDetail } from '../../events/expenses.ts';
import type { Expense } from '../../shared/domain/expenses/expense.ts';
import { type BookExpenseDeps, bookExpense, bookReimbursements } from '../../shared/domain/ledger/book-expense.ts';
import type { Directory } from '../../shared/ports/directory.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';

const incoming = z.discriminatedUnion('detail-type', [
  eventBridgeEnvelope('ExpenseApproved', expenseApprovedDetail),
  eventBridgeEnvelope('ReimbursementBatchCreated', reimbursementBatchCreatedDetail),
]);

export interface BookingDeps extends BookExpenseDeps {
  expense(companyId: string, id: string): Promise<Expense | null>;
  receipts: ReceiptRepository;
  directory: Directory;
}

/**
 * ExpenseApproved → a numbered, balanced journal entry, queued for the accounting system; reimbursement batches →
 * their payments booked.
 */
export const makeHandler = (deps: BookingDeps, logger: Pick<Logger, 'info' | 'warn'>) => async (event: unknown) => {
  const e = incoming.parse(event);
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
