import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import { makeApi, sendMail, type TestMail } from '../support/api-client.ts';
import { pngHeader } from '../support/files.ts';

type Receipt = {
  id: string;
  status: string;
  subject?: string;
  employeeId: string;
  channel: string;
  duplicateOf: string | null;
  document: { fileName: string; contentType: string; size: number; url?: string };
  extraction: null | {
    engine: string;
    total?: string;
    vendor?: string;
    date?: string;
    currency?: string;
    taxes?: { rate: string; amount: string }[];
  };
  failure: null | { code: string; reason: string };
};

const api = makeApi(inject('apiUrl'));
const smtpPort = inject('smtpPort');
const INBOX = 'receipts@demo.quittance.local';
const ALICE = 'alice@demo.quittance.local';
let finance = '';
let admin = '';

beforeAll(async () => {
  finance = await api.token('finance@demo.quittance.local');
  admin = await api.token('admin@demo.quittance.local');
});

const receiptsWithSubject = async (subject: string): Promise<Receipt[]> =>
  (await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance)).body.items.filter((r) => r.subject === subject);

/** Sends a mail and waits until it produced `count` receipts that all left the RECEIVED state. */
const mailAndSettle = async (mail: Omit<TestMail, 'subject'>, count = 1): Promise<Receipt[]> => {
  const subject = `${mail.to === INBOX ? 'T' : 'X'} ${randomUUID()}`;
  await sendMail(smtpPort, { ...mail, subject });
  return api.eventually(async () => {
    const found = await receiptsWithSubject(subject);
    return found.length >= count && found.every((r) => r.status !== 'RECEIVED') ? found : undefined;
  }, 30_000);
};

const quarantined = async (subject: string) =>
  (await api.get<{ items: { subject: string; reason: string }[] }>('/quarantine', admin)).body.items.find(
    (m) => m.subject === subject,
  );

const mailAndQuarantine = async (mail: Omit<TestMail, 'subject'>) => {
  const subject = `Q ${randomUUID()}`;
  await sendMail(smtpPort, { ...mail, subject });
  return api.eventually(() => quarantined(subject));
};

const pdf = async (total = '42,50') => Buffer.from(await makeSampleReceiptPdf({ total }));

/** A PDF whose trailer declares standard-security encryption (RC4, user password unknown). */
const encryptedPdf = () =>
  Buffer.from(
    [
      '%PDF-1.4',
      '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
      '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
      '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
      '4 0 obj << /Filter /Standard /V 1 /R 2 /O <28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A>',
      '/U <28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A> /P -4 >> endobj',
      'trailer << /Root 1 0 R /Size 5 /Encrypt 4 0 R /ID [<01020304050607080910111213141516><01020304050607080910111213141516>] >>',
      '%%EOF',
    ].join('\n'),
  );

describe('receipt intake paths (SMTP → S3 → intake → extraction → API)', () => {
  it('reads a registered employee’s PDF receipt', async () => {
    const [r] = await mailAndSettle({
      from: ALICE,
      to: INBOX,
      attachments: [{ filename: 'r.pdf', content: await pdf('17,90') }],
    });
    expect(r).toMatchObject({
      status: 'EXTRACTED',
      employeeId: 'u_alice',
      extraction: { engine: 'pdf-text', total: '17.90' },
    });
  });

  it('takes the receipts of a forwarded message (attached as message/rfc822); the forwarder is the employee', async () => {
    const inner = await new MailComposer({
      from: 'noreply@hotel.example',
      to: 'bob@demo.quittance.local',
      subject: 'Votre facture',
      text: 'Ci-joint votre facture.',
      attachments: [{ filename: 'hotel.pdf', content: await pdf('189,00') }],
    })
      .compile()
      .build();
    const [r] = await mailAndSettle({
      from: 'bob@demo.quittance.local',
      to: INBOX,
      text: 'FYI',
      attachments: [{ filename: 'facture.eml', content: inner, contentType: 'message/rfc822' }],
    });
    expect(r).toMatchObject({
      employeeId: 'u_bob',
      document: { fileName: 'hotel.pdf' },
      extraction: { total: '189.00' },
    });
  });

  it('makes several receipts of several attachments', async () => {
    const found = await mailAndSettle(
      {
        from: ALICE,
        to: INBOX,
        attachments: await Promise.all(
          ['11,00', '22,00', '33,00'].map(async (t, i) => ({ filename: `r${i}.pdf`, content: await pdf(t) })),
        ),
      },
      3,
    );
    expect(found.map((r) => r.extraction?.total).sort()).toEqual(['11.00', '22.00', '33.00']);
  });

  it('makes an HTML-only receipt (ride-hailing) a document, never served as runnable HTML', async () => {
    const [r] = await mailAndSettle({
      from: ALICE,
      to: INBOX,
      html: '<h1>Merci pour votre course</h1><p>Total payé : 23,40 €</p><script>fetch("https://evil.example")</script>',
      headers: { 'List-Unsubscribe': '<mailto:unsub@rides.example>' },
    });
    expect(r?.document).toMatchObject({ fileName: 'email-body.html', contentType: 'text/html' });
    const detail = await api.get<Receipt>(`/receipts/${r?.id}`, finance);
    const download = await fetch(detail.body.document.url ?? '');
    expect(download.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('links the same file sent twice to the original without reading it again', async () => {
    const file = await pdf('64,00');
    const [first] = await mailAndSettle({
      from: ALICE,
      to: INBOX,
      attachments: [{ filename: 'a.pdf', content: file }],
    });
    const [second] = await mailAndSettle({
      from: ALICE,
      to: INBOX,
      attachments: [{ filename: 'again.pdf', content: file }],
    });
    expect(second).toMatchObject({ status: 'DUPLICATE', duplicateOf: first?.id, extraction: null });
  });

  it('quarantines an unknown sender, a spoofed From, mail to an unknown inbox and a newsletter, visible to admins', async () => {
    const attachments = [{ filename: 'x.pdf', content: await pdf() }];
    expect((await mailAndQuarantine({ from: 'mallory@evil.example', to: INBOX, attachments }))?.reason).toMatch(
      /not a registered address/,
    );
    expect(
      (
        await mailAndQuarantine({
          from: ALICE,
          to: INBOX,
          envelope: { from: 'mallory@evil.example', to: INBOX },
          attachments,
        })
      )?.reason,
    ).toMatch(/spoofed/);
    expect(
      (
        await mailAndQuarantine({
          from: ALICE,
          to: INBOX,
          html: '<p>Summer sale! Everything from 9,99 €</p>',
          headers: { 'List-Unsubscribe': '<mailto:u@shop.example>' },
        })
      )?.reason,
    ).toMatch(/newsletter/);
    const employee = await api.token(ALICE);
    expect((await api.get('/quarantine', employee)).status).toBe(403);
  });

  it('handles bad files one by one: each fails with its reason, the rest is processed', async () => {
    const found = await mailAndSettle(
      {
        from: ALICE,
        to: INBOX,
        attachments: [
          { filename: 'good.pdf', content: await pdf('9,90') },
          { filename: 'corrupt.pdf', content: Buffer.from('%PDF-1.7\n%garbage that is not a PDF body\n') },
          { filename: 'encrypted.pdf', content: encryptedPdf() },
          { filename: 'huge.png', content: pngHeader(8000, 7000) },
          { filename: 'lying.pdf', content: Buffer.from('just some text, not a PDF'), contentType: 'application/pdf' },
          { filename: 'empty.pdf', content: Buffer.alloc(0) },
        ],
      },
      4,
    );
    const byName = Object.fromEntries(found.map((r) => [r.document.fileName, r]));
    expect(byName['good.pdf']?.status).toBe('EXTRACTED');
    expect(byName['corrupt.pdf']).toMatchObject({ status: 'EXTRACTION_FAILED', failure: { code: 'unreadable' } });
    expect(byName['encrypted.pdf']).toMatchObject({ status: 'EXTRACTION_FAILED', failure: { code: 'unreadable' } });
    expect(byName['huge.png']).toMatchObject({ status: 'EXTRACTION_FAILED', failure: { code: 'too-large' } });
    expect(byName['lying.pdf']).toBeUndefined(); // not a receipt format: listed as skipped in the acknowledgement
    expect(byName['empty.pdf']).toBeUndefined();
  });

  it('accepts a near-40 MB e-mail (SES’s limit) and fails its oversized document with the reason', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(27 * 1024 * 1024, 0x41)]);
    const [r] = await mailAndSettle({ from: ALICE, to: INBOX, attachments: [{ filename: 'scan.pdf', content: big }] });
    expect(r).toMatchObject({ status: 'EXTRACTION_FAILED', failure: { code: 'too-large' } });
    expect(r?.document.size).toBe(big.length);
  });

  it('accepts a 30-attachment e-mail', async () => {
    const content = await pdf('5,00');
    const attachments = Array.from({ length: 30 }, (_, i) => ({
      filename: `t${i}.pdf`,
      content: Buffer.concat([content, Buffer.from(`\n%${i}\n`)]),
    }));
    const found = await mailAndSettle({ from: ALICE, to: INBOX, attachments }, 30);
    expect(found.filter((r) => r.status === 'EXTRACTED')).toHaveLength(30);
  });

  it('uploads a receipt with a presigned PUT, then reads it', async () => {
    const token = await api.token(ALICE);
    const file = await pdf('12,30');
    const bad = await api.post<{ issues: { field: string }[] }>(
      '/receipts/uploads',
      { fileName: 'x.exe', contentType: 'application/x-msdownload', size: 10 },
      token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0]?.field).toBe('contentType');
    expect(
      (
        await api.post(
          '/receipts/uploads',
          { fileName: 'big.pdf', contentType: 'application/pdf', size: 11 * 1024 * 1024 },
          token,
        )
      ).status,
    ).toBe(400);

    const res = await api.post<{ url: string; headers: Record<string, string>; receiptId: string }>(
      '/receipts/uploads',
      { fileName: 'taxi.pdf', contentType: 'application/pdf', size: file.length },
      token,
    );
    expect(res.status).toBe(201);
    const put = await fetch(res.body.url, { method: 'PUT', headers: res.body.headers, body: file });
    expect(put.status).toBe(200);
    const receipt = await api.eventually(async () => {
      const r = await api.get<Receipt>(`/receipts/${res.body.receiptId}`, token);
      return r.status === 200 && r.body.status !== 'RECEIVED' ? r.body : undefined;
    });
    expect(receipt).toMatchObject({
      status: 'EXTRACTED',
      channel: 'upload',
      employeeId: 'u_alice',
      extraction: { total: '12.30' },
    });
  });

  it('records an uploaded file whose bytes are no receipt as failed, with the reason', async () => {
    const token = await api.token(ALICE);
    const body = Buffer.from('MZ this is not a receipt');
    const res = await api.post<{ url: string; headers: Record<string, string>; receiptId: string }>(
      '/receipts/uploads',
      { fileName: 'scan.jpg', contentType: 'image/jpeg', size: body.length },
      token,
    );
    await fetch(res.body.url, { method: 'PUT', headers: res.body.headers, body });
    const receipt = await api.eventually(async () => {
      const r = await api.get<Receipt>(`/receipts/${res.body.receiptId}`, token);
      return r.status === 200 ? r.body : undefined;
    });
    expect(receipt).toMatchObject({ status: 'EXTRACTION_FAILED', failure: { code: 'unsupported' } });
  });

  it('lets finance retry a failed extraction', async () => {
    const [failed] = await mailAndSettle({
      from: ALICE,
      to: INBOX,
      attachments: [{ filename: 'corrupt.pdf', content: Buffer.from('%PDF-1.7\n%broken\n') }],
    });
    const employee = await api.token(ALICE);
    expect((await api.post(`/receipts/${failed?.id}/retry`, {}, employee)).status).toBe(403);
    const retried = await api.post<Receipt>(`/receipts/${failed?.id}/retry`, {}, finance);
    expect(retried.status).toBe(202);
    const after = await api.eventually(async () => {
      const r = await api.get<Receipt & { history: { status: string }[] }>(`/receipts/${failed?.id}`, finance);
      return r.body.history.length >= 4 ? r.body : undefined;
    });
    expect(after.history.map((h) => h.status)).toEqual([
      'RECEIVED',
      'EXTRACTION_FAILED',
      'RECEIVED',
      'EXTRACTION_FAILED',
    ]);
  });
});

describe('the built-in engine through the local cloud: each kind of document read right', () => {
  it('a French PDF receipt (text layer), a Factur-X invoice (embedded XML) and a photo (local OCR), in one e-mail', async () => {
    const fixtures = join(import.meta.dirname, '../fixtures/extraction');
    const read = (...p: string[]) => readFileSync(join(...p));
    const receipts = await mailAndSettle(
      {
        from: ALICE,
        to: INBOX,
        attachments: [
          { filename: 'boulangerie.pdf', content: read(fixtures, 'french-receipt.pdf') },
          {
            filename: 'facture.pdf',
            content: read(import.meta.dirname, '../../../shared/data/einvoice/akretion_factur-x/invoice_EN16931.pdf'),
          },
          { filename: 'ticket.jpg', content: read(fixtures, 'sroie-003.jpg'), contentType: 'image/jpeg' },
        ],
      },
      3,
    );
    const by = (name: string) => receipts.find((r) => r.document.fileName === name)?.extraction;
    expect(by('boulangerie.pdf')).toMatchObject({
      engine: 'pdf-text',
      vendor: 'BOULANGERIE DU MARCHE',
      date: '2024-03-14',
      total: '15.60',
      currency: 'EUR',
      taxes: [
        expect.objectContaining({ rate: '5.50', amount: '0.28' }),
        expect.objectContaining({ rate: '10.00', amount: '1.02' }),
      ],
    });
    expect(by('facture.pdf')).toMatchObject({
      engine: 'facturx',
      vendor: 'LE FOURNISSEUR',
      date: '2026-01-31',
      total: '104.90',
      currency: 'EUR',
    });
    expect(by('facture.pdf')?.taxes?.map((t) => `${t.rate}:${t.amount}`)).toEqual([
      '20.00:2.20',
      '0.00:0.00',
      '10.00:2.70',
      '0.00:0.00',
    ]);
    expect(by('ticket.jpg')).toMatchObject({
      engine: 'ocr',
      vendor: 'IKANO HANDEL SDN BHD',
      date: '2018-04-25',
      total: '22.00',
    });
  });
});
