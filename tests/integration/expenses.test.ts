import { beforeAll, describe, expect, inject, it } from 'vitest';
import { makeApi } from '../support/api-client.ts';
import { cardPayment, emailReceipt, purchase, purchaseTrail } from '../support/purchase.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
const tokens: Record<string, string> = {};

type Expense = {
  id: string;
  status: string;
  version: number;
  amount: { amount: string; currency: string };
  cardTransactionIds: string[];
  receiptIds: string[];
  category: { category: string } | null;
  approval: null | { version: number; currentStep: number; steps: { name: string; approverIds: string[] }[] };
  history?: { actor: { id: string }; from: string | null; to: string }[];
};

beforeAll(async () => {
  for (const who of ['alice', 'manager', 'finance', 'bob'])
    tokens[who] = await api.token(`${who}@demo.quittance.local`);
});

/** The expense of a card transaction, once the receipt and the capture are matched. */
const expenseOf = (txId: string, status: string) =>
  api.eventually(
    async () => {
      const res = await api.get<{ items: Expense[] }>('/expenses?limit=100', tokens.alice);
      return res.body.items.find((e) => e.cardTransactionIds.includes(txId) && e.status === status);
    },
    60_000,
    () => purchaseTrail(apiUrl, tokens.finance ?? '', { txId }),
  );

describe('expenses: a matched card payment becomes an expense that goes through its approval chain', () => {
  it('manager → finance → approved, with the whole history readable', async () => {
    const p = purchase();
    await emailReceipt(inject('smtpPort'), p);
    const txId = await cardPayment(apiUrl, p);
    const pending = await expenseOf(txId, 'PENDING_APPROVAL');
    expect(pending).toMatchObject({ category: { category: 'meals' }, receiptIds: [expect.stringMatching(/^rcpt_/)] });
    expect(pending.approval?.steps.map((s) => [s.name, s.approverIds])).toEqual([
      ['manager', ['u_manager']],
      ['finance', ['u_finance']],
    ]);

    // Not the employee, not out of turn.
    expect((await api.post(`/expenses/${pending.id}/approve`, {}, tokens.alice)).status).toBe(403);
    expect((await api.post(`/expenses/${pending.id}/approve`, {}, tokens.finance)).status).toBeGreaterThanOrEqual(400);

    const queue = await api.get<{ items: Expense[] }>('/approvals', tokens.manager);
    expect(queue.body.items.map((e) => e.id)).toContain(pending.id);
    const afterManager = await api.post<Expense>(`/expenses/${pending.id}/approve`, {}, tokens.manager);
    expect(afterManager.status).toBe(200);
    expect(afterManager.body).toMatchObject({ status: 'PENDING_APPROVAL', approval: { currentStep: 1 } });

    // Two approvers acting on the same version: the second one is told to reload.
    const stale = await api.post(`/expenses/${pending.id}/approve`, { expectedVersion: 0 }, tokens.finance);
    expect(stale.status).toBe(409);

    const approved = await api.post<Expense>(`/expenses/${pending.id}/approve`, {}, tokens.finance);
    expect(approved.body.status).toBe('APPROVED');

    const detail = await api.get<Expense>(`/expenses/${pending.id}`, tokens.finance);
    expect(detail.body.history?.map((h) => `${h.from ?? '∅'}→${h.to}:${h.actor.id}`)).toEqual([
      '∅→DRAFT:system:expenses',
      'DRAFT→DRAFT:system:expenses',
      'DRAFT→SUBMITTED:system:expenses',
      'SUBMITTED→PENDING_APPROVAL:system:expenses',
      'PENDING_APPROVAL→PENDING_APPROVAL:u_manager',
      'PENDING_APPROVAL→APPROVED:u_finance',
    ]);
  });

  it('a rejection needs a reason and goes back to the employee', async () => {
    const p = purchase();
    await emailReceipt(inject('smtpPort'), p);
    const txId = await cardPayment(apiUrl, p);
    const pending = await expenseOf(txId, 'PENDING_APPROVAL');
    expect((await api.post(`/expenses/${pending.id}/reject`, {}, tokens.manager)).status).toBe(400);
    const rejected = await api.post<Expense>(
      `/expenses/${pending.id}/reject`,
      { reason: 'personal dinner' },
      tokens.manager,
    );
    expect(rejected.body.status).toBe('REJECTED');
    expect((await api.get(`/expenses/${pending.id}`, tokens.bob)).status).toBe(404);
  });

  it('e-mails the approver signed single-use links; a link approves once, a replayed or altered one is refused', async () => {
    const p = purchase();
    await emailReceipt(inject('smtpPort'), p);
    const txId = await cardPayment(apiUrl, p);
    const pending = await expenseOf(txId, 'PENDING_APPROVAL');
    const mail = await api.eventually(async () => {
      const outbox = await api.get<{ items: { to: string[]; text: string }[] }>('/_local/outbox');
      return outbox.body.items.find(
        (m) => m.to.includes('manager@demo.quittance.local') && m.text.includes(pending.id),
      );
    });
    const approveUrl = /Approve: (\S+)/.exec(mail.text)?.[1] ?? '';
    expect(approveUrl).toContain('/approvals/links/');

    const confirm = await fetch(approveUrl);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('<form method="post">');
    // Following the link decided nothing.
    expect((await api.get<Expense>(`/expenses/${pending.id}`, tokens.alice)).body.approval?.currentStep).toBe(0);

    // Not the last character: in base64url its low bits may be padding, so another letter can decode the same.
    const tampered = approveUrl.replace(/(.)(.{4})$/, (_, c: string, rest: string) => (c === 'A' ? 'B' : 'A') + rest);
    expect((await fetch(tampered, { method: 'POST' })).status).toBe(400);

    const used = await fetch(approveUrl, { method: 'POST' });
    expect(used.status).toBe(200);
    const after = await api.get<Expense>(`/expenses/${pending.id}`, tokens.alice);
    expect(after.body).toMatchObject({ status: 'PENDING_APPROVAL', approval: { currentStep: 1 } });

    expect([409, 410]).toContain((await fetch(approveUrl, { method: 'POST' })).status);
  });

  it('out of pocket: the employee claims a receipt, it is approved, booked to 421, and reimbursed by SEPA transfer', async () => {
    const p = purchase();
    const subject = await emailReceipt(inject('smtpPort'), p);
    const receipt = await api.eventually(async () => {
      const res = await api.get<{ items: { id: string; subject?: string; status: string }[] }>(
        '/receipts?limit=100',
        tokens.alice,
      );
      return res.body.items.find((r) => r.subject === subject && r.status === 'EXTRACTED');
    });
    const claimed = await api.post<Expense & { type: string }>(
      '/expenses',
      {
        receiptId: receipt.id,
        category: 'meals',
        description: 'Client lunch',
        attendees: [{ name: 'M. Client', company: 'ACME' }],
      },
      tokens.alice,
    );
    expect(claimed.status).toBe(201);
    expect(claimed.body).toMatchObject({ type: 'out-of-pocket', status: 'PENDING_APPROVAL' });
    await api.post(`/expenses/${claimed.body.id}/approve`, {}, tokens.manager);
    await api.post(`/expenses/${claimed.body.id}/approve`, {}, tokens.finance);
    await api.eventually(async () => {
      const e = await api.get<Expense>(`/expenses/${claimed.body.id}`, tokens.finance);
      return e.body.status === 'BOOKED' ? e.body : undefined;
    }, 60_000);

    const sepa = await fetch(`${apiUrl}/reimbursements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.finance}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(sepa.status).toBe(200);
    const xml = await sepa.text();
    expect(xml).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    expect(xml).toContain('FR1420041010050500013M02606');
    expect(xml).toContain(`${Math.floor(p.cents / 100)}.${String(p.cents % 100).padStart(2, '0')}`);
    // The payment is booked: employee payable (421) debited, bank (512) credited, pushed to accounting.
    const paidEntry = await api.eventually(async () => {
      const res = await api.get<{ items: { key: string; body: { JournalLines: { AccountCode: string }[] } }[] }>(
        '/_local/accounting/manual-journals',
      );
      return res.body.items.find((j) => j.key.includes('reimbursement') && j.key.includes(claimed.body.id));
    }, 60_000);
    expect(paidEntry.body.JournalLines.map((l) => l.AccountCode).sort()).toEqual(['421', '512']);
    // Paid once: the next batch does not include it again.
    const again = await fetch(`${apiUrl}/reimbursements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.finance}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const text = await again.text();
    expect(text).not.toContain(claimed.body.id.replaceAll('_', '-'));
    expect((await api.get<{ policy: { version: number } }>('/policies', tokens.alice)).body.policy.version).toBe(1);
  });

  it('reminds a waiting approver once, then escalates the step to finance, who can decide it', async () => {
    const p = purchase();
    await emailReceipt(inject('smtpPort'), p);
    const txId = await cardPayment(apiUrl, p);
    const pending = await expenseOf(txId, 'PENDING_APPROVAL');
    const runAt = async (days: number) => {
      const time = new Date(Date.now() + days * 86_400_000).toISOString();
      const res = await fetch(`${apiUrl}/_local/schedules/reminders/run?time=${encodeURIComponent(time)}`, {
        method: 'POST',
      });
      expect(res.status).toBe(200);
    };
    const mailsAbout = async (to: string) => {
      const outbox = await api.get<{ items: { to: string[]; subject: string; text: string }[] }>('/_local/outbox');
      return outbox.body.items.filter((m) => m.to.includes(to) && m.text.includes(pending.id));
    };

    await runAt(1); // not yet due (the chain reminds after 2 days)
    expect(await mailsAbout('manager@demo.quittance.local')).toHaveLength(1); // only the approval request
    await runAt(3);
    await runAt(3); // the same day again: nothing twice
    const toManager = await mailsAbout('manager@demo.quittance.local');
    expect(toManager.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^To approve/),
      expect.stringMatching(/^Reminder: an expense has waited 3 days/),
    ]);

    await runAt(8); // past the escalation delay (7 days): finance may now decide the manager's step
    const escalated = await api.get<Expense>(`/expenses/${pending.id}`, tokens.finance);
    expect(escalated.body.approval?.steps[0]?.approverIds).toEqual(['u_manager', 'u_finance']);
    expect(escalated.body.history?.filter((h) => h.actor.id === 'system:expenses').length).toBeGreaterThanOrEqual(6);
    await api.eventually(async () => {
      const mails = await mailsAbout('finance@demo.quittance.local');
      return mails.find((m) => /^To approve/.test(m.subject) && m.text.includes('/approvals/links/'));
    });
    const decided = await api.post<Expense>(`/expenses/${pending.id}/approve`, {}, tokens.finance);
    expect(decided.status).toBe(200);
    expect(decided.body.approval?.currentStep).toBe(1);
  });

  it('lets a delegate approve for an approver who is away; the detail links the receipt document', async () => {
    const p = purchase();
    await emailReceipt(inject('smtpPort'), p);
    const txId = await cardPayment(apiUrl, p);
    const pending = await expenseOf(txId, 'PENDING_APPROVAL');
    const today = new Date().toISOString().slice(0, 10);
    const admin = await api.token('admin@demo.quittance.local');
    const set = await fetch(`${apiUrl}/delegations`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ delegateId: 'u_admin', from: today, to: today }),
    });
    expect(set.status).toBe(201);
    const asDelegate = await api.post<Expense>(`/expenses/${pending.id}/approve`, {}, admin);
    expect(asDelegate.status, JSON.stringify(asDelegate.body)).toBe(200);
    expect(asDelegate.body.approval?.currentStep).toBe(1);

    const detail = await api.get<{ receipts: { id: string; url: string }[] }>(
      `/expenses/${pending.id}`,
      tokens.finance,
    );
    expect(detail.body.receipts).toHaveLength(1);
    expect((await fetch(detail.body.receipts[0]?.url ?? '')).status).toBe(200);
  });
});
