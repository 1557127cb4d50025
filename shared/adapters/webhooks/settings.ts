import { DEFAULT_WEBHOOK_RETRY_POLICY, type WebhookRetryPolicy } from '../../domain/webhooks/delivery.ts';

/**
 * Deployment settings of the webhook functions (topology `settings`, empty in AWS unless given as CDK context):
 *
 * - WEBHOOKS_ALLOW_LOOPBACK_HTTP=true: endpoints may be http://127.0.0.1 / localhost (the local cloud sets it);
 * - WEBHOOK_RETRY_BASE_MS: the first retry's nominal delay (the local cloud's tests shorten it), the rest follows.
 */
export const webhookSettings = (env: NodeJS.ProcessEnv = process.env) => {
  const base = Number(env.WEBHOOK_RETRY_BASE_MS);
  const policy: WebhookRetryPolicy =
    Number.isFinite(base) && base > 0
      ? { ...DEFAULT_WEBHOOK_RETRY_POLICY, baseDelayMs: base }
      : DEFAULT_WEBHOOK_RETRY_POLICY;
  return { allowLoopbackHttp: env.WEBHOOKS_ALLOW_LOOPBACK_HTTP === 'true', policy };
};
