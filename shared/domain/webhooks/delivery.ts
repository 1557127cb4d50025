/**
 * Delivering one event to one endpoint, one SQS message per (event, endpoint) on the webhook deliveries queue. This
 * module is the consumer's decision logic, pure over its ports (the same pattern as ../ledger/push.ts):
 *
 * 1. Claim the delivery record (company, endpoint, event): one that already got a 2xx is acknowledged without
 *    sending (a redelivered event or message never double-sends); one another attempt holds (a lease) comes back
 *    later.
 * 2. Read the endpoint: deleted or disabled → the delivery is cancelled, nothing is sent.
 * 3. Check its URL again (the guard may have tightened), sign with every live secret, POST with a 10 s timeout,
 *    redirects not followed, and append the attempt (time, HTTP status, duration, a short excerpt) to the log.
 * 4. 2xx → delivered. 410 Gone → the endpoint is disabled, the delivery failed (no retry: the receiver said so).
 *    Anything else (other statuses, timeouts, connection errors) → retried with exponential backoff and jitter
 *    through the message's visibility (a Retry-After is honoured up to the policy's cap); at the last attempt the
 *    delivery is marked failed and the message goes to the DLQ with the reason.
 */
import { z } from 'zod';
import { type BackoffPolicy, backoffDelayMs } from '../retry.ts';
import { AUTO_DISABLE_AFTER_MS, failingTooLong, liveSecrets, type WebhookEndpoint } from './endpoints.ts';
import { DELIVERABLE_EVENT_TYPES, type DeliverableEventType, type WebhookEvent } from './events.ts';
import { signWebhook } from './signature.ts';
import { checkEndpointUrl } from './url-guard.ts';

export interface WebhookRetryPolicy extends BackoffPolicy {
  /** Attempts before giving up; keep it below the queue's maxReceiveCount. */
  maxAttempts: number;
  /** A receiver slower than this counts as a failed attempt. */
  timeoutMs: number;
}

/**
 * 8 attempts over about a day at most: retries after ~1 min, 3 min, 9 min, 27 min, 1.4 h, 4 h, 10 h (each the
 * nominal delay × a random factor in [0.5, 1)). The local cloud shortens the base through WEBHOOK_RETRY_BASE_MS.
 */
export const DEFAULT_WEBHOOK_RETRY_POLICY: WebhookRetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 60_000,
  factor: 3,
  maxDelayMs: 10 * 3_600_000,
  timeoutMs: 10_000,
};

/** The nominal (jitter-free, upper-bound) delay before each retry: what the docs print. */
export const retrySchedule = (policy: WebhookRetryPolicy): number[] =>
  Array.from({ length: policy.maxAttempts - 1 }, (_, i) => backoffDelayMs(i + 1, policy, () => 1));

export const RESPONSE_EXCERPT_CHARS = 500;
const HOUR = 3_600_000;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'retrying', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttempt {
  at: string;
  /** Null when no HTTP answer came (timeout, refused connection, refused address). */
  httpStatus: number | null;
  durationMs: number;
  /** Why the attempt failed without an answer. */
  error: string | null;
  /** The start of the answer's body. */
  response: string | null;
}

export interface Delivery {
  endpointId: string;
  eventId: string;
  eventType: DeliverableEventType;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
  /** Why it failed or was cancelled. */
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A delivery as the API shows it (the log). */
export const deliverySchema = z.object({
  endpointId: z.string(),
  eventId: z.string().describe('the webhook-id header receivers saw'),
  eventType: z.enum(DELIVERABLE_EVENT_TYPES),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.array(
    z.object({
      at: z.string(),
      httpStatus: z.number().int().nullable(),
      durationMs: z.number().int(),
      error: z.string().nullable(),
      response: z.string().nullable().describe(`the first ${RESPONSE_EXCERPT_CHARS} characters of the answer`),
    }),
  ),
  nextAttemptAt: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** What the HTTP sender saw. */
export type SendResult =
  | { kind: 'response'; status: number; body: string; retryAfterMs?: number }
  | { kind: 'error'; message: string };

export type DeliveryDecision =
  | { status: 'delivered' }
  | { status: 'retrying'; delayMs: number; reason: string }
  | { status: 'failed'; reason: string; deadLetter: boolean; disableEndpoint: boolean };

/** What to do after one attempt (1-based attempt number). */
export const decideDelivery = (
  result: SendResult,
  attempt: number,
  policy: WebhookRetryPolicy,
  random: () => number,
): DeliveryDecision => {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { status: 'delivered' };
  if (result.kind === 'response' && result.status === 410) {
    return { status: 'failed', reason: 'the receiver answered 410 Gone', deadLetter: false, disableEndpoint: true };
  }
  const reason = result.kind === 'response' ? `HTTP ${result.status}` : result.message;
  if (attempt >= policy.maxAttempts) {
    return {
      status: 'failed',
      reason: `gave up after ${attempt} attempts: ${reason}`,
      deadLetter: true,
      disableEndpoint: false,
    };
  }
  const retryAfter = result.kind === 'response' ? result.retryAfterMs : undefined;
  return {
    status: 'retrying',
    delayMs: backoffDelayMs(
      attempt,
      policy,
      random,
      retryAfter === undefined ? undefined : Math.min(retryAfter, policy.maxDelayMs),
    ),
    reason,
  };
};

/** A Retry-After header (seconds or an HTTP date) in milliseconds from now; undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | undefined, now: Date): number | undefined => {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
};

// ---------------------------------------------------------------- the consumer

export interface DeliveryRecord {
  /** SQS message id: the batch item identifier. */
  messageId: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  attempt: number;
  companyId: string;
  endpointId: string;
  event: WebhookEvent;
}

export type Claim =
  | { state: 'claimed' }
  | { state: 'delivered' }
  /** Another attempt holds the delivery (its lease ends in retryInMs). */
  | { state: 'busy'; retryInMs: number };

export interface DeliveryLogPort {
  /**
   * Takes the delivery of this event to this endpoint for one attempt (creating its record), unless it already got
   * a 2xx or another attempt holds it. The lease ends by itself after leaseMs (a crashed attempt).
   */
  claim(
    companyId: string,
    endpointId: string,
    event: Pick<WebhookEvent, 'id' | 'type'>,
    now: Date,
    leaseMs: number,
  ): Promise<Claim>;
  /** Appends an attempt (when one was made), sets the status and releases the lease. */
  settle(
    companyId: string,
    endpointId: string,
    eventId: string,
    change: {
      attempt: DeliveryAttempt | null;
      status: DeliveryStatus;
      nextAttemptAt: string | null;
      reason: string | null;
      now: Date;
    },
  ): Promise<void>;
}

export interface WebhookSenderPort {
  /** POSTs the body; never follows redirects; refuses to connect to a forbidden address. */
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult>;
}

export interface DeliverDeps {
  endpoints: {
    get(companyId: string, endpointId: string): Promise<WebhookEndpoint | null>;
    /** True when this call disabled the endpoint (false: already disabled, or gone). */
    disable(companyId: string, endpointId: string, reason: string, now: Date): Promise<boolean>;
    markDelivered(companyId: string, endpointId: string, at: Date): Promise<void>;
  };
  log: DeliveryLogPort;
  sender: WebhookSenderPort;
  allowLoopbackHttp: boolean;
  now: () => Date;
  random: () => number;
  policy: WebhookRetryPolicy;
  /** Sends the message to the DLQ with the reason (the caller then acknowledges it). */
  deadLetter(record: DeliveryRecord, reason: string): Promise<void>;
  /**
   * Tells the company's administrators that deliveries stopped: the endpoint was disabled automatically (a 410
   * Gone, or days without a successful delivery). Best effort: a failure here changes nothing else.
   */
  notifyDisabled?(companyId: string, endpoint: WebhookEndpoint, reason: string): Promise<void>;
  /** ChangeMessageVisibility: the failed message comes back after this delay. */
  delay(record: DeliveryRecord, delayMs: number): Promise<void>;
}

export type DeliveryOutcome =
  | 'delivered'
  | 'duplicate'
  | 'busy'
  | 'cancelled'
  | 'retrying'
  | 'failed'
  | 'dead-lettered'
  | 'error';

export interface DeliveryBatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  outcomes: { messageId: string; endpointId: string; eventId: string; outcome: DeliveryOutcome; detail?: string }[];
}

const excerpt = (body: string): string => body.slice(0, RESPONSE_EXCERPT_CHARS);

/** One record; returns its outcome and whether SQS should keep the message. */
const deliverOne = async (
  r: DeliveryRecord,
  deps: DeliverDeps,
): Promise<{ outcome: DeliveryOutcome; keep: boolean; detail?: string }> => {
  const { policy } = deps;
  const started = deps.now();
  const claim = await deps.log.claim(r.companyId, r.endpointId, r.event, started, policy.timeoutMs + 20_000);
  if (claim.state === 'delivered') return { outcome: 'duplicate', keep: false };
  if (claim.state === 'busy') {
    await deps.delay(r, claim.retryInMs).catch(() => undefined);
    return { outcome: 'busy', keep: true };
  }
  const settle = (change: Omit<Parameters<DeliveryLogPort['settle']>[3], 'now'>) =>
    deps.log.settle(r.companyId, r.endpointId, r.event.id, { ...change, now: deps.now() });

  const endpoint = await deps.endpoints.get(r.companyId, r.endpointId);
  if (endpoint?.status !== 'enabled') {
    const reason = endpoint ? 'the endpoint is disabled' : 'the endpoint was deleted';
    await settle({ attempt: null, status: 'cancelled', nextAttemptAt: null, reason });
    return { outcome: 'cancelled', keep: false, detail: reason };
  }

  const body = JSON.stringify(r.event);
  const urlCheck = checkEndpointUrl(endpoint.url, { allowLoopbackHttp: deps.allowLoopbackHttp });
  let result: SendResult;
  if (!urlCheck.ok) {
    result = { kind: 'error', message: `URL refused: ${urlCheck.reason}` };
  } else {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Quittance-Webhooks/1',
      ...signWebhook({ id: r.event.id, body, now: started, secrets: liveSecrets(endpoint, started) }),
    };
    result = await deps.sender
      .post(urlCheck.url, headers, body, policy.timeoutMs)
      .catch((e: unknown): SendResult => ({ kind: 'error', message: e instanceof Error ? e.message : String(e) }));
  }
  const attempt: DeliveryAttempt = {
    at: started.toISOString(),
    httpStatus: result.kind === 'response' ? result.status : null,
    durationMs: Math.max(0, deps.now().getTime() - started.getTime()),
    error: result.kind === 'error' ? result.message.slice(0, 300) : null,
    response: result.kind === 'response' ? excerpt(result.body) : null,
  };
  const decision = decideDelivery(result, r.attempt, policy, deps.random);
  switch (decision.status) {
    case 'delivered': {
      await settle({ attempt, status: 'delivered', nextAttemptAt: null, reason: null });
      const last = endpoint.lastDeliveredAt ? Date.parse(endpoint.lastDeliveredAt) : 0;
      if (deps.now().getTime() - last >= HOUR) {
        // Best effort: the auto-disable clock only needs the hour.
        await deps.endpoints.markDelivered(r.companyId, r.endpointId, deps.now()).catch(() => undefined);
      }
      return { outcome: 'delivered', keep: false };
    }
    case 'retrying': {
      const next = new Date(deps.now().getTime() + decision.delayMs).toISOString();
      await settle({ attempt, status: 'retrying', nextAttemptAt: next, reason: decision.reason });
      await deps.delay(r, decision.delayMs).catch(() => undefined);
      return { outcome: 'retrying', keep: true, detail: decision.reason };
    }
    case 'failed': {
      await settle({ attempt, status: 'failed', nextAttemptAt: null, reason: decision.reason });
      const disabled = decision.disableEndpoint
        ? `${decision.reason} at ${attempt.at}`
        : failingTooLong(endpoint, deps.now())
          ? `no delivery succeeded for ${AUTO_DISABLE_AFTER_MS / 86_400_000} days (none ` +
            `${endpoint.lastDeliveredAt ? `since ${endpoint.lastDeliveredAt}` : 'ever'}); deliveries stopped at ` +
            `${attempt.at}: fix the receiver, then re-enable the endpoint`
          : null;
      // Only the delivery that disabled it tells the administrators (concurrent failures do not mail again).
      if (disabled && (await deps.endpoints.disable(r.companyId, r.endpointId, disabled, deps.now()))) {
        await deps.notifyDisabled?.(r.companyId, endpoint, disabled).catch(() => undefined);
      }
      const detail =
        disabled && !decision.disableEndpoint ? `${decision.reason}; endpoint disabled: ${disabled}` : decision.reason;
      if (decision.deadLetter) {
        await deps.deadLetter(r, decision.reason);
        return { outcome: 'dead-lettered', keep: false, detail };
      }
      return { outcome: 'failed', keep: false, detail };
    }
  }
};

/**
 * A batch of delivery messages, each independent (different endpoints must not wait on each other): run
 * concurrently; a message is kept on the queue (partial batch failure) only when it is to be retried.
 */
export const processDeliveryBatch = async (
  records: readonly DeliveryRecord[],
  deps: DeliverDeps,
): Promise<DeliveryBatchResult> => {
  const results = await Promise.all(
    records.map((r) =>
      deliverOne(r, deps).catch((error: unknown) => ({
        // Our own store failed: keep the message; the record's idempotency covers a repeat.
        outcome: 'error' as const,
        keep: true,
        detail: error instanceof Error ? error.message : String(error),
      })),
    ),
  );
  return {
    batchItemFailures: records.flatMap((r, i) => (results[i]?.keep ? [{ itemIdentifier: r.messageId }] : [])),
    outcomes: records.map((r, i) => ({
      messageId: r.messageId,
      endpointId: r.endpointId,
      eventId: r.event.id,
      outcome: results[i]?.outcome ?? 'error',
      ...(results[i]?.detail ? { detail: results[i]?.detail } : {}),
    })),
  };
};

/** The e-mail to a company's administrators when deliveries disabled one of its endpoints. */
export const disabledNotice = (endpoint: WebhookEndpoint, reason: string): { subject: string; text: string } => ({
  subject: `Quittance stopped sending webhooks to ${endpoint.url}`,
  text: [
    `The webhook endpoint ${endpoint.id} (${endpoint.url}) was disabled: ${reason}.`,
    '',
    'Events are no longer sent to it. Once the receiver answers again, re-enable the endpoint',
    `(PATCH /webhook-endpoints/${endpoint.id} with {"enabled": true}) and send a test event`,
    `(POST /webhook-endpoints/${endpoint.id}/test, or \`quittance webhooks test ${endpoint.id}\`).`,
    `The delivery log shows each attempt: GET /webhook-endpoints/${endpoint.id}/deliveries.`,
  ].join('\n'),
});
