import type { EventDetail, EventName } from '../../events/index.ts';

export interface DomainEvent<N extends EventName = EventName> {
  name: N;
  detail: EventDetail<N>;
}

/** Publishes domain events to the bus (EventBridge in AWS, the local bus locally). */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
