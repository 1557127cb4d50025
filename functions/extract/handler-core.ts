import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { receiptReceivedDetail } from '../../events/receipts.ts';
import { type ExtractReceiptDeps, extractReceipt } from '../../shared/domain/receipts/extract-receipt.ts';

const message = eventBridgeEnvelope('ReceiptReceived', receiptReceivedDetail);

/**
 * SQS (ReceiptReceived events routed by an EventBridge rule) → extraction, one record at a time, with partial
 * batch failures: a record that throws stays on the queue, is retried, and reaches the DLQ after the queue's
 * maxReceiveCount. A malformed message is not retried forever: it is logged and goes to the DLQ.
 */
export const makeHandler = (deps: ExtractReceiptDeps, logger: Pick<Logger, 'info' | 'warn' | 'error'>) => {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (r: SQSRecord) => {
    const event = message.parse(JSON.parse(r.body));
    const attempt = Number(r.attributes.ApproximateReceiveCount ?? '1');
    const result = await extractReceipt(deps, {
      companyId: event.detail.companyId,
      receiptId: event.detail.receiptId,
      attempt,
    });
    logger.info('receipt extraction', { receiptId: event.detail.receiptId, result, attempt });
  };
  return (event: SQSEvent) => processPartialResponse(event, record, processor);
};
