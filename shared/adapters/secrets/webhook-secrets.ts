import type { WebhookSecrets } from '../../ports/cards.ts';

/**
 * Webhook secrets from configuration. Each variable holds one secret or several separated by commas (rotation:
 * the new and the old both verify until the old is removed). In AWS the same variables are filled from Secrets
 * Manager by the deployment; locally from the environment (defaults documented in the README).
 *  WEBHOOK_SECRETS_STRIPE        whsec_… (Stripe endpoint signing secrets)
 *  WEBHOOK_SECRETS_LITHIC        whsec_… (Standard Webhooks secrets)
 *  WEBHOOK_CREDENTIALS_MARQETA   user:password (Basic auth)
 *  WEBHOOK_SECRETS_MARQETA       optional HMAC secrets for X-Marqeta-Signature
 */
export const makeEnvWebhookSecrets = (env: NodeJS.ProcessEnv = process.env): WebhookSecrets => {
  const list = (name: string): readonly string[] =>
    (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    stripe: async () => list('WEBHOOK_SECRETS_STRIPE'),
    lithic: async () => list('WEBHOOK_SECRETS_LITHIC'),
    marqeta: async () => ({
      credentials: list('WEBHOOK_CREDENTIALS_MARQETA'),
      signatureSecrets: list('WEBHOOK_SECRETS_MARQETA'),
    }),
  };
};

/**
 * Secrets Manager in AWS: WEBHOOK_SECRET_ARN_<PROCESSOR> names the secret, whose value is a JSON array of secrets
 * (or, for Marqeta, {"credentials": [...], "signatureSecrets": [...]}), or a comma-separated string. Values are
 * cached for a minute, so a rotation (add the new secret, later remove the old) needs no deployment.
 */
export const makeSecretsManagerWebhookSecrets = (
  read: (secretId: string) => Promise<string>,
  env: NodeJS.ProcessEnv = process.env,
  cacheMs = 60_000,
): WebhookSecrets => {
  const cache = new Map<string, { at: number; value: unknown }>();
  const load = async (processor: string): Promise<unknown> => {
    const arn = env[`WEBHOOK_SECRET_ARN_${processor.toUpperCase()}`];
    if (!arn) return [];
    const hit = cache.get(arn);
    if (hit && Date.now() - hit.at < cacheMs) return hit.value;
    const text = await read(arn);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    cache.set(arn, { at: Date.now(), value });
    return value;
  };
  const strings = (v: unknown): readonly string[] => (Array.isArray(v) ? v.map(String) : []);
  return {
    stripe: async () => strings(await load('stripe')),
    lithic: async () => strings(await load('lithic')),
    marqeta: async () => {
      const v = (await load('marqeta')) as { credentials?: unknown; signatureSecrets?: unknown } | unknown[];
      return Array.isArray(v)
        ? { credentials: strings(v), signatureSecrets: [] }
        : { credentials: strings(v.credentials), signatureSecrets: strings(v.signatureSecrets) };
    },
  };
};
