import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import { makeApi, sendMail } from '../support/api-client.ts';

type ReceiptView = {
  id: string;
  status: string;
  employeeId: string;
  subject: string;
  from: string;
  document: { fileName: string; sha256: string; size: number; url?: string };
  history?: { status: string }[];
};

const api = makeApi(inject('apiUrl'));
const smtpPort = inject('smtpPort');

const findBySubject = (token: string, subject: string) => async () => {
  const res = await api.get<{ items: ReceiptView[] }>('/receipts?limit=100', token);
  return res.body.items.find((r) => r.subject === subject);
};

describe('e-mail → S3 → email-intake → DynamoDB → API', () => {
  it('turns an employee’s e-mailed PDF into a RECEIVED receipt that finance lists, with the exact document', async () => {
    // Prepare
    const pdf = Buffer.from(await makeSampleReceiptPdf());
    const subject = `Taxi ${randomUUID()}`;
    // Act
    await sendMail(smtpPort, {
      from: 'Alice Martin <alice+travel@demo.quittance.local>',
      to: 'receipts@demo.quittance.local',
      subject,
      attachments: [{ filename: 'taxi.pdf', content: pdf }],
    });
    // Assess
    const finance = await api.token('finance@demo.quittance.local');
    const listed = await api.eventually(async () => {
      const r = await findBySubject(finance, subject)();
      return r?.status === 'EXTRACTED' ? r : undefined;
    });
    expect(listed).toMatchObject({ employeeId: 'u_alice', document: { fileName: 'taxi.pdf' } });
    expect(listed.document.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));

    const detail = await api.get<ReceiptView>(`/receipts/${listed.id}`, finance);
    expect(detail.status).toBe(200);
    expect(detail.body.history?.map((h) => h.status)).toEqual(['RECEIVED', 'EXTRACTED']);
    const download = await fetch(detail.body.document.url ?? '');
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('shows an employee only their own receipts', async () => {
    const subject = `Hotel ${randomUUID()}`;
    await sendMail(smtpPort, {
      from: 'alice.martin@example.com',
      to: 'receipts@demo.quittance.local',
      subject,
      attachments: [{ filename: 'hotel.pdf', content: Buffer.from(await makeSampleReceiptPdf({ total: '180,00' })) }],
    });
    const alice = await api.token('alice@demo.quittance.local');
    const own = await api.eventually(findBySubject(alice, subject));
    expect(own.employeeId).toBe('u_alice');

    const bob = await api.token('bob@demo.quittance.local');
    const bobList = await api.get<{ items: ReceiptView[] }>('/receipts?limit=100', bob);
    expect(bobList.body.items.some((r) => r.id === own.id)).toBe(false);
    expect((await api.get(`/receipts/${own.id}`, bob)).status).toBe(404);
  });

  it('never turns mail from an unknown sender into someone’s receipt', async () => {
    const subject = `Spoof ${randomUUID()}`;
    await sendMail(smtpPort, {
      from: 'mallory@evil.example',
      to: 'receipts@demo.quittance.local',
      subject,
      attachments: [{ filename: 'x.pdf', content: Buffer.from(await makeSampleReceiptPdf()) }],
    });
    const finance = await api.token('finance@demo.quittance.local');
    // Give the pipeline time to process, then check nothing was created.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await findBySubject(finance, subject)()).toBeUndefined();
  });

  it('refuses mail for other domains at the SMTP level', async () => {
    await expect(
      sendMail(smtpPort, { from: 'alice@demo.quittance.local', to: 'someone@gmail.com', subject: 'relay' }),
    ).rejects.toThrow(/relay denied|550/);
  });

  it('answers 401 without a token and 400 with the field for a bad query', async () => {
    expect((await api.get('/receipts')).status).toBe(401);
    expect((await api.get('/receipts', 'not-a-jwt')).status).toBe(401);
    const finance = await api.token('finance@demo.quittance.local');
    const bad = await api.get<{ issues: { field: string; reason: string }[] }>('/receipts?limit=1000', finance);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]?.field).toBe('limit');
  });

  it('reports every local service ready on /health', async () => {
    const res = await api.get<{ status: string; services: Record<string, string> }>('/health');
    expect(res.status).toBe(200);
    expect(Object.values(res.body.services).every((s) => s === 'ok')).toBe(true);
  });
});
