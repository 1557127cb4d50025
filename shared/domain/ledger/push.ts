/**
 * Pushing posted entries to the company's accounting system, one SQS FIFO message per entry (group = company,
 * deduplication id = entry id). This module is the consumer's decision logic, pure over its ports:
 *
 * 1. FIFO: once a message of a group fails in a batch, the group's later messages are not tried and are reported as
 *    failures too, so they come back in order (what Powertools' SqsFifoPartialProcessor does).
 * 2. An entry already recorded as pushed is acknowledged without calling the connector (duplicate delivery).
 * 3. Otherwise post with the idempotency key `<company>:<entry id>` under a timeout; a throw or a timeout counts as
 *    retryable (the connector may have committed: the key makes the next try return the same journal).
 * 4. posted → record it, publish JournalEntryPosted, acknowledge.
 *    retryable → report a batch item failure and push the message's visibility out by the backoff delay;
 *      at the last attempt, send it to the DLQ with the reason (before SQS's own maxReceiveCount does, without one).
 *    permanent → DLQ with the reason at once; retrying would not help. `quittance accounting redrive` replays it.
 * Nothing is acknowledged before it is posted or dead-lettered: no entry is lost; the key means none is doubled.
 */
import type { AccountingConnector, PostResult } from '../../ports/accounting.ts';
import { backoffDelayMs } from '../retry.ts';
import type { PostedEntry } from './model.ts';

export interface RetryPolicy {
  /** Attempts before dead-lettering; keep it ≤ the queue's maxReceiveCount. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A connector call slower than this counts as a retryable failure. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  timeoutMs: 10_000,
};

/** Exponential backoff with equal jitter (shared with the webhook deliveries). */
export { backoffDelayMs } from '../retry.ts';

export const idempotencyKeyOf = (entry: Pick<PostedEntry, 'companyId' | 'id'>): string =>
  `${entry.companyId}:${entry.id}`;

export type PushDecision =
  | { action: 'ack'; externalId: string }
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'dead-letter'; reason: string };

/** What to do with one connector result at a given attempt (1-based, SQS ApproximateReceiveCount). */
export const decide = (
  result: PostResult,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): PushDecision => {
  switch (result.status) {
    case 'posted':
      return { action: 'ack', externalId: result.externalId };
    case 'permanent':
      return { action: 'dead-letter', reason: `refused: ${result.reason}` };
    case 'retryable':
      return attempt >= policy.maxAttempts
        ? { action: 'dead-letter', reason: `gave up after ${attempt} attempts: ${result.reason}` }
        : {
            action: 'retry',
            delayMs: backoffDelayMs(attempt, policy, random, result.retryAfterMs),
            reason: result.reason,
          };
  }
};

export interface AccountingRecord {
  /** SQS message id: the batch item identifier. */
  messageId: string;
  /** FIFO message group: the company. */
  groupId: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  attempt: number;
  entry: PostedEntry;
}

export interface PushDeps {
  connectorFor(companyId: string): Promise<AccountingConnector>;
  /** Idempotency records of pushes that succeeded (DynamoDB, TTL ≥ 72 h). */
  pushed: {
    get(companyId: string, entryId: string): Promise<{ externalId: string } | null>;
    put(companyId: string, entryId: string, externalId: string, connector: string): Promise<void>;
  };
  /** Publishes JournalEntryPosted. */
  announce(entry: PostedEntry, connector: string, externalId: string): Promise<void>;
  /** Sends the message to the DLQ with the reason (the caller then acknowledges it). */
  deadLetter(record: AccountingRecord, reason: string): Promise<void>;
  /** ChangeMessageVisibility: the failed message comes back after this delay. */
  delay(record: AccountingRecord, delayMs: number): Promise<void>;
  /** Resolves after ms (setTimeout in Lambda; a fake clock in tests). */
  sleep(ms: number): Promise<void>;
  random: () => number;
  policy?: RetryPolicy;
}

export type RecordOutcome =
  | { messageId: string; entryId: string; outcome: 'posted'; externalId: string }
  | { messageId: string; entryId: string; outcome: 'duplicate'; externalId: string }
  | { messageId: string; entryId: string; outcome: 'retry'; reason: string; delayMs: number }
  | { messageId: string; entryId: string; outcome: 'dead-lettered'; reason: string }
  | { messageId: string; entryId: string; outcome: 'skipped'; reason: string };

export interface BatchResult {
  /** The Lambda partial batch response. */
  batchItemFailures: { itemIdentifier: string }[];
  outcomes: RecordOutcome[];
}

const TIMEOUT = Symbol('timeout');

const postWithTimeout = async (
  connector: AccountingConnector,
  entry: PostedEntry,
  deps: PushDeps,
  timeoutMs: number,
): Promise<PostResult> => {
  try {
    const result = await Promise.race([
      connector.post(entry, idempotencyKeyOf(entry)),
      deps.sleep(timeoutMs).then((): typeof TIMEOUT => TIMEOUT),
    ]);
    if (result === TIMEOUT) return { status: 'retryable', reason: `no answer within ${timeoutMs} ms` };
    return result;
  } catch (error) {
    return { status: 'retryable', reason: error instanceof Error ? error.message : String(error) };
  }
};

export const processAccountingBatch = async (
  records: readonly AccountingRecord[],
  deps: PushDeps,
): Promise<BatchResult> => {
  const policy = deps.policy ?? DEFAULT_RETRY_POLICY;
  const failedGroups = new Set<string>();
  const batchItemFailures: { itemIdentifier: string }[] = [];
  const outcomes: RecordOutcome[] = [];
  for (const record of records) {
    const { messageId, entry } = record;
    const base = { messageId, entryId: entry.id };
    if (failedGroups.has(record.groupId)) {
      batchItemFailures.push({ itemIdentifier: messageId });
      outcomes.push({ ...base, outcome: 'skipped', reason: 'an earlier message of its group failed' });
      continue;
    }
    try {
      const done = await deps.pushed.get(entry.companyId, entry.id);
      if (done) {
        outcomes.push({ ...base, outcome: 'duplicate', externalId: done.externalId });
        continue;
      }
      const connector = await deps.connectorFor(entry.companyId);
      const result = await postWithTimeout(connector, entry, deps, policy.timeoutMs);
      const decision = decide(result, record.attempt, policy, deps.random);
      if (decision.action === 'ack') {
        await deps.pushed.put(entry.companyId, entry.id, decision.externalId, connector.name);
        await deps.announce(entry, connector.name, decision.externalId);
        outcomes.push({ ...base, outcome: 'posted', externalId: decision.externalId });
      } else if (decision.action === 'dead-letter') {
        await deps.deadLetter(record, decision.reason);
        outcomes.push({ ...base, outcome: 'dead-lettered', reason: decision.reason });
      } else {
        failedGroups.add(record.groupId);
        batchItemFailures.push({ itemIdentifier: messageId });
        await deps.delay(record, decision.delayMs).catch(() => undefined);
        outcomes.push({ ...base, outcome: 'retry', reason: decision.reason, delayMs: decision.delayMs });
      }
    } catch (error) {
      // Our own store or DLQ failed: leave the message on the queue; the connector's key covers a repeat post.
      failedGroups.add(record.groupId);
      batchItemFailures.push({ itemIdentifier: messageId });
      const reason = error instanceof Error ? error.message : String(error);
      outcomes.push({ ...base, outcome: 'retry', reason, delayMs: 0 });
    }
  }
  return { batchItemFailures, outcomes };
};
