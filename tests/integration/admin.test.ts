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

describe('entities and company documents', () => {
  const siretOf = (siren: string, nic4: string) => {
    for (let d = 0; d <= 9; d++) {
      const s = `${siren}${nic4}${d}`;
      const sum = [...s].reverse().reduce((acc, c, i) => {
        const v = Number(c) * (i % 2 ? 2 : 1);
        return acc + (v > 9 ? v - 9 : v);
      }, 0);
      if (sum % 10 === 0) return s;
    }
    throw new Error('unreachable');
  };

  it('creates an entity with its establishments, puts a user in it, and refuses a bad SIRET with the field', async () => {
    const bad = await call<{ issues: { field: string; reason: string }[] }>('POST', '/entities', {
      name: 'Démo Lyon SAS',
      siren: '732829320',
      establishments: [{ siret: '73282932000075', name: 'Lyon' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.field)).toContain('establishments.0.siret');
    const created = await call<{ id: string; establishments: { siret: string }[] }>('POST', '/entities', {
      name: 'Démo Lyon SAS',
      siren: '732829320',
      currency: 'EUR',
      establishments: [{ siret: siretOf('732829320', '0042'), name: 'Lyon Part-Dieu', headOffice: true }],
      accounting: { categoryAccounts: { meal: '625710' } },
    });
    expect(created.status).toBe(201);
    expect((await call('POST', '/entities', { name: 'Again', siren: '732829320' })).status).toBe(409);
    const users = await call<{ items: { userId: string; email: string }[] }>('GET', '/users');
    const bob = users.body.items.find((u) => u.email.startsWith('bob@'));
    const moved = await call<{ entityId: string }>('PATCH', `/users/${bob?.userId}`, { entityId: created.body.id });
    expect(moved.body.entityId).toBe(created.body.id);
    expect((await call('PATCH', `/users/${bob?.userId}`, { entityId: 'ent_nope' })).status).toBe(400);
    const list = await call<{ items: { id: string }[] }>('GET', '/entities');
    expect(list.body.items.map((e) => e.id)).toContain(created.body.id);
    const off = await call<{ active: boolean }>('PATCH', `/entities/${created.body.id}`, { active: false });
    expect(off.body.active).toBe(false);
    const log = await call<{ items: { action: string }[] }>('GET', '/admin/log?limit=20');
    expect(log.body.items.map((l) => l.action)).toEqual(expect.arrayContaining(['entity.create', 'entity.deactivate']));
  });

  it('stores a company document, shows it as expiring, and reminds the admins once per threshold', async () => {
    const today = new Date();
    const inDays = (n: number) => new Date(today.getTime() + n * 86_400_000).toISOString().slice(0, 10);
    const pdf = Buffer.from('%PDF-1.4\n% attestation\n');
    const title = `Attestation RC Pro ${randomUUID().slice(0, 6)}`;
    const created = await call<{
      document: { id: string; state: string };
      upload: { url: string; headers: Record<string, string> };
    }>('POST', '/company/documents', {
      kind: 'insurance',
      title,
      expiresOn: inDays(20),
      fileName: 'rc-pro.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
    });
    expect(created.status).toBe(201);
    expect(created.body.document.state).toBe('expiring');
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: pdf,
    });
    expect(put.ok).toBe(true);
    const listed = await call<{ items: { id: string; state: string; downloadUrl: string }[] }>(
      'GET',
      '/company/documents',
    );
    const mine = listed.body.items.find((d) => d.id === created.body.document.id);
    expect(mine?.state).toBe('expiring');
    expect(Buffer.from(await (await fetch(mine?.downloadUrl ?? '')).arrayBuffer()).equals(pdf)).toBe(true);

    const run = (time: string) =>
      fetch(`${apiUrl}/_local/schedules/reminders/run?time=${encodeURIComponent(time)}`, { method: 'POST' });
    const outbox = async () =>
      (
        (await (await fetch(`${apiUrl}/_local/outbox?to=admin@demo.quittance.local`)).json()) as {
          items: { subject: string }[];
        }
      ).items.filter((m) => m.subject.startsWith(title));
    expect((await run(today.toISOString())).ok).toBe(true);
    expect((await outbox()).map((m) => m.subject)).toEqual([`${title} expires soon`]);
    await run(today.toISOString());
    expect(await outbox()).toHaveLength(1);
    await run(new Date(today.getTime() + 15 * 86_400_000).toISOString());
    expect(await outbox()).toHaveLength(2);
    await run(new Date(today.getTime() + 22 * 86_400_000).toISOString());
    expect((await outbox()).at(-1)?.subject).toBe(`${title} has expired`);

    expect((await call('DELETE', `/company/documents/${created.body.document.id}`)).status).toBe(200);
    const after = await call<{ items: { id: string }[] }>('GET', '/company/documents');
    expect(after.body.items.map((d) => d.id)).not.toContain(created.body.document.id);
  });
});
