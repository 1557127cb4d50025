import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import { DEMO_USERS, OTHER_USERS } from '../../infra/local/seed.ts';
import { topology } from '../../infra/topology.ts';
import { API_PERMISSIONS } from '../../shared/domain/api-permissions.ts';
import { makeApi, sendMail } from '../support/api-client.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
const routes = Object.values(topology.functions).flatMap((f) =>
  f.trigger.type === 'http' && f.trigger.auth === 'jwt' ? f.trigger.routes : [],
);

/** Minimal valid bodies, so that an allowed call is not refused for another reason than its role. */
const BODIES: Record<string, unknown> = {
  'POST /receipts/uploads': { fileName: 'a.pdf', contentType: 'application/pdf', size: 100 },
  'POST /receipts/{id}/retry': {},
  // Invalid on purpose: allowed roles get a 400, nothing is written (the demo's controls stay).
  'PUT /cards/controls': {},
  'PUT /cards/{processor}/{cardId}': { employeeId: null },
  // Valid bodies on {id} routes, so the request passes the contract and reaches the data (the id is never theirs).
  'POST /receipts/{id}/link': { transactionId: 'tx_not_there' },
  'POST /expenses/{id}/reject': {},
  // Invalid on purpose: nothing is created or written.
  'POST /expenses': {},
  'PUT /policies': { policy: { version: 'x' } },
  'POST /reimbursements': { executionDate: 'not-a-date' },
  'POST /cards/transactions/{id}/lost-receipt': { description: 'lunch with a client, receipt lost' },
  'PUT /delegations': {},
  // Invalid on purpose: the seeded users and company stay as they are.
  'PUT /company': {},
  'POST /users': {},
  'PATCH /users/{id}': { displayName: 'Mallory' },
  'PATCH /entities/{id}': { name: 'Mallory SAS' },
  // Invalid on purpose: no entity or document is created.
  'POST /entities': {},
  'POST /company/documents': {},
  'POST /cards/transactions/{id}/lost-receipt/decision': { accepted: true },
  // Invalid on purpose: no endpoint is registered. A valid patch, so the {id} route reaches the data (404).
  'POST /webhook-endpoints': {},
  'PATCH /webhook-endpoints/{id}': { description: 'Mallory' },
};

let aliceReceiptId = '';
const tokens = new Map<string, string>();

const call = async (routeKey: string, token: string, id: string) => {
  const [method = 'GET', template = '/'] = routeKey.split(' ');
  const path = template.replace('{id}', id).replace('{processor}', 'stripe').replace('{cardId}', 'ic_perm_test');
  const query: Record<string, string> = {
    'GET /cards/transactions': '?missingReceipt=true',
    'GET /exports/fec': '?from=2026-01-01&to=2026-12-31',
    'GET /exports/journal': '?from=2026-01-01&to=2026-12-31',
    'GET /reports/spend': '?from=2026-01&to=2026-12',
    'GET /reports/cash-out': '?from=2026-01-01&to=2026-12-31',
  };
  const res = await fetch(`${apiUrl}${path}${query[routeKey] ?? ''}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { body: JSON.stringify(BODIES[routeKey] ?? {}) }),
  });
  return res.status;
};

beforeAll(async () => {
  for (const u of [...DEMO_USERS, ...OTHER_USERS]) tokens.set(u.userId, await api.token(u.email));
  const subject = `perm ${randomUUID()}`;
  await sendMail(inject('smtpPort'), {
    from: 'alice@demo.quittance.local',
    to: 'receipts@demo.quittance.local',
    subject,
    attachments: [{ filename: 'p.pdf', content: Buffer.from(await makeSampleReceiptPdf()) }],
  });
  const finance = tokens.get('u_finance') ?? '';
  aliceReceiptId = await api.eventually(async () => {
    const res = await api.get<{ items: { id: string; subject: string }[] }>('/receipts?limit=100', finance);
    return res.body.items.find((r) => r.subject === subject)?.id;
  });
});

describe('every route × every role (kept as data in API_PERMISSIONS)', () => {
  it.each(routes)('%s', async (routeKey) => {
    const allowed = API_PERMISSIONS[routeKey] ?? [];
    for (const user of DEMO_USERS) {
      const status = await call(routeKey, tokens.get(user.userId) ?? '', aliceReceiptId);
      const mayCall = user.roles.some((r) => allowed.includes(r));
      if (mayCall) expect(status, `${user.email} on ${routeKey}`).not.toBe(403);
      else expect(status, `${user.email} on ${routeKey}`).toBe(403);
      expect(status, `${user.email} on ${routeKey}`).toBeLessThan(500);
    }
  });
});

describe('tenant isolation: another company’s users never reach this company’s data', () => {
  it.each(routes.filter((r) => r.includes('{id}')))('%s on a demo receipt → 403/404', async (routeKey) => {
    for (const user of OTHER_USERS) {
      const status = await call(routeKey, tokens.get(user.userId) ?? '', aliceReceiptId);
      expect([403, 404], `${user.email} on ${routeKey}`).toContain(status);
    }
  });

  it('lists nothing of the demo company to the other company', async () => {
    const res = await api.get<{ items: { id: string }[] }>('/receipts?limit=100', tokens.get('u_rival_admin'));
    expect(res.body.items.map((r) => r.id)).not.toContain(aliceReceiptId);
    const cursorFromDemo = (await api.get<{ nextCursor: string | null }>('/receipts?limit=1', tokens.get('u_finance')))
      .body.nextCursor;
    if (cursorFromDemo) {
      const replay = await api.get(`/receipts?limit=1&cursor=${cursorFromDemo}`, tokens.get('u_rival_admin'));
      expect(replay.status).toBe(400);
    }
  });

  it('refuses a token whose signature does not verify', async () => {
    const token = tokens.get('u_finance') ?? '';
    const [h, p] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), 'custom:companyId': 'rival' })).toString('base64url')}.${token.split('.')[2]}`;
    expect((await api.get('/receipts', forged)).status).toBe(401);
  });
});
