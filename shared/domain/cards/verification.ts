import { createHash, timingSafeEqual } from 'node:crypto';

/** Header names are lower-cased by the caller (API Gateway v2 already does). */
export type WebhookHeaders = Readonly<Record<string, string | undefined>>;

export type VerificationFailure = 'missing-signature' | 'bad-signature' | 'stale' | 'malformed' | 'bad-credentials';

export type VerificationResult =
  | {
      ok: true;
      /** The delivery's id when the scheme signs one (Standard Webhooks `webhook-id`). */
      eventId?: string;
      /** The signed timestamp, when the scheme has one. */
      timestamp?: Date;
    }
  | { ok: false; reason: VerificationFailure; message: string };

export const failure = (reason: VerificationFailure, message: string): VerificationResult => ({
  ok: false,
  reason,
  message,
});

/** Constant-time equality of two byte strings; different lengths are unequal (length is not secret for MACs). */
export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);

/**
 * Constant-time equality of two strings of secret length (passwords): both are hashed first, so neither the
 * content nor the length leaks through timing.
 */
export const secretsEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a, 'utf8').digest(), createHash('sha256').update(b, 'utf8').digest());

const HEX_RE = /^[0-9a-f]+$/i;

/** Decodes hex, or null when it is not hex of an even length. */
export const hexBytes = (hex: string): Buffer | null =>
  hex.length % 2 === 0 && HEX_RE.test(hex) ? Buffer.from(hex, 'hex') : null;

/** Seconds between a signed unix timestamp and now, in either direction (clock skew counts too). */
export const skewSeconds = (timestampSeconds: number, now: Date): number =>
  Math.abs(Math.floor(now.getTime() / 1000) - timestampSeconds);

const UNIX_SECONDS_RE = /^\d{1,12}$/;

export const parseUnixSeconds = (value: string): number | null =>
  UNIX_SECONDS_RE.test(value) ? Number.parseInt(value, 10) : null;
