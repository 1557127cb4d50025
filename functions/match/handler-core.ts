import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { cardAuthorizationDecidedDetail, cardTransactionPostedDetail } from '../../events/cards.ts';
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
  eventBridgeEnvelope('CardAuthorizationDecided', cardAuthorizationDecidedDetail),
]);

/**
 * ReceiptExtracted, CardTransactionPosted or an approved CardAuthorizationDecided → online matching (either arrival
 * order ends in the same link). An approved authorization is a receipt slot: a receipt may take it before the
 * capture, and follows it to the capture.
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
  if (e['detail-type'] === 'CardAuthorizationDecided') {
    const a = e.detail;
    if (!a.approved || !a.employeeId) return { skipped: a.approved ? 'unassigned card' : 'declined' };
    const result = await matchTransaction(deps, {
      companyId: a.companyId,
      id: authorizationSlotId(a.processor, a.authorizationId),
      employeeId: a.employeeId,
      merchantName: a.merchant.name,
      mcc: a.merchant.mcc ?? '',
      amount: parseMoney(a.amount.amount, a.amount.currency),
      merchantAmount: parseMoney(a.merchantAmount.amount, a.merchantAmount.currency),
      authorizedAt: a.requestedAt,
      postedAt: null,
      cardLast4: a.cardLast4,
      receiptId: null,
      pending: true,
      authorizationId: a.authorizationId,
    });
    logger.info('authorization slot', { authorizationId: a.authorizationId, ...result });
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
