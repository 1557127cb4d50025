import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_WEBHOOK_SECRETS } from '../../infra/local/local-secrets.ts';
import {
  authorizationClosed,
  authorizationCreated,
  authorizationRequest,
  newAuthorization,
  type SimMerchant,
  sendStripe,
  signStripe,
  transactionCreated,
  transactionObject,
} from '../../infra/local/stripe-simulator.ts';
import { makeApi } from '../support/api-client.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
const SECRET = LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
const ALICE_CARD = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
const BRASSERIE: SimMerchant = { name: 'BRASSERIE DU MARCHE', mcc: '5812', city: 'PARIS', country: 'FR' };
let finance = '';

type Line = {
  lineId: string;
  budgetId: string;
  reserved: { amount: string };
  settled: { amount: string };
  available: { amount: string };
};
const budget = async (budgetId: string): Promise<Line> => {
  const res = await api.get<{ items: Line[] }>('/cards/budgets', finance);
  const line = res.body.items.find((l) => l.budgetId === budgetId);
  if (!line) throw new Error(`no budget ${budgetId}`);
  return line;
};
const cents = (s: string) => Math.round(Number(s) * 100);

beforeAll(async () => {
  finance = await api.token('finance@demo.quittance.local');
});

describe('card webhooks against the local cloud', () => {
  it('approves a request, reserves it once, settles the capture with its tip and releases the rest', async () => {
    const before = await budget('alice-monthly');
    const a = newAuthorization(ALICE_CARD, BRASSERIE, 4250);
    const request = authorizationRequest(a);
    expect(await sendStripe(apiUrl, SECRET, request)).toEqual({ status: 200, body: { approved: true } });
    // Stripe retries: the same event gets the same answer and reserves nothing more.
    expect(await sendStripe(apiUrl, SECRET, request)).toEqual({ status: 200, body: { approved: true } });
    const reserved = await budget('alice-monthly');
    expect(cents(reserved.reserved.amount) - cents(before.reserved.amount)).toBe(4250);

    const tx = transactionObject(a, 4800); // 42.50 + a 5.50 tip
    // Out of order: the capture arrives before the authorization's creation event.
    expect((await sendStripe(apiUrl, SECRET, transactionCreated(tx))).status).toBe(200);
    expect((await sendStripe(apiUrl, SECRET, authorizationCreated(a, true))).status).toBe(200);
    expect((await sendStripe(apiUrl, SECRET, authorizationClosed(a, [tx]))).status).toBe(200);
    expect((await sendStripe(apiUrl, SECRET, transactionCreated(tx))).status).toBe(200); // duplicate content, new event id

    const after = await budget('alice-monthly');
    expect(cents(after.reserved.amount)).toBe(cents(before.reserved.amount));
    expect(cents(after.settled.amount) - cents(before.settled.amount)).toBe(4800);
  });

  it('declines what the controls forbid, with the reasons stored and sent to Stripe', async () => {
    const casino = newAuthorization(
      ALICE_CARD,
      { name: 'LUCKY CASINO', mcc: '7995', city: 'NICE', country: 'FR' },
      1000,
    );
    const declined = await sendStripe(apiUrl, SECRET, authorizationRequest(casino));
    expect(declined.body).toMatchObject({
      approved: false,
      metadata: { quittance_reasons: expect.stringMatching(/mcc-blocked/) },
    });
    const big = await sendStripe(
      apiUrl,
      SECRET,
      authorizationRequest(newAuthorization(ALICE_CARD, BRASSERIE, 250_000)),
    );
    expect(big.body).toMatchObject({
      approved: false,
      metadata: { quittance_reasons: expect.stringMatching(/over-transaction-cap/) },
    });
    const decisions = await api.get<{
      items: { authorizationId: string; approved: boolean; reasons: { code: string }[] }[];
    }>('/cards/authorizations', finance);
    expect(decisions.body.items.find((d) => d.authorizationId === casino.id)?.reasons.map((r) => r.code)).toContain(
      'mcc-blocked',
    );
  });

  it('declines an unassigned card and shows it to finance', async () => {
    const unknownCard = { id: `ic_unknown_${randomUUID().slice(0, 8)}`, last4: '0000', cardholderId: 'ich_x' };
    const res = await sendStripe(apiUrl, SECRET, authorizationRequest(newAuthorization(unknownCard, BRASSERIE, 500)));
    expect(res.body).toMatchObject({ approved: false, metadata: { quittance_reasons: 'card-unassigned' } });
  });

  it('never overspends: 200 authorizations racing for one employee', async () => {
    const bobCard = { id: 'ic_demo_bob_race', last4: '7777', cardholderId: 'ich_bob' };
    // Finance gives Bob a Stripe card for this test (his seeded card is a Lithic one).
    const assigned = await fetch(`${apiUrl}/cards/stripe/${bobCard.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${finance}` },
      body: JSON.stringify({ employeeId: 'u_bob' }),
    });
    expect(assigned.status).toBe(200);
    const before = await budget('bob-monthly');
    const requests = Array.from({ length: 200 }, () => authorizationRequest(newAuthorization(bobCard, BRASSERIE, 700)));
    const answers = await Promise.all(requests.map((r) => sendStripe(apiUrl, SECRET, r)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const approved = answers.filter((a) => a.body.approved === true).length;
    // Never more than the budget, at any moment (the reservation is a conditional write)...
    const during = await budget('bob-monthly');
    expect(cents(during.available.amount)).toBeGreaterThanOrEqual(0);
    // ...and once decisions that missed the deadline (answered by the fallback) have released what they
    // reserved late, exactly what was approved stays reserved.
    const after = await api.eventually(async () => {
      const line = await budget('bob-monthly');
      return cents(line.reserved.amount) - cents(before.reserved.amount) === approved * 700 ? line : undefined;
    }, 60_000);
    const reservedDelta = cents(after.reserved.amount) - cents(before.reserved.amount);
    expect(reservedDelta).toBeLessThanOrEqual(cents(before.available.amount));
    expect(cents(after.available.amount)).toBeGreaterThanOrEqual(0);
    expect(approved).toBeGreaterThan(0);
  }, 120_000);

  it.each([
    ['unsigned', (body: string) => ({ 'content-type': 'application/json', body }), 401],
    ['wrongly signed', (body: string) => ({ 'stripe-signature': signStripe(body, 'whsec_wrong'), body }), 401],
    [
      'stale (replayed an hour later)',
      (body: string) => ({ 'stripe-signature': signStripe(body, SECRET, Math.floor(Date.now() / 1000) - 3600), body }),
      401,
    ],
    ['malformed JSON', (_: string) => ({ 'stripe-signature': signStripe('{"id":', SECRET), body: '{"id":' }), 400],
    [
      'oversized (> 1 MB)',
      (_: string) => {
        const body = JSON.stringify({ id: 'evt_big', padding: 'x'.repeat(1_100_000) });
        return { 'stripe-signature': signStripe(body, SECRET), body };
      },
      413,
    ],
  ])('refuses a %s webhook with a 4xx and no side effect', async (_label, make, status) => {
    const before = await budget('alice-monthly');
    const a = newAuthorization(ALICE_CARD, BRASSERIE, 1234);
    const { body, ...headers } = make(JSON.stringify(authorizationRequest(a)));
    const res = await fetch(`${apiUrl}/webhooks/stripe`, { method: 'POST', headers, body });
    expect(res.status).toBe(status);
    expect((await budget('alice-monthly')).reserved).toEqual(before.reserved);
  });

  it('acknowledges and ignores unknown event types', async () => {
    const res = await sendStripe(apiUrl, SECRET, {
      id: `evt_${randomUUID()}`,
      object: 'event',
      type: 'issuing_dispute.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: {} },
    });
    expect(res.status).toBe(200);
  });

  it('answers a Lithic Auth Stream Access request signed with Standard Webhooks', async () => {
    const asa = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../../shared/data/card-webhooks/lithic/asa_request__asa-demo-python.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const body = JSON.stringify({ ...asa, token: randomUUID() });
    const id = `msg_${randomUUID()}`;
    const t = Math.floor(Date.now() / 1000);
    const key = Buffer.from(LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_LITHIC.replace(/^whsec_/, ''), 'base64');
    const signature = `v1,${createHmac('sha256', key).update(`${id}.${t}.${body}`).digest('base64')}`;
    const res = await fetch(`${apiUrl}/webhooks/lithic`, {
      method: 'POST',
      headers: { 'webhook-id': id, 'webhook-timestamp': String(t), 'webhook-signature': signature },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: expect.any(String) });
    const unsigned = await fetch(`${apiUrl}/webhooks/lithic`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
  });

  it('answers a Marqeta JIT Funding request with Basic auth, and refuses bad credentials', async () => {
    const jit = JSON.parse(
      readFileSync(join(import.meta.dirname, '../fixtures/cards/marqeta/jit-funding-request.json'), 'utf8'),
    ) as Record<string, unknown>;
    const body = JSON.stringify({ ...jit, token: randomUUID() });
    const [user, password] = LOCAL_WEBHOOK_SECRETS.WEBHOOK_CREDENTIALS_MARQETA.split(':');
    const auth = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    const res = await fetch(`${apiUrl}/webhooks/marqeta`, {
      method: 'POST',
      headers: { authorization: auth(user ?? '', password ?? ''), 'content-type': 'application/json' },
      body,
    });
    // The card is not assigned to anyone in the demo company: Marqeta's decline (402) with a JIT reason code.
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ jit_funding: { decline_reason: expect.any(String) } });
    const bad = await fetch(`${apiUrl}/webhooks/marqeta`, {
      method: 'POST',
      headers: { authorization: auth('x', 'y') },
      body,
    });
    expect(bad.status).toBe(401);
  });

  it('locks the card of an employee with a receipt missing for too long (the control of the company)', async () => {
    const card = { id: 'ic_manager_lock', last4: '1111', cardholderId: 'ich_manager' };
    const assigned = await fetch(`${apiUrl}/cards/stripe/${card.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${finance}` },
      body: JSON.stringify({ employeeId: 'u_manager' }),
    });
    expect(assigned.status).toBe(200);
    expect(
      (await sendStripe(apiUrl, SECRET, authorizationRequest(newAuthorization(card, BRASSERIE, 1500)))).body,
    ).toEqual({
      approved: true,
    });
    // A payment captured 40 days ago and still without a receipt (the demo controls lock after 30 days).
    const old = newAuthorization(card, BRASSERIE, 2000);
    const tx = { ...transactionObject(old, 2000), created: Math.floor(Date.now() / 1000) - 40 * 86_400 };
    expect((await sendStripe(apiUrl, SECRET, transactionCreated(tx))).status).toBe(200);
    const locked = await api.eventually(async () => {
      const r = await sendStripe(apiUrl, SECRET, authorizationRequest(newAuthorization(card, BRASSERIE, 1500)));
      return r.body.approved === false ? r.body : undefined;
    }, 20_000);
    expect(locked).toMatchObject({ metadata: { quittance_reasons: expect.stringMatching(/receipts-overdue/) } });
  });
});

describe('spend controls through the finance API', () => {
  it('reads the controls and writes them back unchanged; an unknown field is refused', async () => {
    const finance = await api.token('finance@demo.quittance.local');
    const call = async (method: string, body?: unknown) => {
      const res = await fetch(`${apiUrl}/cards/controls`, {
        method,
        headers: { authorization: `Bearer ${finance}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: res.status,
        body: (await res.json()) as Record<string, unknown> & { issues?: { field: string }[] },
      };
    };
    const current = await call('GET');
    expect(current.status).toBe(200);
    const { companyId, ...controls } = current.body;
    const written = await call('PUT', current.body); // as read back, company included
    expect((await call('PUT', { ...controls, companyId: 'rival' })).status).toBe(400);
    expect(companyId).toBe('demo');
    expect(written.status).toBe(200);
    expect(written.body.budgets).toEqual(current.body.budgets);
    expect((await call('GET')).body).toEqual(current.body);
    const refused = await call('PUT', { ...controls, colour: 'blue' });
    expect(refused.status).toBe(400);
    expect(refused.body.issues?.map((i) => i.field)).toContain('colour');
  });
});
