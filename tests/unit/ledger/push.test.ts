import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountingRecord,
  backoffDelayMs,
  buildExpenseEntry,
  DEFAULT_RETRY_POLICY,
  decide,
  idempotencyKeyOf,
  type PostedEntry,
  type PushDeps,
  processAccountingBatch,
  type RetryPolicy,
} from '../../../shared/domain/ledger/index.ts';
import type { AccountingConnector, PostResult } from '../../../shared/ports/accounting.ts';
import { hotelExpense, postAll, settings } from './helpers.ts';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 10_000 };
const MAX_RECEIVE_COUNT = 6; // the queue's redrive policy: a backstop behind policy.maxAttempts

const mulberry32 = (seed: number) => {
  let state = seed;
  return () => {
    state += 0x6d2b79f5;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const entries = (n: number, companies: number): PostedEntry[] =>
  postAll(
    Array.from(
      { length: n },
      (_, i) =>
        buildExpenseEntry(hotelExpense({ companyId: `co_${i % companies}`, expenseId: `exp_${i}` }), settings).entry,
    ),
  );

describe('retry policy', () => {
  it('backs off exponentially with jitter, capped, honouring Retry-After', () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(999);
    expect(backoffDelayMs(4, policy, () => 0)).toBe(4_000);
    expect(backoffDelayMs(20, policy, () => 0.5)).toBe(45_000);
    expect(backoffDelayMs(1, policy, () => 0, 30_000)).toBe(30_000);
  });

  it('decides per result: ack, retry, dead-letter at the last attempt, dead-letter at once when refused', () => {
    const r = () => 0;
    expect(decide({ status: 'posted', externalId: 'j1' }, 1, policy, r)).toEqual({ action: 'ack', externalId: 'j1' });
    expect(decide({ status: 'retryable', reason: '503' }, 1, policy, r)).toEqual({
      action: 'retry',
      delayMs: 500,
      reason: '503',
    });
    expect(decide({ status: 'retryable', reason: '503' }, 5, policy, r)).toMatchObject({ action: 'dead-letter' });
    expect(decide({ status: 'permanent', reason: 'unknown account 6256' }, 1, policy, r)).toEqual({
      action: 'dead-letter',
      reason: 'refused: unknown account 6256',
    });
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeLessThanOrEqual(8);
  });
});

/** A connector that keeps its promises about idempotency keys, whatever goes wrong around it. */
class FlakyConnector implements AccountingConnector {
  readonly name = 'fake-http';
  readonly journals = new Map<string, string>();
  /** How many journals each key created in the target system: must end at exactly 1. */
  readonly effects = new Map<string, number>();
  refused = new Set<string>();
  outage = 0;
  calls = 0;
  constructor(private readonly random: () => number) {}

  private commit(key: string): string {
    const existing = this.journals.get(key);
    if (existing) return existing;
    const id = `J-${this.journals.size + 1}`;
    this.journals.set(key, id);
    this.effects.set(key, (this.effects.get(key) ?? 0) + 1);
    return id;
  }

  post(entry: PostedEntry, key: string): Promise<PostResult> {
    this.calls++;
    if (this.refused.has(entry.id)) return Promise.resolve({ status: 'permanent', reason: 'account 6256 is closed' });
    if (this.outage > 0) {
      this.outage--;
      return Promise.resolve({ status: 'retryable', reason: 'HTTP 503' });
    }
    const x = this.random();
    if (x < 0.1) return Promise.reject(new Error('ECONNRESET'));
    if (x < 0.2) return new Promise(() => undefined); // hangs, nothing committed
    if (x < 0.3) {
      this.commit(key); // committed, but the answer never arrives
      return new Promise(() => undefined);
    }
    if (x < 0.35) return Promise.resolve({ status: 'retryable', reason: 'HTTP 429', retryAfterMs: 5_000 });
    return Promise.resolve({ status: 'posted', externalId: this.commit(key) });
  }
}

interface Message extends AccountingRecord {
  visibleAt: number;
}

/** Enough of SQS FIFO: groups delivered in order, one batch ≤ 10, visibility, redrive after MAX_RECEIVE_COUNT. */
const simulate = async (
  seed: number,
  n: number,
  opts: { outage: number; refuse: number; duplicates: number; storeFailures: number },
) => {
  const random = mulberry32(seed);
  const connector = new FlakyConnector(random);
  connector.outage = opts.outage;
  const all = entries(n, 3);
  for (const e of all.slice(0, opts.refuse)) connector.refused.add(e.id);
  let clock = 0;
  let seq = 0;
  let queue: Message[] = all.map((entry) => ({
    messageId: `m${seq++}`,
    groupId: entry.companyId,
    attempt: 0,
    entry,
    visibleAt: 0,
  }));
  const dlq: { message: Message; reason: string }[] = [];
  const pushed = new Map<string, string>();
  const announced = new Map<string, number>();
  let storeFailures = opts.storeFailures;
  let duplicates = opts.duplicates;

  const deps: PushDeps = {
    connectorFor: async () => connector,
    pushed: {
      get: async (c, id) => {
        const externalId = pushed.get(`${c}:${id}`);
        return externalId ? { externalId } : null;
      },
      put: async (c, id, externalId) => {
        if (storeFailures > 0 && random() < 0.3) {
          storeFailures--;
          throw new Error('DynamoDB throttled');
        }
        pushed.set(`${c}:${id}`, externalId);
      },
    },
    announce: async (e) => {
      announced.set(e.id, (announced.get(e.id) ?? 0) + 1);
    },
    deadLetter: async (record, reason) => {
      dlq.push({ message: record as Message, reason });
    },
    delay: async (record, ms) => {
      const m = queue.find((q) => q.messageId === record.messageId);
      if (m) m.visibleAt = clock + ms;
    },
    sleep: () => new Promise((resolve) => setImmediate(resolve)),
    random,
    policy,
  };

  const drain = async () => {
    for (let rounds = 0; queue.length > 0; rounds++) {
      if (rounds > 10_000) throw new Error('the queue never drained');
      // Receive: per group, the oldest messages in order, stopping at the first invisible one.
      const batch: Message[] = [];
      const blocked = new Set<string>();
      for (const m of queue) {
        if (batch.length === 10) break;
        if (blocked.has(m.groupId)) continue;
        if (m.visibleAt > clock) {
          blocked.add(m.groupId);
          continue;
        }
        batch.push(m);
      }
      if (batch.length === 0) {
        clock = Math.min(...queue.filter((m) => m.visibleAt > clock).map((m) => m.visibleAt));
        continue;
      }
      // SQS's own redrive: a message received more than maxReceiveCount times goes to the DLQ unprocessed.
      const received = batch.filter((m) => {
        m.attempt++;
        if (m.attempt > MAX_RECEIVE_COUNT) {
          dlq.push({ message: m, reason: 'maxReceiveCount' });
          queue = queue.filter((q) => q !== m);
          return false;
        }
        return true;
      });
      for (const m of received) m.visibleAt = clock + 30_000; // in flight
      const { batchItemFailures } = await processAccountingBatch(received, deps);
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of received) {
        if (failed.has(m.messageId)) {
          if (m.visibleAt === clock + 30_000) m.visibleAt = clock + 1; // no ChangeMessageVisibility: retry soon
          continue;
        }
        queue = queue.filter((q) => q !== m);
        if (duplicates > 0 && random() < 0.3) {
          duplicates--;
          queue.push({ ...m, messageId: `m${seq++}`, attempt: 0, visibleAt: clock }); // delivered again
        }
      }
      clock += 100;
    }
  };

  await drain();
  const deadLettered = dlq.length;
  // The operator fixes the refused accounts and replays the DLQ (`quittance accounting redrive`) until it is empty.
  connector.refused.clear();
  let redrives = 0;
  while (dlq.length > 0 && redrives++ < 20) {
    queue = dlq.splice(0).map(({ message }) => ({ ...message, messageId: `m${seq++}`, attempt: 0, visibleAt: clock }));
    await drain();
  }
  return { all, connector, pushed, announced, dlq, deadLettered };
};

describe('accounting push under failure injection', () => {
  it('posts every entry exactly once despite outages, timeouts, lost answers, refusals and duplicate deliveries', async () => {
    let timeoutsSeen = 0;
    let duplicatesSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 1, max: 25 }),
        fc.record({
          outage: fc.integer({ min: 0, max: 40 }),
          refuse: fc.integer({ min: 0, max: 3 }),
          duplicates: fc.integer({ min: 0, max: 10 }),
          storeFailures: fc.integer({ min: 0, max: 5 }),
        }),
        async (seed, n, opts) => {
          const { all, connector, pushed, announced, dlq, deadLettered } = await simulate(seed, n, opts);
          // None lost: every entry reached the accounting system and was recorded.
          for (const e of all) {
            const key = idempotencyKeyOf(e);
            expect(connector.effects.get(key), key).toBe(1);
            expect(pushed.get(key)).toBe(connector.journals.get(key));
            expect(announced.get(e.id) ?? 0).toBeGreaterThanOrEqual(1);
          }
          // None doubled: no journal beyond one per entry.
          expect(connector.journals.size).toBe(all.length);
          expect(dlq).toEqual([]);
          if (opts.refuse > 0) expect(deadLettered).toBeGreaterThan(0);
          timeoutsSeen += connector.calls - all.length;
          duplicatesSeen += opts.duplicates;
        },
      ),
      { numRuns: 60 },
    );
    expect(timeoutsSeen).toBeGreaterThan(0);
    expect(duplicatesSeen).toBeGreaterThan(0);
  }, 120_000);

  it('keeps a FIFO group in order: after a failure the group’s later messages wait', async () => {
    const [a, b, c] = entries(3, 1);
    if (!a || !b || !c) throw new Error('unreachable');
    const posted: string[] = [];
    let first = true;
    const connector: AccountingConnector = {
      name: 'fake',
      post: async (e) => {
        if (first) {
          first = false;
          return { status: 'retryable', reason: 'HTTP 503' };
        }
        posted.push(e.id);
        return { status: 'posted', externalId: `J-${e.id}` };
      },
    };
    const deps: PushDeps = {
      connectorFor: async () => connector,
      pushed: { get: async () => null, put: async () => undefined },
      announce: async () => undefined,
      deadLetter: async () => undefined,
      delay: async () => undefined,
      sleep: () => new Promise(() => undefined),
      random: () => 0,
      policy,
    };
    const records = [a, b, c].map((entry, i) => ({ messageId: `m${i}`, groupId: 'co_0', attempt: 1, entry }));
    const result = await processAccountingBatch(records, deps);
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'm0' },
      { itemIdentifier: 'm1' },
      { itemIdentifier: 'm2' },
    ]);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['retry', 'skipped', 'skipped']);
    expect(posted).toEqual([]);
    const again = await processAccountingBatch(records, deps);
    expect(again.batchItemFailures).toEqual([]);
    expect(posted).toEqual([a.id, b.id, c.id]);
  });
});
