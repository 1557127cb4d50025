import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { eventCatalogue } from '../../events/index.ts';
import type { WebhookDeliveryMessage } from '../../events/webhooks.ts';
import { listensTo, type WebhookEndpoint } from '../../shared/domain/webhooks/endpoints.ts';
import { toWebhookEvent } from '../../shared/domain/webhooks/events.ts';

export interface FanoutDeps {
  /** The company's endpoints (all of them; the fan-out filters). */
  endpoints(companyId: string): Promise<WebhookEndpoint[]>;
  /** Puts the messages on the webhook deliveries queue; throws unless all were accepted. */
  enqueue(messages: readonly WebhookDeliveryMessage[]): Promise<void>;
}

const parseEnvelope = (body: string) => {
  const raw = JSON.parse(body) as { id?: unknown; 'detail-type'?: unknown; time?: unknown; detail?: unknown };
  const name = String(raw['detail-type']);
  const spec = (eventCatalogue as Record<string, { detail: { parse(x: unknown): unknown } }>)[name];
  if (!spec || typeof raw.id !== 'string' || typeof raw.time !== 'string') {
    throw new Error(`not an event of the catalogue: ${name}`);
  }
  return { id: raw.id, 'detail-type': name, time: raw.time, detail: spec.detail.parse(raw.detail) };
};

/**
 * The webhook events queue (EventBridge → SQS, the exposed internal events) → one delivery message per endpoint of
 * the event's company that listens to its public type. Sending the same event twice is harmless: the delivery
 * consumer sends at most once per endpoint and event. A record that fails stays on the queue (partial batch
 * failure) and reaches the DLQ after the queue's maxReceiveCount.
 */
export const makeHandler =
  (deps: FanoutDeps, logger: Pick<Logger, 'info' | 'warn' | 'error'>) => async (event: SQSEvent) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    const endpointsOf = new Map<string, Promise<WebhookEndpoint[]>>();
    for (const record of event.Records) {
      try {
        const mapped = toWebhookEvent(parseEnvelope(record.body));
        if (!mapped) continue;
        let endpoints = endpointsOf.get(mapped.companyId);
        if (!endpoints) {
          endpoints = deps.endpoints(mapped.companyId);
          endpointsOf.set(mapped.companyId, endpoints);
        }
        const targets = (await endpoints).filter((e) => listensTo(e, mapped.event.type));
        if (targets.length) {
          await deps.enqueue(
            targets.map((e) => ({ companyId: mapped.companyId, endpointId: e.id, event: mapped.event })),
          );
        }
        logger.info('webhook fan-out', {
          eventId: mapped.event.id,
          type: mapped.event.type,
          endpoints: targets.length,
        });
      } catch (error) {
        logger.warn('webhook fan-out failed', { messageId: record.messageId, error: (error as Error).message });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
