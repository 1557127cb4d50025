import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_WEBHOOK_SECRETS } from '../../infra/local/local-secrets.ts';
import {
  newAuthorization,
  sendStripe,
  transactionCreated,
  transactionObject,
} from '../../infra/local/stripe-simulator.ts';
import { makeApi } from '../support/api-client.ts';
import {
  cardPayment as cardPaymentFor,
  emailReceipt as emailReceiptFor,
  type Purchase,
  purchase,
  purchaseTrail,
  shopCharge as shopChargeFor,
  splitParts,
} from '../support/purchase.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
let finance = '';

type Receipt = {
  id: string;
  subject?: string;
  status: string;
  match: null | {
    transactionId: string;
    score: number;
    reasons: string[];
    by: string;
    shape?: string;
    transactionIds?: string[];
  };
};

beforeAll(async () => {
  finance = await api.token('finance@demo.quittance.local');
});

const emailReceipt = (p: Purchase) => emailReceiptFor(inject('smtpPort'), p);

/** Alice's card is charged `cents` at a shop that needs the exact amount (MCC 5942, no tip tolerance). */
const shopCharge = (vendor: string, cents: number) => shopChargeFor(apiUrl, vendor, cents);

const extracted = (subject: string) =>
  api.eventually(async () => {
    const res = await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance);
    return res.body.items.find((x) => x.subject === subject && x.status === 'EXTRACTED');
  });
const cardPayment = (p: Purchase, tip: number, beforeCapture?: (slotId: string) => Promise<unknown>) =>
  cardPaymentFor(apiUrl, p, tip, beforeCapture);

const linkedReceipt = (subject: string) =>
  api.eventually(
    async () => {
      const res = await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance);
      const r = res.body.items.find((x) => x.subject === subject);
      return r?.match ? r : undefined;
    },
    60_000,
    () => purchaseTrail(apiUrl, finance, { subject }),
  );

describe('online matching: an e-mailed receipt and a card capture end linked, in either order', () => {
  it('receipt first, then the capture (with a tip)', async () => {
    const p = purchase();
    const subject = await emailReceipt(p);
    await api.eventually(async () => {
      const res = await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance);
      return res.body.items.find((x) => x.subject === subject && x.status === 'EXTRACTED');
    });
    // The receipt takes the authorization's slot first (card activity records slots in batches, within a second or
    // so), then follows it to the capture.
    const txId = await cardPayment(p, 300, (slotId) =>
      api.eventually(async () => ((await linkedReceipt(subject)).match?.transactionId === slotId ? true : undefined)),
    );
    const r = await api.eventually(async () => {
      const x = await linkedReceipt(subject);
      return x.match?.transactionId === txId ? x : undefined;
    }, 60_000);
    expect(r.match).toMatchObject({ transactionId: txId, by: 'auto' });
    expect(r.match?.reasons.join(' ')).toMatch(/tip/);
    expect(r.match?.reasons).toContain('followed its authorization to the capture');
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

  it('links every pair when receipts and captures arrive at the same moment (concurrent writers retry, never give up)', async () => {
    const pairs = Array.from({ length: 4 }, () => purchase());
    const sent = await Promise.all(
      pairs.map(async (p) => {
        const [subject, txId] = await Promise.all([emailReceipt(p), cardPayment(p, 0)]);
        return { subject, txId };
      }),
    );
    for (const { subject, txId } of sent) {
      const r = await linkedReceipt(subject);
      expect(r.match?.transactionId).toBe(txId);
    }
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

  it('reminds the employee of a payment still without a receipt, and tells the manager when it is old', async () => {
    const p = purchase();
    const card = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
    const a = newAuthorization(card, { name: p.vendor, mcc: '5812', city: 'PARIS', country: 'FR' }, p.cents);
    const tx = { ...transactionObject(a, p.cents), created: Math.floor(Date.now() / 1000) - 12 * 86_400 };
    expect(
      (await sendStripe(apiUrl, LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE, transactionCreated(tx))).status,
    ).toBe(200);
    await api.eventually(async () => {
      const missing = await api.get<{ items: { id: string }[] }>(
        '/cards/transactions?missingReceipt=true&limit=100',
        finance,
      );
      return missing.body.items.find((t) => t.id === `stripe:${tx.id}`);
    });
    const run = await fetch(`${apiUrl}/_local/schedules/reminders/run`, {
      method: 'POST',
      body: JSON.stringify({ digest: true }),
    });
    expect(run.status).toBe(200);
    const outbox = await api.get<{ items: { to: string[]; subject: string; text: string }[] }>('/_local/outbox');
    const toAlice = outbox.body.items.filter(
      (m) => m.to.includes('alice@demo.quittance.local') && m.text.includes(p.vendor),
    );
    expect(toAlice.at(-1)?.subject).toMatch(/waiting for a receipt/);
    const toManager = outbox.body.items.filter(
      (m) => m.to.includes('manager@demo.quittance.local') && m.text.includes(p.vendor),
    );
    expect(toManager.length).toBeGreaterThan(0);
  });

  it('lets an employee declare a receipt lost; finance refuses with a reason or accepts it', async () => {
    const p = purchase();
    const txId = await cardPayment(p, 0);
    const alice = await api.token('alice@demo.quittance.local');
    const path = `/cards/transactions/${encodeURIComponent(txId)}/lost-receipt`;
    expect((await api.post(path, { description: 'short' }, alice)).status).toBe(400);
    const bob = await api.token('bob@demo.quittance.local');
    expect((await api.post(path, { description: 'not my payment at all' }, bob)).status).toBe(404);
    expect((await api.post(path, { description: 'Lunch with a client, paper ticket lost' }, alice)).status).toBe(201);
    expect((await api.post(`${path}/decision`, { accepted: false }, finance)).status).toBe(400);
    const refused = await api.post<{ lostReceipt: { status: string } }>(
      `${path}/decision`,
      { accepted: false, reason: 'ask the restaurant for a duplicate' },
      finance,
    );
    expect(refused.body.lostReceipt.status).toBe('REFUSED');
    expect((await api.post(path, { description: 'The restaurant closed, no duplicate possible' }, alice)).status).toBe(
      201,
    );
    // Two finance decisions at once: one is applied, the other is a conflict (never a server error).
    const [first, second] = await Promise.all(
      [0, 1].map(() =>
        api.post<{ lostReceipt?: { status: string }; error?: string; message?: string }>(
          `${path}/decision`,
          { accepted: true },
          finance,
        ),
      ),
    );
    expect([first?.status, second?.status].sort()).toEqual([200, 409]);
    const accepted = first?.status === 200 ? first : second;
    expect(accepted?.body.lostReceipt?.status).toBe('ACCEPTED');
    const raced = first?.status === 409 ? first : second;
    expect(raced?.body.message).toMatch(/already decided: accepted|changed meanwhile/);
    // A later decision on the decided declaration: 409, saying what stands.
    const late = await api.post<{ error: string; message: string }>(
      `${path}/decision`,
      { accepted: false, reason: 'too late' },
      finance,
    );
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('concurrentupdate');
    expect(late.body.message).toMatch(/already decided: accepted by \S+ at \d{4}-/);
    const missing = await api.get<{ items: { id: string }[] }>(
      '/cards/transactions?missingReceipt=true&limit=100',
      finance,
    );
    expect(missing.body.items.map((t) => t.id)).not.toContain(txId);
  });

  it('a receipt that turns up after a lost-receipt declaration is linked and withdraws it: finance has nothing to decide', async () => {
    const p = purchase();
    const txId = await cardPayment(p, 0);
    const alice = await api.token('alice@demo.quittance.local');
    const path = `/cards/transactions/${encodeURIComponent(txId)}/lost-receipt`;
    expect((await api.post(path, { description: 'Lunch with a client, paper ticket lost' }, alice)).status).toBe(201);
    // The paper turns up in a pocket and is e-mailed: matched and linked as any receipt.
    const r = await linkedReceipt(await emailReceipt(p));
    expect(r.match).toMatchObject({ transactionId: txId, by: 'auto' });
    const decision = await api.post<{ error?: string; message?: string }>(
      `${path}/decision`,
      { accepted: true },
      finance,
    );
    expect(decision.status).toBe(409);
    expect(decision.body.error).toBe('invalidtransition');
    expect(decision.body.message).toMatch(
      new RegExp(
        `^a receipt is linked to transaction ${txId} \\(${r.id}\\): the lost-receipt declaration was withdrawn by auto at \\d{4}-`,
      ),
    );
    const again = await api.post<{ error?: string; message?: string }>(
      path,
      { description: 'lost again, really' },
      alice,
    );
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(`transaction ${txId} has its receipt (${r.id}): nothing to declare lost`);
  });

  it('refuses a lost-receipt declaration on the authorization hold (409, naming its capture once posted); the capture takes it', async () => {
    const p = purchase();
    const alice = await api.token('alice@demo.quittance.local');
    const declare = (id: string) =>
      api.post<{ error?: string; message?: string; lostReceipt?: { status: string } }>(
        `/cards/transactions/${encodeURIComponent(id)}/lost-receipt`,
        { description: 'Lunch with a client, paper ticket lost' },
        alice,
      );
    let slot = '';
    const txId = await cardPayment(p, 0, async (slotId) => {
      slot = slotId;
      // Card activity records slots in batches: "not found" until the hold is recorded.
      const held = await api.eventually(async () => {
        const res = await declare(slotId);
        return res.status === 404 ? undefined : res;
      });
      expect(held.status).toBe(409);
      expect(held.body).toEqual({
        error: 'invalidtransition',
        message: `transaction ${slotId} is an authorization hold; declare the loss on its capture when it is posted`,
      });
    });
    // Once the capture has retired the slot, the refusal names it.
    const retired = await api.eventually(async () => {
      const res = await declare(slot);
      return res.body.message?.includes(txId) ? res : undefined;
    });
    expect(retired.status).toBe(409);
    expect(retired.body.message).toBe(
      `transaction ${slot} is an authorization hold; declare the loss on its capture ${txId}`,
    );
    const declared = await api.eventually(async () => {
      const res = await declare(txId);
      return res.status === 404 ? undefined : res;
    });
    expect(declared.status).toBe(201);
    expect(declared.body.lostReceipt?.status).toBe('PENDING');
    const again = await declare(txId);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(new RegExp(`^a lost-receipt declaration for ${txId} is already pending`));
  });
});

describe('online matching of sums: split shipments', () => {
  it('receipt first, then both parts charged at the same moment: one link to both charges, never two', async () => {
    const p = purchase();
    const subject = await emailReceipt(p);
    await extracted(subject);
    const [first, second] = splitParts(p);
    // Both captures at once: two match invocations race for the same receipt; one all-or-nothing link wins.
    const txIds = await Promise.all([shopCharge(p.vendor, first), shopCharge(p.vendor, second)]);
    const r = await api.eventually(async () => {
      const res = await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance);
      const x = res.body.items.find((y) => y.subject === subject);
      return x?.match?.transactionIds ? x : undefined;
    }, 60_000);
    expect(r.match).toMatchObject({ by: 'auto', shape: 'receipt-to-many' });
    expect([...(r.match?.transactionIds ?? [])].sort()).toEqual([...txIds].sort());
    expect(r.match?.reasons[0]).toMatch(/^amount: sum of 2 transactions = receipt total/);
    const missing = await api.get<{ items: { id: string }[] }>(
      '/cards/transactions?missingReceipt=true&limit=100',
      finance,
    );
    for (const id of txIds) expect(missing.body.items.map((t) => t.id)).not.toContain(id);
    // One card expense for the sum: both charges, the receipt, the receipt's total (its VAT counted once).
    const alice = await api.token('alice@demo.quittance.local');
    type Expense = { amount: { amount: string }; cardTransactionIds: string[]; receiptIds: string[] };
    const expense = await api.eventually(async () => {
      const res = await api.get<{ items: Expense[] }>('/expenses?limit=100', alice);
      return res.body.items.find((x) => txIds.some((id) => x.cardTransactionIds.includes(id)));
    }, 60_000);
    expect([...expense.cardTransactionIds].sort()).toEqual([...txIds].sort());
    expect(expense.receiptIds).toEqual([r.id]);
    expect(expense.amount.amount).toBe(p.printed.replace(',', '.'));
    const all = await api.get<{ items: Expense[] }>('/expenses?limit=100', alice);
    expect(all.body.items.filter((x) => txIds.some((id) => x.cardTransactionIds.includes(id)))).toHaveLength(1);
  });

  it('both parts charged first, then the receipt; unlinking the sum puts both charges back as missing', async () => {
    const p = purchase();
    const [first, second] = splitParts(p);
    const a = await shopCharge(p.vendor, first);
    const b = await shopCharge(p.vendor, second);
    const subject = await emailReceipt(p);
    const r = await api.eventually(async () => {
      const res = await api.get<{ items: Receipt[] }>('/receipts?limit=100', finance);
      const x = res.body.items.find((y) => y.subject === subject);
      return x?.match ? x : undefined;
    }, 60_000);
    // Charged within the same second: the order between the two parts is not meaningful.
    expect([...(r.match?.transactionIds ?? [])].sort()).toEqual([a, b].sort());
    const unlinked = await api.post<{ unlinked: string }>(`/receipts/${r.id}/unlink`, {}, finance);
    expect(unlinked.status).toBe(200);
    const missing = await api.get<{ items: { id: string }[] }>(
      '/cards/transactions?missingReceipt=true&limit=100',
      finance,
    );
    expect(missing.body.items.map((t) => t.id)).toEqual(expect.arrayContaining([a, b]));
    const after = await api.get<Receipt>(`/receipts/${r.id}`, finance);
    expect(after.body.match).toBeNull();

    // A person links the sum back through the API: all or nothing, and only once.
    expect(
      (await api.post(`/receipts/${r.id}/link`, { transactionId: a, transactionIds: [a, b] }, finance)).status,
    ).toBe(400);
    const relinked = await api.post<{ group: { transactionIds: string[] } }>(
      `/receipts/${r.id}/link`,
      { transactionIds: [a, b] },
      finance,
    );
    expect(relinked.status).toBe(200);
    const again = await api.get<Receipt>(`/receipts/${r.id}`, finance);
    expect([...(again.body.match?.transactionIds ?? [])].sort()).toEqual([a, b].sort());
    expect(again.body.match?.by).toBe('user:u_finance');
    expect((await api.post(`/receipts/${r.id}/link`, { transactionIds: [a, b] }, finance)).status).toBe(409);
    const stillMissing = await api.get<{ items: { id: string }[] }>(
      '/cards/transactions?missingReceipt=true&limit=100',
      finance,
    );
    expect(stillMissing.body.items.map((t) => t.id)).not.toEqual(expect.arrayContaining([a]));
  });
});
