import { z } from 'zod';
import { webhookEventSchema } from '../shared/domain/webhooks/events.ts';

/**
 * The webhook deliveries queue's message: one public event for one endpoint (the fan-out writes one per endpoint
 * listening to the event's type). The event is carried whole, so every retry sends the same bytes.
 */
export const webhookDeliveryMessage = z.object({
  companyId: z.string().min(1),
  endpointId: z.string().min(1),
  event: webhookEventSchema,
});
export type WebhookDeliveryMessage = z.infer<typeof webhookDeliveryMessage>;
