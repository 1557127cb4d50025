/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the same scheme Lithic uses towards us, so
 * ../cards/verify-lithic.ts verifies what this signs (a unit test holds both, and the official package, to it).
 *
 *   webhook-id:        the event id (the same on every retry: receivers deduplicate on it)
 *   webhook-timestamp: unix seconds of this attempt
 *   webhook-signature: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, space-separated when several
 *                      secrets are live (during a rotation), any one of which verifies
 *
 * A secret is `whsec_<base64 of 32 random bytes>`; the HMAC key is the decoded bytes.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret (32 random bytes, within the spec's 24–64). */
export const newSigningSecret = (bytes: (n: number) => Uint8Array = randomBytes): string =>
  `${SECRET_PREFIX}${Buffer.from(bytes(32)).toString('base64')}`;

const keyOf = (secret: string): Buffer => {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error('a signing secret must be whsec_<base64>');
  return Buffer.from(encoded, 'base64');
};

/** One `v1,<base64>` signature of a message. */
export const signPayload = (secret: string, id: string, timestampSeconds: number, body: string): string =>
  `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;

export type SignedHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

/** The three Standard Webhooks headers of one attempt, signed with every live secret (current first). */
export const signWebhook = (input: {
  id: string;
  body: string;
  now: Date;
  secrets: readonly string[];
}): SignedHeaders => {
  if (input.secrets.length === 0) throw new Error('no signing secret');
  const timestamp = Math.floor(input.now.getTime() / 1000);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': input.secrets.map((s) => signPayload(s, input.id, timestamp, input.body)).join(' '),
  };
};
