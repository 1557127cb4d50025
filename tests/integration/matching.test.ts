import { randomInt, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_WEBHOOK_SECRETS } from '../../infra/local/local-secrets.ts';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import {
  authorizationCreated,
  authorizationRequest,
  newAuthorization,
  sendStripe,
  transactionCreated,
  transactionObject,
} from '../../infra/local/stripe-simulator.ts';
import { makeApi, sendMail } from '../support/api-client.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
const SECRET = LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
const CARD = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
let finance = '';

type Receipt = {
  id: string;
  subject?: string;
  status: string;
  match: null | { transactionId: string; score: number; reasons: string[]; by: string };
};

beforeAll(async () => {
  finance = await api.token('finance@demo.quittance.local');
});

const today = () => {
  const d = new Date();
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
};

/** A purchase nobody else in the suite makes: its own merchant and amount. */
const purchase = () => {
  const cents = randomInt(1000, 9000);
  const vendor = `CHEZ ${randomUUID().slice(0, 6).toUpperCase()} BISTROT`;
  return { vendor, cents, printed: `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}` };
};

const emailReceipt = async (p: ReturnType<typeof purchase>) => {
  const subject = `match ${randomUUID()}`;
  await sendMail(inject('smtpPort'), {
    from: 'alice@demo.quittance.local',
    to: 'receipts@demo.quittance.local',
    subject,
    attachments: [
      {
        filename: 'r.pdf',
        content: Buffer.from(await makeSampleReceiptPdf({ vendor: p.vendor, total: p.printed, date: today() })),
      },
    ],
  });
  return subject;
};

const cardPayment = async (p: ReturnType<typeof purchase>, tip: number) => {
  const a = newAuthorization(CARD, { name: p.vendor, mcc: '5812', city: 'PARIS', country: 'FR' }, p.cents);
  expect((await sendStripe(apiUrl, SECRET, authorizationRequest(a))).body.approved).toBe(true);
  await sendStripe(apiUrl, SECRET, authorizationCreated(a, true));
  const tx = transactionObject(a, p.cents + tip);
  await sendStripe(apiUrl, SECRET, transactionCreated(tx));
  return `stripe:${tx.id}`;
};

const linkedReceipt = (subject: string) =>
  api.eventually(async () => {
    const res = await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance);
    const r = res.body.items.find((x) => x.subject === subject);
    return r?.match ? r : undefined;
  }, 30_000);

describe('online matching: an e-mailed receipt and a card capture end linked, in either order', () => {
  it('receipt first, then the capture (with a tip)', async () => {
    const p = purchase();
    const subject = await emailReceipt(p);
    await api.eventually(async () => {
      const res = await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance);
      return res.body.items.find((x) => x.subject === subject && x.status === 'EXTRACTED');
    });
    const txId = await cardPayment(p, 300);
    const r = await linkedReceipt(subject);
    expect(r.match).toMatchObject({ transactionId: txId, by: 'auto' });
    expect(r.match?.reasons.join(' ')).toMatch(/tip/);
  });

  it('capture first, then the receipt', async () => {
    const p = purchase();
    const txId = await cardPayment(p, 0);
    const subject = await emailReceipt(p);
    const r = await linkedReceipt(subject);
    expect(r.match).toMatchObject({ transactionId: txId, by: 'auto' });
    expect(r.match?.score).toBeGreaterThanOrEqual(0.8);
    // The transaction no longer waits for a receipt.
    const missing = await api.get<{ items: { id: string }[] }>(
      '/cards/transactions?missingReceipt=true&limit=100',
      finance,
    );
    expect(missing.body.items.map((t) => t.id)).not.toContain(txId);
  });

  it('lets a person unlink; automation never links that pair again', async () => {
    const p = purchase();
    const subject = await emailReceipt(p);
    const txId = await cardPayment(p, 0);
    const r = await linkedReceipt(subject);
    const unlinked = await api.post<{ unlinked: string }>(`/receipts/${r.id}/unlink`, {}, finance);
    expect(unlinked.body.unlinked).toBe(txId);
    const missing = await api.get<{ items: { id: string }[] }>(
      '/cards/transactions?missingReceipt=true&limit=100',
      finance,
    );
    expect(missing.body.items.map((t) => t.id)).toContain(txId);
    const relinked = await api.post<{ match: { by: string } }>(
      `/receipts/${r.id}/link`,
      { transactionId: txId },
      finance,
    );
    expect(relinked.body.match.by).toBe('user:u_finance');
  });
});
