import type { Logger } from '@aws-lambda-powertools/logger';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { receiptMatchedDetail } from '../../events/matching.ts';
import { type ExpenseWorkflowDeps, openCardExpense, vatFromExtraction } from '../../shared/domain/expenses/workflow.ts';
import type { MatchStore } from '../../shared/ports/match-store.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';

const matched = eventBridgeEnvelope('ReceiptMatched', receiptMatchedDetail);

export interface ExpenseIntakeDeps extends ExpenseWorkflowDeps {
  receipts: ReceiptRepository;
  matches: MatchStore;
}

/** ReceiptMatched → the card expense (created once per transaction), categorized, submitted and routed. */
export const makeHandler =
  (deps: ExpenseIntakeDeps, logger: Pick<Logger, 'info' | 'warn'>) => async (event: unknown) => {
    const { detail } = matched.parse(event);
    const [receipt, tx] = await Promise.all([
      deps.receipts.get(detail.companyId, detail.receiptId),
      deps.matches.transaction(detail.companyId, detail.transactionId),
    ]);
    if (!receipt || !tx) {
      logger.warn('matched receipt or transaction not found', { ...detail });
      return { skipped: 'not found' };
    }
    const expense = await openCardExpense(deps, {
      companyId: detail.companyId,
      employeeId: tx.employeeId,
      receiptId: receipt.id,
      transactionId: tx.id,
      amount: tx.amount,
      merchant: { name: tx.merchantName, mcc: tx.mcc || null, country: null, city: null },
      spentOn: receipt.extraction?.date ?? tx.authorizedAt.slice(0, 10),
      vat: vatFromExtraction(receipt.id, receipt.extraction ?? null, tx.amount.currency),
    });
    logger.info('card expense', { expenseId: expense.id, status: expense.status });
    return { expenseId: expense.id, status: expense.status };
  };
