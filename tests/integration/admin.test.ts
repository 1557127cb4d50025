import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import { makeApi, sendMail } from '../support/api-client.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
let admin = '';

const call = async <T>(method: string, path: string, body?: unknown) => {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
};

beforeAll(async () => {
  admin = await api.token('admin@demo.quittance.local');
});

describe('company administration', () => {
  it('checks the company identifiers', async () => {
    const bad = await call<{ issues: { field: string }[] }>('PUT', '/company', {
      legalName: 'Démo Conseil SAS',
      siren: '912345676',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.field)).toContain('siren');
    const badVat = await call<{ issues: { field: string }[] }>('PUT', '/company', {
      legalName: 'Démo Conseil SAS',
      siren: '912345675',
      vatNumber: 'FR05912345675',
    });
    expect(badVat.body.issues.map((i) => i.field)).toContain('vatNumber');
    const good = await call<{ siren: string; vatNumber: string }>('PUT', '/company', {
      legalName: 'Démo Conseil SAS',
      siren: '912 345 675',
      vatNumber: 'FR 65 912345675',
      iban: 'FR76 3000 6000 0112 3456 7890 189',
      bic: 'BNPAFRPPXXX',
    });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ siren: '912345675', vatNumber: 'FR65912345675' });
  });

  it('creates a user who can send receipts; deactivation refuses them, reactivation lets them back, deletion keeps history', async () => {
    const email = `new.${randomUUID().slice(0, 8)}@demo.quittance.local`;
    const badIban = await call('POST', '/users', {
      email,
      displayName: 'Nina New',
      roles: ['employee'],
      iban: 'FR7612345',
    });
    expect(badIban.status).toBe(400);
    const created = await call<{ userId: string }>('POST', '/users', {
      email,
      displayName: 'Nina New',
      roles: ['employee'],
      managerId: 'u_manager',
      iban: 'FR1420041010050500013M02606',
    });
    expect(created.status).toBe(201);
    expect((await call('POST', '/users', { email, displayName: 'Twice', roles: ['employee'] })).status).toBe(409);

    const nina = await api.token(email);
    const subject = `nina ${randomUUID()}`;
    await sendMail(inject('smtpPort'), {
      from: email,
      to: 'receipts@demo.quittance.local',
      subject,
      attachments: [{ filename: 'n.pdf', content: Buffer.from(await makeSampleReceiptPdf()) }],
    });
    await api.eventually(async () => {
      const res = await api.get<{ items: { subject: string }[] }>('/receipts?limit=50', nina);
      return res.body.items.find((r) => r.subject === subject);
    });

    expect((await call('POST', `/users/${created.body.userId}/deactivate`)).status).toBe(200);
    const tokenRes = await fetch(`${apiUrl}/_local/token`, { method: 'POST', body: JSON.stringify({ email }) });
    expect(tokenRes.status).toBe(404);
    expect((await call('POST', `/users/${created.body.userId}/reactivate`)).status).toBe(200);
    expect((await fetch(`${apiUrl}/_local/token`, { method: 'POST', body: JSON.stringify({ email }) })).status).toBe(
      200,
    );

    const deleted = await call<{ deletedAt: string | null }>('DELETE', `/users/${created.body.userId}`);
    expect(deleted.body.deletedAt).not.toBeNull();
    const all = await call<{ items: { userId: string }[] }>('GET', '/users?includeDeleted=true');
    expect(all.body.items.map((u) => u.userId)).toContain(created.body.userId);
    const log = await call<{ items: { action: string; target: string }[] }>('GET', '/admin/log?limit=50');
    expect(log.body.items.filter((e) => e.target === created.body.userId).map((e) => e.action)).toEqual([
      'user.delete',
      'user.reactivate',
      'user.deactivate',
      'user.create',
    ]);
  });

  it('refuses an admin removing their own admin role', async () => {
    expect((await call('PATCH', '/users/u_admin', { roles: ['employee'] })).status).toBe(400);
  });
});
