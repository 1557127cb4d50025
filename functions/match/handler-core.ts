import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { cardTransactionPostedDetail } from '../../events/cards.ts';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { receiptExtractedDetail } from '../../events/receipts.ts';
import {
  authorizationSlotId,
  matchReceipt,
  matchTransaction,
  type OnlineMatchDeps,
} from '../../shared/domain/matching/online.ts';
import { parseMoney } from '../../shared/domain/money.ts';

const incoming = z.discriminatedUnion('detail-type', [
  eventBridgeEnvelope('ReceiptExtracted', receiptExtractedDetail),
  eventBridgeEnvelope('CardTransactionPosted', cardTransactionPostedDetail),
]);

/**
 * ReceiptExtracted or CardTransactionPosted → online matching (either arrival order ends in the same link). Approved
 * authorizations become receipt slots through the card-activity queue (functions/card-activity).
 */
export const makeHandler = (deps: OnlineMatchDeps, logger: Pick<Logger, 'info'>) => async (event: unknown) => {
  const e = incoming.parse(event);
  if (e['detail-type'] === 'ReceiptExtracted') {
    const result = await matchReceipt(deps, {
      companyId: e.detail.companyId,
      receiptId: e.detail.receiptId,
      hint: { employeeId: e.detail.employeeId, date: e.detail.extraction.date ?? null },
    });
    logger.info('receipt matching', { receiptId: e.detail.receiptId, ...result });
    return result;
  }
  const d = e.detail;
  if (!d.employeeId) {
    logger.info('transaction on an unassigned card: nobody to match for', { transactionId: d.transactionId });
    return { skipped: 'unassigned card' };
  }
  const result = await matchTransaction(deps, {
    companyId: d.companyId,
    id: `${d.processor}:${d.transactionId}`,
    employeeId: d.employeeId,
    merchantName: d.merchant.name,
    mcc: d.merchant.mcc ?? '',
    amount: parseMoney(d.amount.amount, d.amount.currency),
    merchantAmount: parseMoney(d.merchantAmount.amount, d.merchantAmount.currency),
    authorizedAt: d.authorizedAt ?? d.postedAt,
    postedAt: d.postedAt,
    cardLast4: d.cardLast4,
    receiptId: null,
    authorizationId: d.authorizationId ? authorizationSlotId(d.processor, d.authorizationId) : null,
  });
  logger.info('transaction matching', { transactionId: d.transactionId, ...result });
  return result;
};
