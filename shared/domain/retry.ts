/**
 * Retry delays shared by the queue consumers that retry through SQS message visibility (accounting push, outbound
 * webhooks): exponential backoff with "equal jitter", capped.
 */
export interface BackoffPolicy {
  /** Delay before the second attempt (before jitter). */
  baseDelayMs: number;
  /** No delay is longer than this (before a Retry-After). */
  maxDelayMs: number;
  /** Growth per attempt; 2 unless said otherwise. */
  factor?: number;
}

/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_SQS_DELAY_MS = 12 * 3_600_000;

/**
 * The delay after failed attempt `attempt` (1-based): half the capped exponential delay, plus a random half
 * (`random` returns [0, 1)). A server's Retry-After is honoured when longer. Never above SQS's 12 h.
 */
export const backoffDelayMs = (
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs?: number,
): number => {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * (policy.factor ?? 2) ** Math.max(0, attempt - 1));
  const jittered = Math.floor(exp / 2 + random() * (exp / 2));
  return Math.min(MAX_SQS_DELAY_MS, Math.max(jittered, retryAfterMs ?? 0));
};
