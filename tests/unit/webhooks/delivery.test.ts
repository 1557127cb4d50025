import { describe, expect, it } from 'vitest';
import { verifyLithicSignature } from '../../../shared/domain/cards/verify-lithic.ts';
import { DEFAULT_RETRY_POLICY, backoffDelayMs as pushBackoff } from '../../../shared/domain/ledger/push.ts';
import { backoffDelayMs } from '../../../shared/domain/retry.ts';
import {
  type Claim,
  type DeliverDeps,
  type Delivery,
  type DeliveryRecord,
  decideDelivery,
  DEFAULT_WEBHOOK_RETRY_POLICY as P,
  parseRetryAfter,
  processDeliveryBatch,
  retrySchedule,
  type SendResult,
} from '../../../shared/domain/webhooks/delivery.ts';
import { liveSecrets, rotateSecret, type WebhookEndpoint } from '../../../shared/domain/webhooks/endpoints.ts';
import { newSigningSecret } from '../../../shared/domain/webhooks/signature.ts';

const MIN = 60_000;
const H = 60 * MIN;

describe('retry schedule', () => {
  it('is exponential ×3 from 1 minute, capped at 10 h: 7 retries over about 16 h at most', () => {
    expect(retrySchedule(P)).toEqual([1 * MIN, 3 * MIN, 9 * MIN, 27 * MIN, 81 * MIN, 243 * MIN, 10 * H]);
  });

  it('jitters each delay within [half, full) of the nominal delay', () => {
    for (let attempt = 1; attempt < P.maxAttempts; attempt++) {
      const nominal = retrySchedule(P)[attempt - 1] ?? 0;
      expect(backoffDelayMs(attempt, P, () => 0)).toBe(nominal / 2);
      expect(backoffDelayMs(attempt, P, () => 0.999_999)).toBeLessThan(nominal);
      expect(backoffDelayMs(attempt, P, () => 0.999_999)).toBeGreaterThan(nominal * 0.99);
    }
  });

  it('leaves the accounting push schedule as it was (factor 2 by default)', () => {
    expect(pushBackoff(3, DEFAULT_RETRY_POLICY, () => 0)).toBe(4_000);
    expect(pushBackoff(1, DEFAULT_RETRY_POLICY, () => 0, 30_000)).toBe(30_000);
    expect(pushBackoff(40, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(Math.floor(15 * MIN * 0.75));
  });
});

describe('decideDelivery', () => {
  const res = (status: number, retryAfterMs?: number): SendResult => ({
    kind: 'response',
    status,
    body: '',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
  it('2xx is delivered', () => {
    for (const s of [200, 201, 204, 299]) expect(decideDelivery(res(s), 1, P, () => 0).status).toBe('delivered');
  });
  it('410 Gone fails at once and disables the endpoint', () => {
    expect(decideDelivery(res(410), 1, P, () => 0)).toEqual({
      status: 'failed',
      reason: 'the receiver answered 410 Gone',
      deadLetter: false,
      disableEndpoint: true,
    });
  });
  it('other answers, timeouts and errors are retried with backoff until the last attempt, then dead-lettered', () => {
    for (const r of [res(500), res(404), res(301), res(429), { kind: 'error', message: 'timeout' } as SendResult]) {
      expect(decideDelivery(r, 2, P, () => 0)).toMatchObject({ status: 'retrying', delayMs: (3 * MIN) / 2 });
      expect(decideDelivery(r, P.maxAttempts, P, () => 0)).toMatchObject({
        status: 'failed',
        deadLetter: true,
        disableEndpoint: false,
      });
    }
  });
  it('honours Retry-After when longer, up to the policy cap', () => {
    expect(decideDelivery(res(429, 5 * MIN), 1, P, () => 0)).toMatchObject({ delayMs: 5 * MIN });
    expect(decideDelivery(res(503, 48 * H), 1, P, () => 0)).toMatchObject({ delayMs: 10 * H });
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- the consumer, over in-memory ports

const endpoint = (over: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: 'we_1',
  url: 'https://hooks.example.com/q',
  events: ['expense.approved'],
  description: '',
  status: 'enabled',
  disabledReason: null,
  secret: newSigningSecret(),
  previousSecret: null,
  previousSecretExpiresAt: null,
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'u_admin',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});

const record = (attempt = 1, endpointId = 'we_1'): DeliveryRecord => ({
  messageId: `m-${endpointId}-${attempt}`,
  attempt,
  companyId: 'demo',
  endpointId,
  event: {
    id: 'evt_0000000000000000000000001',
    type: 'expense.approved',
    createdAt: '2026-01-01T00:00:00.000Z',
    data: { expenseId: 'exp_1' },
  },
});

const world = (endpoints: WebhookEndpoint[], answers: SendResult[]) => {
  const deliveries = new Map<string, Delivery & { lease?: number }>();
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  const dead: string[] = [];
  const delays: number[] = [];
  const notices: string[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const deps: DeliverDeps = {
    endpoints: {
      get: async (_c, id) => endpoints.find((e) => e.id === id) ?? null,
      disable: async (_c, id, reason) => {
        const e = endpoints.find((x) => x.id === id);
        if (e?.status !== 'enabled') return false;
        Object.assign(e, { status: 'disabled', disabledReason: reason });
        return true;
      },
      markDelivered: async (_c, id, at) => {
        const e = endpoints.find((x) => x.id === id);
        if (e) e.lastDeliveredAt = at.toISOString();
      },
    },
    log: {
      async claim(_c, endpointId, event, now, leaseMs): Promise<Claim> {
        const k = `${endpointId}/${event.id}`;
        const d = deliveries.get(k);
        if (d?.status === 'delivered') return { state: 'delivered' };
        if (d?.lease && d.lease > now.getTime()) return { state: 'busy', retryInMs: d.lease - now.getTime() };
        deliveries.set(k, {
          endpointId,
          eventId: event.id,
          eventType: event.type,
          status: d?.status ?? 'pending',
          attempts: d?.attempts ?? [],
          nextAttemptAt: d?.nextAttemptAt ?? null,
          reason: d?.reason ?? null,
          createdAt: d?.createdAt ?? now.toISOString(),
          updatedAt: now.toISOString(),
          lease: now.getTime() + leaseMs,
        });
        return { state: 'claimed' };
      },
      async settle(_c, endpointId, eventId, change) {
        const d = deliveries.get(`${endpointId}/${eventId}`);
        if (!d) throw new Error('settle without claim');
        Object.assign(d, {
          status: change.status,
          nextAttemptAt: change.nextAttemptAt,
          reason: change.reason,
          attempts: change.attempt ? [...d.attempts, change.attempt] : d.attempts,
          lease: undefined,
        });
      },
    },
    sender: {
      async post(url, headers, body) {
        sent.push({ url, headers, body });
        return answers.shift() ?? { kind: 'response', status: 200, body: 'ok' };
      },
    },
    allowLoopbackHttp: false,
    now: () => {
      clock += 5;
      return new Date(clock);
    },
    random: () => 0,
    policy: P,
    deadLetter: async (r, reason) => void dead.push(`${r.messageId}: ${reason}`),
    delay: async (_r, ms) => void delays.push(ms),
    notifyDisabled: async (companyId, e, reason) => void notices.push(`${companyId}/${e.id}: ${reason}`),
  };
  return { deps, deliveries, sent, dead, delays, notices };
};

describe('processDeliveryBatch', () => {
  it('500 then 200: retried with backoff, then delivered with both attempts logged; signed each time', async () => {
    const ep = endpoint();
    const w = world([ep], [{ kind: 'response', status: 500, body: 'x'.repeat(2000) }]);
    const first = await processDeliveryBatch([record(1)], w.deps);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-we_1-1' }]);
    expect(w.delays).toEqual([P.baseDelayMs / 2]);
    const second = await processDeliveryBatch([record(2)], w.deps);
    expect(second.batchItemFailures).toEqual([]);
    const d = w.deliveries.get('we_1/evt_0000000000000000000000001');
    expect(d?.status).toBe('delivered');
    expect(d?.attempts.map((a) => a.httpStatus)).toEqual([500, 200]);
    expect(d?.attempts[0]?.response).toHaveLength(500);
    expect(w.sent).toHaveLength(2);
    for (const s of w.sent) {
      expect(JSON.parse(s.body)).toEqual(record().event);
      expect(verifyLithicSignature(s.body, s.headers, [ep.secret], new Date('2026-01-01T00:00:00Z')).ok).toBe(true);
      expect(s.headers['webhook-id']).toBe('evt_0000000000000000000000001');
    }
  });

  it('never sends again what already got a 2xx (redelivered message or event)', async () => {
    const w = world([endpoint()], []);
    await processDeliveryBatch([record(1)], w.deps);
    const again = await processDeliveryBatch([record(1), record(3)], w.deps);
    expect(w.sent).toHaveLength(1);
    expect(again.outcomes.map((o) => o.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(again.batchItemFailures).toEqual([]);
  });

  it('does not send while another attempt holds the delivery; it comes back after the lease', async () => {
    const w = world([endpoint()], []);
    await w.deps.log.claim('demo', 'we_1', record().event, w.deps.now(), 30_000);
    const r = await processDeliveryBatch([record(1)], w.deps);
    expect(r.outcomes[0]?.outcome).toBe('busy');
    expect(r.batchItemFailures).toHaveLength(1);
    expect(w.sent).toHaveLength(0);
  });

  it('the last attempt marks the delivery failed and dead-letters the message with the reason', async () => {
    const w = world([endpoint()], [{ kind: 'error', message: 'no answer within 10000 ms' }]);
    const r = await processDeliveryBatch([record(P.maxAttempts)], w.deps);
    expect(r.batchItemFailures).toEqual([]);
    expect(w.dead).toEqual([`m-we_1-${P.maxAttempts}: gave up after 8 attempts: no answer within 10000 ms`]);
    const d = w.deliveries.get('we_1/evt_0000000000000000000000001');
    expect(d).toMatchObject({ status: 'failed', attempts: [{ httpStatus: null, error: 'no answer within 10000 ms' }] });
  });

  it('410 Gone disables the endpoint; later deliveries to it are cancelled without a request', async () => {
    const ep = endpoint();
    const w = world([ep], [{ kind: 'response', status: 410, body: '' }]);
    await processDeliveryBatch([record(1)], w.deps);
    expect(ep.status).toBe('disabled');
    expect(ep.disabledReason).toMatch(/410 Gone/);
    expect(w.dead).toEqual([]);
    const other = { ...record(1), messageId: 'm2', event: { ...record().event, id: 'evt_0000000000000000000000002' } };
    const r = await processDeliveryBatch([other], w.deps);
    expect(r.outcomes[0]).toMatchObject({ outcome: 'cancelled', detail: 'the endpoint is disabled' });
    expect(w.sent).toHaveLength(1);
  });

  it('tells the administrators once when deliveries disable an endpoint, even when several fail at once', async () => {
    const ep = endpoint();
    const gone: SendResult = { kind: 'response', status: 410, body: '' };
    const w = world([ep], [gone, gone, gone]);
    const events = [1, 2, 3].map((n) => ({
      ...record(1),
      messageId: `m${n}`,
      event: { ...record().event, id: `evt_000000000000000000000000${n}` },
    }));
    await processDeliveryBatch(events, w.deps);
    expect(w.notices).toEqual([expect.stringMatching(/^demo\/we_1: .*410 Gone/)]);
  });

  it('does not tell anyone when an administrator had disabled the endpoint, nor fail when telling fails', async () => {
    const ep = endpoint();
    const w = world([ep], [{ kind: 'response', status: 410, body: '' }]);
    w.deps.notifyDisabled = async () => {
      throw new Error('SES is down');
    };
    const r = await processDeliveryBatch([record(1)], w.deps);
    expect(r.outcomes[0]?.outcome).toBe('failed');
    expect(ep.status).toBe('disabled');
    const off = world([endpoint({ status: 'disabled', disabledReason: 'disabled by an administrator' })], []);
    await processDeliveryBatch([record(1)], off.deps);
    expect(off.notices).toEqual([]);
  });

  it('a deleted endpoint gets nothing', async () => {
    const w = world([], []);
    const r = await processDeliveryBatch([record(1)], w.deps);
    expect(r.outcomes[0]).toMatchObject({ outcome: 'cancelled', detail: 'the endpoint was deleted' });
    expect(w.sent).toHaveLength(0);
  });

  it('refuses a URL the guard refuses at send time, as a failed attempt (no request made)', async () => {
    const w = world([endpoint({ url: 'https://169.254.169.254/latest' })], []);
    const r = await processDeliveryBatch([record(1)], w.deps);
    expect(r.outcomes[0]?.outcome).toBe('retrying');
    expect(w.sent).toHaveLength(0);
    expect(w.deliveries.get('we_1/evt_0000000000000000000000001')?.attempts[0]?.error).toMatch(/URL refused/);
  });

  it('signs with both secrets for 24 h after a rotation', () => {
    const ep = endpoint();
    const now = new Date('2026-01-01T00:00:00Z');
    const rotated = rotateSecret(ep, newSigningSecret(), now);
    expect(liveSecrets(rotated, now)).toEqual([rotated.secret, ep.secret]);
    expect(liveSecrets(rotated, new Date(now.getTime() + 24 * H - 1))).toHaveLength(2);
    expect(liveSecrets(rotated, new Date(now.getTime() + 24 * H))).toEqual([rotated.secret]);
  });

  it('keeps the message when our own store fails (nothing lost)', async () => {
    const w = world([endpoint()], []);
    w.deps.log.claim = async () => {
      throw new Error('DynamoDB unavailable');
    };
    const r = await processDeliveryBatch([record(1)], w.deps);
    expect(r.batchItemFailures).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ outcome: 'error', detail: 'DynamoDB unavailable' });
  });

  describe('an endpoint that stopped taking deliveries', () => {
    const failing: SendResult[] = [{ kind: 'response', status: 503, body: '' }];
    const DAY = 24 * H;
    const ago = (ms: number) => new Date(Date.parse('2026-01-01T00:00:00Z') - ms).toISOString();

    it('is disabled when a delivery fails for good and nothing was delivered for 5 days', async () => {
      const ep = endpoint({ updatedAt: ago(30 * DAY), lastDeliveredAt: ago(6 * DAY) });
      const w = world([ep], [...failing]);
      const r = await processDeliveryBatch([record(P.maxAttempts)], w.deps);
      expect(r.outcomes[0]).toMatchObject({
        outcome: 'dead-lettered',
        detail: expect.stringContaining('endpoint disabled'),
      });
      expect(ep.status).toBe('disabled');
      expect(ep.disabledReason).toMatch(/^no delivery succeeded for 5 days \(none since 2025-12-26T00:00:00.000Z\)/);
    });

    it('stays enabled after a recent success, or when an administrator re-enabled it lately', async () => {
      for (const ep of [
        endpoint({ updatedAt: ago(30 * DAY), lastDeliveredAt: ago(2 * DAY) }),
        endpoint({ updatedAt: ago(1 * DAY), lastDeliveredAt: ago(10 * DAY) }),
      ]) {
        const w = world([ep], [...failing]);
        await processDeliveryBatch([record(P.maxAttempts)], w.deps);
        expect(ep.status).toBe('enabled');
      }
      // A failure that will be retried never disables, however old the last success.
      const old = endpoint({ updatedAt: ago(30 * DAY), lastDeliveredAt: ago(30 * DAY) });
      await processDeliveryBatch([record(1)], world([old], [...failing]).deps);
      expect(old.status).toBe('enabled');
    });

    it('records the time of successes, to the hour', async () => {
      const stale = endpoint({ lastDeliveredAt: ago(2 * H) });
      await processDeliveryBatch([record(1)], world([stale], []).deps);
      expect(Date.parse(stale.lastDeliveredAt ?? '')).toBeGreaterThanOrEqual(Date.parse('2026-01-01T00:00:00Z'));
      const fresh = endpoint({ lastDeliveredAt: ago(10 * MIN) });
      await processDeliveryBatch([record(1)], world([fresh], []).deps);
      expect(fresh.lastDeliveredAt).toBe(ago(10 * MIN));
    });
  });
});
