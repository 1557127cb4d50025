/**
 * Webhook endpoints: where a company's finance tools want events, which types, and the secrets deliveries are
 * signed with. A secret is shown once, when created or rotated; after a rotation the previous secret keeps signing
 * alongside the new one for 24 hours, so receivers can switch without missing a delivery.
 */
import { z } from 'zod';
import { type DeliverableEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './events.ts';

export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string;
  /**
   * disabled: by an admin, because the receiver answered 410 Gone, or because no delivery succeeded for
   * AUTO_DISABLE_AFTER_MS (see failingTooLong).
   */
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  secret: string;
  /** The secret before the last rotation, still signing until previousSecretExpiresAt. */
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  createdBy: string;
  /** Set by an administrator's changes (and a disable), not by deliveries. */
  updatedAt: string;
  /** The last 2xx (kept to the hour: refreshed when an hour old). Absent on endpoints older than this field. */
  lastDeliveredAt?: string | null;
}

/** An enabled endpoint that took no delivery for this long, while deliveries kept failing, is disabled. */
export const AUTO_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

/**
 * Whether a delivery that just failed for good should also disable its endpoint: nothing was delivered to it for
 * AUTO_DISABLE_AFTER_MS, counted from its last success or from an administrator's last change (re-enabling it, a new
 * URL), whichever is later, so a re-enabled endpoint gets a fresh period.
 */
export const failingTooLong = (e: WebhookEndpoint, now: Date): boolean => {
  const since = Math.max(Date.parse(e.updatedAt), e.lastDeliveredAt ? Date.parse(e.lastDeliveredAt) : 0);
  return now.getTime() - since >= AUTO_DISABLE_AFTER_MS;
};

const eventList = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((a) => new Set(a).size === a.length, 'each event type once')
  .describe('event types this endpoint receives');

export const endpointInputSchema = z.strictObject({
  url: z.string().min(1).max(2048).describe('https URL of the receiver'),
  events: eventList,
  description: z.string().trim().max(500).default(''),
});
export type EndpointInput = z.infer<typeof endpointInputSchema>;

export const endpointPatchSchema = z
  .strictObject({
    url: z.string().min(1).max(2048).optional(),
    events: eventList.optional(),
    description: z.string().trim().max(500).optional(),
    enabled: z.boolean().optional().describe('false pauses deliveries; true re-enables an endpoint (after a 410)'),
  })
  .refine((p) => Object.keys(p).length > 0, 'change at least one field');
export type EndpointPatch = z.infer<typeof endpointPatchSchema>;

/** An endpoint as the API shows it: never its secrets. */
export const endpointViewSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  description: z.string(),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable(),
  lastDeliveredAt: z.string().nullable().describe('the last successful delivery (to the hour)'),
  previousSecretExpiresAt: z.string().nullable().describe('while set, deliveries carry two signatures'),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type EndpointView = z.infer<typeof endpointViewSchema>;

export const endpointView = (e: WebhookEndpoint, now: Date): EndpointView => ({
  id: e.id,
  url: e.url,
  events: [...e.events],
  description: e.description,
  status: e.status,
  disabledReason: e.disabledReason,
  lastDeliveredAt: e.lastDeliveredAt ?? null,
  previousSecretExpiresAt: previousSecretLive(e, now) ? e.previousSecretExpiresAt : null,
  createdAt: e.createdAt,
  createdBy: e.createdBy,
  updatedAt: e.updatedAt,
});

const previousSecretLive = (e: WebhookEndpoint, now: Date): boolean =>
  e.previousSecret !== null &&
  e.previousSecretExpiresAt !== null &&
  Date.parse(e.previousSecretExpiresAt) > now.getTime();

/** The secrets a delivery is signed with now: the current one, and the previous one during its grace period. */
export const liveSecrets = (e: WebhookEndpoint, now: Date): string[] =>
  previousSecretLive(e, now) && e.previousSecret ? [e.secret, e.previousSecret] : [e.secret];

/** A new current secret; the current one keeps signing for 24 h (a second rotation ends the first one's grace). */
export const rotateSecret = (e: WebhookEndpoint, newSecret: string, now: Date): WebhookEndpoint => ({
  ...e,
  secret: newSecret,
  previousSecret: e.secret,
  previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString(),
  updatedAt: now.toISOString(),
});

/** Does this endpoint get events of this type now? */
/** Whether an event of this type goes to the endpoint by subscription (the test event never does). */
export const listensTo = (e: WebhookEndpoint, type: DeliverableEventType): boolean =>
  e.status === 'enabled' && (e.events as readonly string[]).includes(type);

export const applyPatch = (e: WebhookEndpoint, p: EndpointPatch & { url?: string }, now: Date): WebhookEndpoint => ({
  ...e,
  ...(p.url !== undefined ? { url: p.url } : {}),
  ...(p.events !== undefined ? { events: [...p.events] } : {}),
  ...(p.description !== undefined ? { description: p.description } : {}),
  ...(p.enabled === true ? { status: 'enabled', disabledReason: null } : {}),
  ...(p.enabled === false ? { status: 'disabled', disabledReason: 'disabled by an administrator' } : {}),
  updatedAt: now.toISOString(),
});
