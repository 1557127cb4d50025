import type { Delivery, DeliveryStatus } from '../domain/webhooks/delivery.ts';
import type { WebhookEndpoint } from '../domain/webhooks/endpoints.ts';

export type { DeliveryLogPort, WebhookSenderPort } from '../domain/webhooks/delivery.ts';

/** A company's webhook endpoints (secrets included: only the API's create/rotate answers and the signer see them). */
export interface WebhookEndpointStore {
  list(companyId: string): Promise<WebhookEndpoint[]>;
  get(companyId: string, endpointId: string): Promise<WebhookEndpoint | null>;
  put(companyId: string, endpoint: WebhookEndpoint): Promise<void>;
  /** False when there was no such endpoint. Its delivery log stays until it expires. */
  delete(companyId: string, endpointId: string): Promise<boolean>;
  /**
   * Disables an enabled endpoint with the reason. True when this call disabled it; false when it was already
   * disabled (the first reason stays) or is gone.
   */
  disable(companyId: string, endpointId: string, reason: string, now: Date): Promise<boolean>;
  /** Records a successful delivery's time (lastDeliveredAt), nothing else. */
  markDelivered(companyId: string, endpointId: string, at: Date): Promise<void>;
}

/** The delivery log as the API reads it: newest event first. */
export interface DeliveryLogReader {
  list(
    companyId: string,
    endpointId: string,
    q: { limit: number; cursor?: string; status?: DeliveryStatus },
  ): Promise<{ items: Delivery[]; nextCursor: string | null }>;
}
