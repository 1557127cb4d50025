import { createHmac } from 'node:crypto';
import {
  bytesEqual,
  failure,
  hexBytes,
  secretsEqual,
  type VerificationResult,
  type WebhookHeaders,
} from './verification.ts';

export interface MarqetaVerificationOptions {
  /**
   * HMAC keys for `X-Marqeta-Signature` (hex HMAC-SHA256 of the raw body). When any is configured the header is
   * required; when none is, only Basic auth protects the endpoint (Marqeta's signature is optional).
   */
  signatureSecrets?: readonly string[];
}

/**
 * Verifies a Marqeta webhook or JIT Funding request: `Authorization: Basic base64(username:password)` must equal one
 * of the configured "username:password" credentials (several during rotation), compared in constant time; then the
 * optional body signature. Marqeta signs no timestamp, so replays are stopped by idempotency on the transaction
 * token, not here.
 */
export const verifyMarqetaRequest = (
  rawBody: string,
  headers: WebhookHeaders,
  credentials: readonly string[],
  _now: Date,
  options: MarqetaVerificationOptions = {},
): VerificationResult => {
  const authorization = headers.authorization;
  if (!authorization) return failure('missing-signature', 'the Authorization header (Basic) is missing');
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  if (!match?.[1]) return failure('malformed', 'Authorization must be Basic base64(username:password)');
  const presented = Buffer.from(match[1], 'base64').toString('utf8');
  if (!presented.includes(':')) return failure('malformed', 'Basic credentials must be username:password');
  // Every configured credential is compared, so timing does not tell which one (if any) matched.
  const valid = credentials.reduce((found, expected) => secretsEqual(presented, expected) || found, false);
  if (!valid) return failure('bad-credentials', 'the Basic credentials match no configured Marqeta credential');

  const keys = options.signatureSecrets ?? [];
  if (keys.length === 0) return { ok: true };
  const header = headers['x-marqeta-signature'];
  if (!header) return failure('missing-signature', 'X-Marqeta-Signature is required when a signing secret is set');
  const signature = hexBytes(header.trim());
  if (!signature) return failure('malformed', 'X-Marqeta-Signature must be hex');
  const matched = keys.some((key) => bytesEqual(signature, createHmac('sha256', key).update(rawBody, 'utf8').digest()));
  return matched ? { ok: true } : failure('bad-signature', 'X-Marqeta-Signature does not match the body');
};
