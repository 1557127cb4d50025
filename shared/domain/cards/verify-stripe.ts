import { createHmac } from 'node:crypto';
import {
  bytesEqual,
  failure,
  hexBytes,
  parseUnixSeconds,
  skewSeconds,
  type VerificationResult,
  type WebhookHeaders,
} from './verification.ts';

/** Stripe's default tolerance for `t` (its SDKs use 300 s). */
export const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * Verifies `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`: some v1 must equal HMAC-SHA256(secret, "<t>.<raw body>")
 * for some secret (several secrets and several v1 coexist while a secret is rotated), and `t` must be within the
 * tolerance of now. The signature is checked before the timestamp, so a forged request reads as bad-signature and
 * a genuine but old one (a replay) as stale. Other schemes (v0) are ignored.
 */
export const verifyStripeSignature = (
  rawBody: string,
  headers: WebhookHeaders,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds: number = STRIPE_TOLERANCE_SECONDS,
): VerificationResult => {
  const header = headers['stripe-signature'];
  if (!header) return failure('missing-signature', 'the Stripe-Signature header is missing');
  let timestamp: string | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') timestamp = value;
    if (key === 'v1') {
      const bytes = hexBytes(value);
      if (bytes) signatures.push(bytes);
    }
  }
  const t = timestamp === null ? null : parseUnixSeconds(timestamp);
  if (t === null || signatures.length === 0) {
    return failure('malformed', 'Stripe-Signature must carry t=<unix seconds> and at least one hex v1=<signature>');
  }
  if (secrets.length === 0) return failure('bad-signature', 'no Stripe signing secret is configured');
  const matched = secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest();
    return signatures.some((s) => bytesEqual(s, expected));
  });
  if (!matched) return failure('bad-signature', 'no v1 signature matches the body with a configured secret');
  if (skewSeconds(t, now) > toleranceSeconds) {
    return failure('stale', `the signed timestamp is more than ${toleranceSeconds} s away from now (replay?)`);
  }
  return { ok: true, timestamp: new Date(t * 1000) };
};
