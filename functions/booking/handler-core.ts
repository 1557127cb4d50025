import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { expenseApprovedDetail, reimbursementBatchCreatedDetail } from '../../events/expenses.ts';
import { refundMatchedDetail } from '../../events/matching.ts';
import type { Expense } from '../../shared/domain/expenses/expense.ts';
import { cardExpenseId } from '../../shared/domain/expenses/workflow.ts';
import {
  type BookExpenseDeps,
  bookCardRefund,
  bookExpense,
  bookReimbursements,
} from '../../shared/domain/ledger/book-expense.ts';
import { entryIdFor } from '../../shared/domain/ledger/build-entry.ts';
import { money } from '../../shared/domain/money.ts';
import type { Directory } from '../../shared/ports/directory.ts';
import type { MatchStore } from '../../shared/ports/match-store.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';

const incoming = z.discriminatedUnion('detail-type', [
  eventBridgeEnvelope('ExpenseApproved', expenseApprovedDetail),
  eventBridgeEnvelope('ReimbursementBatchCreated', reimbursementBatchCreatedDetail),
  eventBridgeEnvelope('RefundMatched', refundMatchedDetail),
]);

export interface BookingDeps extends BookExpenseDeps {
  expense(companyId: string, id: string): Promise<Expense | null>;
  receipts: ReceiptRepository;
  directory: Directory;
  /** Card transactions as matching recorded them (a purchase's receipt and refunds). */
  matches: Pick<MatchStore, 'transaction' | 'receipt'>;
  sha256(text: string): string;
}

/**
 * ExpenseApproved → a numbered, balanced journal entry, queued for the accounting system; reimbursement batches →
 * their payments booked; a card refund linked to its purchase (RefundMatched) → its share of the purchase given
 * back, once the purchase is booked (a refund linked earlier is booked right after its purchase).
 */
export const makeHandler = (deps: BookingDeps, logger: Pick<Logger, 'info' | 'warn'>) => async (event: unknown) => {
  const e = incoming.parse(event);
  if (e['detail-type'] === 'ReimbursementBatchCreated') {
    const entries = await bookReimbursements(deps, e.detail);
    logger.info('reimbursements booked', { fileId: e.detail.fileId, entries: entries.map((x) => x.ecritureNum) });
    return { entries: entries.map((x) => x.id) };
  }
  if (e['detail-type'] === 'RefundMatched') {
    const d = e.detail;
    const expense = await purchaseExpense(deps, d.companyId, d.purchaseTransactionId);
    const booked = expense
      ? await deps.journal.get(d.companyId, entryIdFor({ kind: 'expense', id: expense.id }))
      : null;
    if (!expense || booked?.status !== 'posted') {
      logger.info('refund waits for its purchase to be booked', { ...d });
      return { skipped: 'the purchase is not booked yet: its refunds are booked with it' };
    }
    const entries = await bookRefundsOf(deps, expense, [d.refundTransactionId]);
    logger.info('card refund booked', { refund: d.refundTransactionId, entries });
    return { entries };
  }
  const { detail } = e;
  const expense = await deps.expense(detail.companyId, detail.expenseId);
  if (!expense) {
    logger.warn('approved expense not found', { ...detail });
    return { skipped: 'not found' };
  }
  const entry = await bookExpense(deps, expense, await bookingContext(deps, expense));
  logger.info('expense booked', { expenseId: expense.id, entryId: entry.id, ecritureNum: entry.ecritureNum });
  // Refunds linked to its card payments before it was booked are booked now.
  const refunds = (
    await Promise.all(expense.cardTransactionIds.map((id) => deps.matches.transaction(expense.companyId, id)))
  ).flatMap((t) => t?.refundIds ?? []);
  const refundEntries = refunds.length > 0 ? await bookRefundsOf(deps, expense, refunds) : [];
  return { entryId: entry.id, ecritureNum: entry.ecritureNum, ...(refunds.length ? { refundEntries } : {}) };
};

const bookingContext = async (deps: BookingDeps, expense: Expense) => {
  const receiptId = expense.receiptIds[0];
  const [employee, receipt] = await Promise.all([
    deps.directory.user(expense.companyId, expense.employeeId),
    receiptId ? deps.receipts.get(expense.companyId, receiptId) : Promise.resolve(null),
  ]);
  return {
    employeeName: employee?.displayName ?? expense.employeeId,
    receipt: receipt ? { id: receipt.id, sha256: receipt.document.sha256 } : null,
    cardProgramme: expense.cardTransactionIds[0]?.split(':')[0] ?? null,
  };
};

/** The card expense a purchase opened (as the expense intake derived its id: the transaction and the spend date). */
/**
 * The card expense a purchase belongs to. A sum (a split shipment, receipts paid in one charge) is one expense,
 * opened by the decision's first pair: its first transaction and first receipt, whichever part was refunded.
 */
const purchaseExpense = async (deps: BookingDeps, companyId: string, transactionId: string) => {
  const purchase = await deps.matches.transaction(companyId, transactionId);
  if (!purchase?.receiptId) return null;
  const link = (await deps.matches.receipt(companyId, purchase.receiptId))?.link;
  const firstTransactionId = link?.transactionIds?.[0] ?? transactionId;
  const [receipt, first] = await Promise.all([
    deps.receipts.get(companyId, link?.receiptIds?.[0] ?? purchase.receiptId),
    firstTransactionId === transactionId ? purchase : deps.matches.transaction(companyId, firstTransactionId),
  ]);
  const spentOn = receipt?.extraction?.date ?? (first ?? purchase).authorizedAt.slice(0, 10);
  return deps.expense(companyId, cardExpenseId({ companyId, transactionId: firstTransactionId, spentOn }, deps.sha256));
};

/** Books each refund (posted once: a redelivery finds its entry) as its share of the expense. */
const bookRefundsOf = async (deps: BookingDeps, expense: Expense, refundIds: readonly string[]) => {
  const context = await bookingContext(deps, expense);
  const ids: string[] = [];
  for (const id of refundIds) {
    const refund = await deps.matches.transaction(expense.companyId, id);
    if (!refund || refund.amount.minor >= 0n) continue;
    const entry = await bookCardRefund(
      deps,
      expense,
      {
        id,
        amount: money(-refund.amount.minor, refund.amount.currency),
        date: (refund.postedAt ?? refund.authorizedAt).slice(0, 10),
      },
      context,
    );
    ids.push(entry.id);
  }
  return ids;
};
