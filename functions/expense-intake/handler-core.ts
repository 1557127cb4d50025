import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { journalEntryPostedDetail } from '../../events/ledger.ts';
import { receiptMatchedDetail } from '../../events/matching.ts';
import {
  type ExpenseWorkflowDeps,
  mergeVat,
  openCardExpense,
  runCommand,
  SYSTEM_ACTOR,
  vatFromExtraction,
} from '../../shared/domain/expenses/workflow.ts';
import { addMoney } from '../../shared/domain/money.ts';
import type { MatchStore } from '../../shared/ports/match-store.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';

const incoming = z.discriminatedUnion('detail-type', [
  eventBridgeEnvelope('ReceiptMatched', receiptMatchedDetail),
  eventBridgeEnvelope('JournalEntryPosted', journalEntryPostedDetail),
]);

/** Entries built from an expense carry its id (build-entry.ts: je_expense_<expense id>). */
const EXPENSE_ENTRY = /^je_expense_(.+)$/;

export interface ExpenseIntakeDeps extends ExpenseWorkflowDeps {
  receipts: ReceiptRepository;
  matches: MatchStore;
}

/**
 * ReceiptMatched → the card expense (created once per transaction), categorized, submitted and routed.
 * JournalEntryPosted (the accounting system accepted the expense's entry) → the expense is BOOKED.
 */
export const makeHandler =
  (deps: ExpenseIntakeDeps, logger: Pick<Logger, 'info' | 'warn'>) => async (event: unknown) => {
    const e = incoming.parse(event);
    if (e['detail-type'] === 'JournalEntryPosted') {
      const expenseId = EXPENSE_ENTRY.exec(e.detail.entryId)?.[1];
      const expense = expenseId ? await deps.expenses.get(e.detail.companyId, expenseId) : null;
      if (expense?.status !== 'APPROVED') return { skipped: 'no approved expense for this entry' };
      const booked = await runCommand(deps, expense, { type: 'book', journalEntryId: e.detail.entryId }, SYSTEM_ACTOR);
      logger.info('expense booked', { expenseId: booked.id, entryId: e.detail.entryId });
      return { expenseId: booked.id, status: booked.status };
    }
    const { detail } = e;
    const group = detail.group;
    // A sum is one expense, opened by its first pair; the other pairs' events find it done.
    if (group && (group.receiptIds[0] !== detail.receiptId || group.transactionIds[0] !== detail.transactionId)) {
      return { skipped: 'part of a sum: its expense is opened with the first pair' };
    }
    const receiptIds = group?.receiptIds ?? [detail.receiptId];
    const transactionIds = group?.transactionIds ?? [detail.transactionId];
    const [receipts, txs] = await Promise.all([
      Promise.all(receiptIds.map((id) => deps.receipts.get(detail.companyId, id))),
      Promise.all(transactionIds.map((id) => deps.matches.transaction(detail.companyId, id))),
    ]);
    const [receipt] = receipts;
    const [tx] = txs;
    if (!receipt || !tx || receipts.some((r) => !r) || txs.some((t) => !t)) {
      logger.warn('matched receipt or transaction not found', { ...detail });
      return { skipped: 'not found' };
    }
    const vat = mergeVat(
      receipts.map((r) => (r ? vatFromExtraction(r.id, r.extraction ?? null, tx.amount.currency) : null)),
    );
    const expense = await openCardExpense(deps, {
      companyId: detail.companyId,
      employeeId: tx.employeeId,
      receiptId: receipt.id,
      transactionId: tx.id,
      amount: txs.reduce((sum, t) => (t && t !== tx ? addMoney(sum, t.amount) : sum), tx.amount),
      merchant: { name: tx.merchantName, mcc: tx.mcc || null, country: null, city: null },
      spentOn: receipt.extraction?.date ?? tx.authorizedAt.slice(0, 10),
      vat,
      ...(group ? { transactionIds, receiptIds } : {}),
    });
    logger.info('card expense', { expenseId: expense.id, status: expense.status });
    return { expenseId: expense.id, status: expense.status };
  };
