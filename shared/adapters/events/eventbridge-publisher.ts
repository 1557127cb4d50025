import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventCatalogue } from '../../../events/index.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';

/** PutEvents accepts at most 10 entries a call. */
const BATCH = 10;

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

export const makeEventBridgePublisher = (client: EventBridgeClient, busName: string): EventPublisher => ({
  async publish(events) {
    for (let i = 0; i < events.length; i += BATCH) {
      const entries = events.slice(i, i + BATCH).map((e) => {
        const spec = eventCatalogue[e.name];
        // Validate on the way out: a malformed event is a bug here, not the consumer's problem.
        const detail = spec.detail.parse(e.detail);
        return { EventBusName: busName, Source: spec.source, DetailType: e.name, Detail: JSON.stringify(detail) };
      });
      const res = await client.send(new PutEventsCommand({ Entries: entries }));
      if (res.FailedEntryCount) {
        const failed = (res.Entries ?? []).filter((x) => x.ErrorCode).map((x) => `${x.ErrorCode}: ${x.ErrorMessage}`);
        throw new EventPublishError(`PutEvents failed for ${res.FailedEntryCount} entries: ${failed.join('; ')}`);
      }
    }
  },
});
