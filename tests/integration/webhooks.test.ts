import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeApi } from '../support/api-client.ts';
import { runCli } from '../support/cli.ts';
import { cardPayment, emailReceipt, purchase } from '../support/purchase.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
const tokens: Record<string, string> = {};

type Received = { path: string; headers: IncomingHttpHeaders; body: string; answered: number };
type Endpoint = { id: string; url: string; secret?: string; status: string };
type Delivery = {
  eventId: string;
  eventType: string;
  status: string;
  attempts: { at: string; httpStatus: number | null; response: string | null }[];
  nextAttemptAt: string | null;
};

/** A finance tool on 127.0.0.1: answers 500 to the first request of each webhook-id, 200 afterwards. */
const received: Received[] = [];
let receiver: Server;
let receiverUrl = '';

const request = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  for (const who of ['alice', 'manager', 'finance', 'admin'])
    tokens[who] = await api.token(`${who}@demo.quittance.local`);
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      const seen = received.some((r) => r.headers['webhook-id'] === id);
      const answered = req.url === '/gone' ? 410 : seen ? 200 : 500;
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), answered });
      res.writeHead(answered, { 'content-type': 'text/plain' });
      res.end(seen ? 'thanks' : 'temporarily broken');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

describe('outbound webhooks', () => {
  it('refuses URLs outside the rules with a 400 naming the field', async () => {
    for (const url of ['https://169.254.169.254/latest/meta-data', 'http://hooks.example.com/', 'https://10.0.0.8/']) {
      const res = await request('POST', '/webhook-endpoints', tokens.admin ?? '', {
        url,
        events: ['expense.approved'],
      });
      expect(res.status, url).toBe(400);
      expect(res.body.issues).toEqual([{ field: 'url', reason: expect.any(String) }]);
    }
    const unknownType = await request('POST', '/webhook-endpoints', tokens.admin ?? '', {
      url: `${receiverUrl}/x`,
      events: ['expense.exploded'],
    });
    expect(unknownType.status).toBe(400);
  });

  it('an approved expense reaches the endpoint signed, is retried after a 500, and is logged delivered with 2 attempts; a deleted endpoint gets nothing', async () => {
    const admin = tokens.admin ?? '';
    const created = await request('POST', '/webhook-endpoints', admin, {
      url: `${receiverUrl}/finance-tool`,
      events: ['expense.approved', 'entry.posted'],
      description: 'our ERP',
    });
    expect(created.status).toBe(201);
    const endpoint = created.body as unknown as Endpoint;
    expect(endpoint.secret).toMatch(/^whsec_/);
    const gone = (
      await request('POST', '/webhook-endpoints', admin, {
        url: `${receiverUrl}/deleted`,
        events: ['expense.approved'],
      })
    ).body as unknown as Endpoint;
    expect((await request('DELETE', `/webhook-endpoints/${gone.id}`, admin)).status).toBe(200);
    expect((await request('GET', `/webhook-endpoints/${gone.id}`, admin)).status).toBe(404);

    // Finance reads the endpoints, never the secret; only admins change them.
    const list = await request('GET', '/webhook-endpoints', tokens.finance ?? '');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect((list.body.items as Endpoint[]).map((e) => e.id)).toContain(endpoint.id);
    expect((list.body.items as Endpoint[]).map((e) => e.id)).not.toContain(gone.id);

    // A real expense, approved by its chain.
    const p = purchase();
    await emailReceipt(inject('smtpPort'), p);
    const txId = await cardPayment(apiUrl, p);
    const pending = await api.eventually(async () => {
      const res = await api.get<{ items: { id: string; status: string; cardTransactionIds: string[] }[] }>(
        '/expenses?limit=100',
        tokens.alice,
      );
      return res.body.items.find((e) => e.cardTransactionIds.includes(txId) && e.status === 'PENDING_APPROVAL');
    }, 30_000);
    expect((await api.post(`/expenses/${pending.id}/approve`, {}, tokens.manager)).status).toBe(200);
    expect((await api.post(`/expenses/${pending.id}/approve`, {}, tokens.finance)).status).toBe(200);

    const ours = () =>
      received.filter(
        (r) =>
          r.path === '/finance-tool' &&
          (JSON.parse(r.body) as { type: string; data: { expenseId?: string } }).data.expenseId === pending.id &&
          (JSON.parse(r.body) as { type: string }).type === 'expense.approved',
      );
    const [first, second] = await api.eventually(async () => {
      const got = ours();
      return got.length >= 2 ? got : undefined;
    }, 30_000);
    if (!first || !second) throw new Error('unreachable');
    expect([first.answered, second.answered]).toEqual([500, 200]);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    const payload = new Webhook(endpoint.secret ?? '').verify(second.body, {
      'webhook-id': String(second.headers['webhook-id']),
      'webhook-timestamp': String(second.headers['webhook-timestamp']),
      'webhook-signature': String(second.headers['webhook-signature']),
    }) as { id: string; type: string; createdAt: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({
      id: second.headers['webhook-id'],
      type: 'expense.approved',
      data: { expenseId: pending.id, employeeId: 'u_alice', type: 'card', reimbursable: false },
    });
    expect(Object.keys(payload).sort()).toEqual(['createdAt', 'data', 'id', 'type']);
    expect(payload.data).not.toHaveProperty('companyId');

    const delivery = await api.eventually(async () => {
      const res = await request('GET', `/webhook-endpoints/${endpoint.id}/deliveries?limit=100`, tokens.finance ?? '');
      const d = (res.body.items as Delivery[]).find((x) => x.eventId === payload.id);
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(delivery).toMatchObject({ eventType: 'expense.approved', nextAttemptAt: null });
    expect(delivery.attempts.map((a) => [a.httpStatus, a.response])).toEqual([
      [500, 'temporarily broken'],
      [200, 'thanks'],
    ]);
    const filtered = await request('GET', `/webhook-endpoints/${endpoint.id}/deliveries?status=failed`, admin);
    expect((filtered.body.items as Delivery[]).map((d) => d.eventId)).not.toContain(payload.id);

    expect(received.filter((r) => r.path === '/deleted')).toEqual([]);
  }, 90_000);

  it('rotating the secret signs with both for a while; another company cannot see the endpoint', async () => {
    const admin = tokens.admin ?? '';
    const endpoint = (
      await request('POST', '/webhook-endpoints', admin, {
        url: `${receiverUrl}/rotation`,
        events: ['receipt.extracted'],
      })
    ).body as unknown as Endpoint;
    const rotated = await request('POST', `/webhook-endpoints/${endpoint.id}/rotate-secret`, admin);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(Date.parse(String(rotated.body.previousSecretExpiresAt)) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const rival = await api.token('admin@rival.quittance.local');
    expect((await request('GET', `/webhook-endpoints/${endpoint.id}`, rival)).status).toBe(404);
    expect((await request('GET', `/webhook-endpoints/${endpoint.id}/deliveries`, rival)).status).toBe(404);
    const disabled = await request('PATCH', `/webhook-endpoints/${endpoint.id}`, admin, { enabled: false });
    expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'disabled by an administrator' });
    expect((await request('DELETE', `/webhook-endpoints/${endpoint.id}`, admin)).status).toBe(200);
  });

  it('sends a signed test event on request, through retries and the log; refuses for a disabled endpoint', async () => {
    const admin = tokens.admin ?? '';
    const endpoint = (
      await request('POST', '/webhook-endpoints', admin, { url: `${receiverUrl}/test-me`, events: ['entry.posted'] })
    ).body as unknown as Endpoint;
    expect((await request('POST', `/webhook-endpoints/${endpoint.id}/test`, tokens.finance ?? '')).status).toBe(403);
    const sent = await request('POST', `/webhook-endpoints/${endpoint.id}/test`, admin);
    expect(sent.status).toBe(202);
    const eventId = String(sent.body.eventId);
    const delivered = await api.eventually(async () => {
      const got = received.filter((r) => r.path === '/test-me' && r.headers['webhook-id'] === eventId);
      return got.find((r) => r.answered === 200);
    }, 30_000);
    const payload = new Webhook(endpoint.secret ?? '').verify(delivered.body, {
      'webhook-id': String(delivered.headers['webhook-id']),
      'webhook-timestamp': String(delivered.headers['webhook-timestamp']),
      'webhook-signature': String(delivered.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({ id: eventId, type: 'webhook.test', data: { endpointId: endpoint.id } });
    const log = await api.eventually(async () => {
      const res = await request('GET', `/webhook-endpoints/${endpoint.id}/deliveries`, admin);
      const d = (res.body.items as Delivery[]).find((x) => x.eventId === eventId);
      return d?.status === 'delivered' ? d : undefined;
    }, 30_000);
    expect(log).toMatchObject({ eventType: 'webhook.test', status: 'delivered' });
    const after = (await request('GET', `/webhook-endpoints/${endpoint.id}`, admin)).body as unknown as {
      lastDeliveredAt: string | null;
    };
    expect(Date.parse(after.lastDeliveredAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    // A receiver that answers 410 Gone: the endpoint is disabled, with the reason.
    const gone = (
      await request('POST', '/webhook-endpoints', admin, { url: `${receiverUrl}/gone`, events: ['entry.posted'] })
    ).body as unknown as Endpoint;
    expect((await request('POST', `/webhook-endpoints/${gone.id}/test`, admin)).status).toBe(202);
    await api.eventually(async () => {
      const e = (await request('GET', `/webhook-endpoints/${gone.id}`, admin)).body as { disabledReason?: string };
      return e.disabledReason?.includes('410 Gone') ? true : undefined;
    }, 30_000);
    // The company's administrators are told, once, with the endpoint and how to turn it back on.
    const notices = async () =>
      (
        (await (await fetch(`${apiUrl}/_local/outbox?to=admin@demo.quittance.local`)).json()) as {
          items: { subject: string; text: string }[];
        }
      ).items.filter((m) => m.subject.includes(`${receiverUrl}/gone`));
    const notice = await api.eventually(async () => ((await notices()).length > 0 ? notices() : undefined), 30_000);
    expect(notice).toHaveLength(1);
    expect(notice[0]?.text).toContain(`${gone.id} (${receiverUrl}/gone) was disabled: `);
    expect(notice[0]?.text).toContain('410 Gone');
    await request('PATCH', `/webhook-endpoints/${endpoint.id}`, admin, { enabled: false });
    const refused = await request('POST', `/webhook-endpoints/${endpoint.id}/test`, admin);
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([{ field: 'id', reason: expect.stringContaining('disabled') }]);
    const missing = await request('POST', '/webhook-endpoints/we_nope/test', admin);
    expect(missing.status).toBe(404);
  }, 90_000);

  it('the CLI lists endpoints, sends a test event and shows its delivery', async () => {
    const admin = tokens.admin ?? '';
    const endpoint = (
      await request('POST', '/webhook-endpoints', admin, { url: `${receiverUrl}/cli`, events: ['expense.booked'] })
    ).body as unknown as Endpoint;
    const list = await runCli(['webhooks', 'list'], apiUrl);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^id\s+status\s+last delivered\s+events\s+url/);
    expect(list.stdout).toContain(`${endpoint.id}  enabled`);
    const test = await runCli(['webhooks', 'test', endpoint.id], apiUrl);
    expect(test.code).toBe(0);
    const eventId = test.stdout.split('\n')[0] ?? '';
    expect(eventId).toMatch(/^evt_/);
    await api.eventually(async () => {
      const log = await runCli(['webhooks', 'deliveries', endpoint.id], apiUrl);
      return log.stdout.split('\n').some((l) => l.startsWith(eventId) && /webhook\.test\s+delivered/.test(l))
        ? true
        : undefined;
    }, 30_000);
    expect((await runCli(['webhooks', 'deliveries'], apiUrl)).code).not.toBe(0);
    expect((await runCli(['webhooks', 'test', 'we_nope'], apiUrl)).code).not.toBe(0);
  }, 90_000);
});
