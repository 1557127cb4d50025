import { createHmac } from 'node:crypto';
import {
  bytesEqual,
  failure,
  parseUnixSeconds,
  skewSeconds,
  type VerificationResult,
  type WebhookHeaders,
} from './verification.ts';

/** Standard Webhooks' window for `webhook-timestamp`. */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 300;

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** A Standard Webhooks secret is `whsec_<base64 key>`; the HMAC key is the decoded bytes. Null when not base64. */
export const standardWebhooksKey = (secret: string): Buffer | null => {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return BASE64_RE.test(encoded) ? Buffer.from(encoded, 'base64') : null;
};

/**
 * Verifies a Standard Webhooks delivery (Lithic): `webhook-signature` is a space-separated list of `v1,<base64>`
 * where the base64 is HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>"); any signature with any
 * secret passes (rotation); the timestamp must be within 5 minutes of now. Returns the delivery id for idempotency.
 */
export const verifyLithicSignature = (
  rawBody: string,
  headers: WebhookHeaders,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds: number = STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
): VerificationResult => {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const header = headers['webhook-signature'];
  if (!header) return failure('missing-signature', 'the webhook-signature header is missing');
  if (!id || !timestamp) return failure('malformed', 'webhook-id and webhook-timestamp are required');
  const t = parseUnixSeconds(timestamp.trim());
  if (t === null) return failure('malformed', 'webhook-timestamp must be unix seconds');
  const signatures = header
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, value]) => version === 'v1' && value !== undefined && BASE64_RE.test(value))
    .map(([, value]) => Buffer.from(value ?? '', 'base64'));
  if (signatures.length === 0) return failure('malformed', 'webhook-signature has no v1,<base64> entry');
  const keys = secrets.map(standardWebhooksKey).filter((k): k is Buffer => k !== null);
  if (keys.length === 0) return failure('bad-signature', 'no valid whsec_ signing secret is configured');
  const matched = keys.some((key) => {
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`, 'utf8').digest();
    return signatures.some((s) => bytesEqual(s, expected));
  });
  if (!matched) return failure('bad-signature', 'no v1 signature matches the delivery with a configured secret');
  if (skewSeconds(t, now) > toleranceSeconds) {
    return failure('stale', `webhook-timestamp is more than ${toleranceSeconds} s away from now (replay?)`);
  }
  return { ok: true, eventId: id, timestamp: new Date(t * 1000) };
};
