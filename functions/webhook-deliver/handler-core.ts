import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { webhookDeliveryMessage } from '../../events/webhooks.ts';
import { type DeliverDeps, type DeliveryRecord, processDeliveryBatch } from '../../shared/domain/webhooks/delivery.ts';
import { parseJsonBody } from '../../shared/runtime/json-body.ts';

export interface WebhookDeliverDeps extends Omit<DeliverDeps, 'deadLetter' | 'delay'> {
  deadLetter(receiptHandle: string, body: string, reason: string): Promise<void>;
  delay(receiptHandle: string, delayMs: number): Promise<void>;
}

/**
 * The webhook deliveries queue (one message per event and endpoint) → a signed POST to the endpoint, with backoff
 * through the message visibility, partial batch failures, and the DLQ after the last attempt. A malformed message
 * goes straight to the DLQ with its reason. Logs carry ids and outcomes, never secrets or payloads.
 */
export const makeHandler =
  (deps: WebhookDeliverDeps, logger: Pick<Logger, 'info' | 'warn'>) => async (event: SQSEvent) => {
    const handles = new Map<string, { receiptHandle: string; body: string }>();
    const records: DeliveryRecord[] = [];
    for (const r of event.Records) {
      const parsed = parseJsonBody(webhookDeliveryMessage, r.body);
      if (!parsed.success) {
        await deps.deadLetter(r.receiptHandle, r.body, `malformed message: ${parsed.error.message}`);
        continue;
      }
      handles.set(r.messageId, { receiptHandle: r.receiptHandle, body: r.body });
      records.push({
        messageId: r.messageId,
        attempt: Number(r.attributes.ApproximateReceiveCount ?? '1'),
        ...parsed.data,
      });
    }
    const result = await processDeliveryBatch(records, {
      ...deps,
      deadLetter: async (record, reason) => {
        const h = handles.get(record.messageId);
        if (h) await deps.deadLetter(h.receiptHandle, h.body, reason);
      },
      delay: async (record, delayMs) => {
        const h = handles.get(record.messageId);
        if (h) await deps.delay(h.receiptHandle, delayMs);
      },
    });
    for (const o of result.outcomes) {
      if (o.outcome === 'delivered' || o.outcome === 'duplicate') logger.info('webhook delivery', { ...o });
      else logger.warn('webhook delivery', { ...o });
    }
    return { batchItemFailures: result.batchItemFailures };
  };
