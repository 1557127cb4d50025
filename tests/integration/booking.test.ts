import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_WEBHOOK_SECRETS } from '../../infra/local/local-secrets.ts';
import {
  authorizationCreated,
  authorizationRequest,
  authorizationReversed,
  newAuthorization,
  sendStripe,
} from '../../infra/local/stripe-simulator.ts';
import { checkFec } from '../../shared/domain/ledger/fec-check.ts';
import { makeApi } from '../support/api-client.ts';
import { runCli } from '../support/cli.ts';
import {
  cardPayment,
  cardRefund,
  emailReceipt,
  type Purchase,
  purchase,
  purchaseTrail,
  shopCharge,
  splitParts,
} from '../support/purchase.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
const tokens: Record<string, string> = {};
type Expense = {
  id: string;
  status: string;
  cardTransactionIds: string[];
  receiptIds: string[];
  booking: { journalEntryId: string } | null;
};
type Journal = { id: string; key: string; body: { JournalLines: { AccountCode: string; LineAmount: string }[] } };

beforeAll(async () => {
  for (const who of ['alice', 'manager', 'finance']) tokens[who] = await api.token(`${who}@demo.quittance.local`);
});

const pendingExpense = async (p: Purchase = purchase()) => {
  await emailReceipt(inject('smtpPort'), p);
  const txId = await cardPayment(apiUrl, p);
  return api.eventually(
    async () => {
      const res = await api.get<{ items: Expense[] }>('/expenses?limit=100', tokens.alice);
      return res.body.items.find((e) => e.cardTransactionIds.includes(txId) && e.status === 'PENDING_APPROVAL');
    },
    60_000,
    () => purchaseTrail(apiUrl, tokens.finance ?? '', { txId }),
  );
};

const approve = async (expenseId: string) => {
  await api.post(`/expenses/${expenseId}/approve`, {}, tokens.manager);
  await api.post(`/expenses/${expenseId}/approve`, {}, tokens.finance);
  return expenseId;
};

const approvedExpense = async (p: Purchase = purchase()) => approve((await pendingExpense(p)).id);

const booked = (expenseId: string) =>
  api.eventually(async () => {
    const res = await api.get<Expense>(`/expenses/${expenseId}`, tokens.finance);
    return res.body.status === 'BOOKED' ? res.body : undefined;
  }, 60_000);

const journals = async () => (await api.get<{ items: Journal[] }>('/_local/accounting/manual-journals')).body.items;

describe('booking: an approved expense becomes an entry pushed to accounting exactly once and in the FEC', () => {
  it('books, pushes once, and exports a FEC the checker accepts', async () => {
    const expenseId = await approvedExpense();
    const expense = await booked(expenseId);
    const entryId = expense.booking?.journalEntryId ?? '';
    expect(entryId).toBe(`je_expense_${expenseId}`);
    const pushed = (await journals()).filter((j) => j.key.endsWith(entryId));
    expect(pushed).toHaveLength(1);
    const lines = pushed[0]?.body.JournalLines ?? [];
    expect(lines.map((l) => l.AccountCode)).toEqual(expect.arrayContaining(['44566']));
    // Balanced: debits (positive) and credits (negative) sum to zero, to the cent.
    expect(lines.reduce((s, l) => s + Math.round(Number(l.LineAmount) * 100), 0)).toBe(0);

    const year = new Date().getUTCFullYear();
    const res = await fetch(`${apiUrl}/exports/fec?from=${year}-01-01&to=${year}-12-31`, {
      headers: { authorization: `Bearer ${tokens.finance}` },
    });
    expect(res.status).toBe(200);
    const fileName = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '';
    expect(fileName).toBe(`912345675FEC${year}1231.txt`);
    const text = await res.text();
    expect(text).toContain(expense.receiptIds[0]); // PieceRef leads to the evidence (the receipt and its SHA-256)
    const csv = await fetch(`${apiUrl}/exports/journal?from=${year}-01-01&to=${year}-12-31&format=csv`, {
      headers: { authorization: `Bearer ${tokens.finance}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toContain(entryId);
    const month = new Date().toISOString().slice(0, 7);
    const spend = await api.get<{ totals: { key: string; amount: string; entries: number }[] }>(
      `/reports/spend?from=${month}&to=${month}&by=account`,
      tokens.finance,
    );
    expect(spend.body.totals.find((t) => t.key === '6256')?.entries).toBeGreaterThanOrEqual(1);
    const vat = await api.get<{ totals: { key: string; amount: string }[] }>(
      `/reports/spend?from=${month}&to=${month}&by=vat-rate`,
      tokens.finance,
    );
    expect(Number(vat.body.totals[0]?.amount)).toBeGreaterThan(0);
    const ageing = await api.get<{ ageing: { age: string; count: number }[] }>(
      '/reports/missing-receipts',
      tokens.finance,
    );
    expect(ageing.body.ageing.map((a) => a.age)).toEqual(['0-7 days', '8-30 days', '31-60 days', 'over 60 days']);
    const check = checkFec(text, { fileName, period: { start: `${year}-01-01`, end: `${year}-12-31` } });
    expect(check.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('books a card refund as its share of the booked purchase, every side swapped, balanced', async () => {
    const p = purchase();
    const expense = await booked(await approvedExpense(p));
    const refundId = await cardRefund(apiUrl, p, Math.floor(p.cents / 4));
    const refund = await api.eventually(async () => {
      const found = (await journals()).find((j) => j.key.endsWith(`je_expense-refund_${refundId}`));
      return found;
    }, 60_000);
    const purchaseLines = (await journals()).find((j) => j.key.endsWith(expense.booking?.journalEntryId ?? '?'))?.body
      .JournalLines;
    const lines = refund.body.JournalLines;
    const cents = (l: { LineAmount: string }) => Math.round(Number(l.LineAmount) * 100);
    expect(lines.reduce((s, l) => s + cents(l), 0)).toBe(0);
    // The same accounts as the purchase, each on the other side (VAT 44566 credited back).
    expect(new Set(lines.map((l) => l.AccountCode))).toEqual(new Set(purchaseLines?.map((l) => l.AccountCode)));
    for (const l of lines) {
      const bought = purchaseLines?.find((x) => x.AccountCode === l.AccountCode);
      expect(Math.sign(cents(l))).toBe(-Math.sign(cents(bought ?? l)));
    }
    const card = lines.find((l) => Math.sign(cents(l)) > 0);
    expect(card && cents(card)).toBe(Math.floor(p.cents / 4));
  }, 120_000);

  it('books the refund of the second part of a split shipment against the one expense of the sum', async () => {
    const p = purchase();
    await emailReceipt(inject('smtpPort'), p);
    const [first, second] = splitParts(p);
    const partA = await shopCharge(apiUrl, p.vendor, first);
    const partB = await shopCharge(apiUrl, p.vendor, second);
    const pending = await api.eventually(
      async () => {
        const res = await api.get<{ items: Expense[] }>('/expenses?limit=100', tokens.alice);
        return res.body.items.find(
          (e) =>
            e.cardTransactionIds.includes(partA) &&
            e.cardTransactionIds.includes(partB) &&
            e.status === 'PENDING_APPROVAL',
        );
      },
      60_000,
      () => purchaseTrail(apiUrl, tokens.finance ?? '', { txId: partB }),
    );
    await booked(await approve(pending.id));
    // The shop refunds the second parcel (only part B is large enough to be its purchase).
    const refundId = await cardRefund(apiUrl, p, second);
    const refund = await api.eventually(
      async () => (await journals()).find((j) => j.key.endsWith(`je_expense-refund_${refundId}`)),
      60_000,
      () => purchaseTrail(apiUrl, tokens.finance ?? '', { txId: refundId }),
    );
    const cents = (l: { LineAmount: string }) => Math.round(Number(l.LineAmount) * 100);
    expect(refund.body.JournalLines.reduce((s, l) => s + cents(l), 0)).toBe(0);
    expect(Math.max(...refund.body.JournalLines.map(cents))).toBe(second);
  }, 120_000);

  it('a refund linked before its purchase is approved is booked right after the purchase', async () => {
    const p = purchase();
    const pending = await pendingExpense(p);
    const refundId = await cardRefund(apiUrl, p, p.cents);
    await new Promise((r) => setTimeout(r, 1_500)); // matched and announced meanwhile: nothing to book yet
    expect((await journals()).some((j) => j.key.endsWith(`je_expense-refund_${refundId}`))).toBe(false);
    await approve(pending.id);
    await booked(pending.id);
    await api.eventually(
      async () => (await journals()).find((j) => j.key.endsWith(`je_expense-refund_${refundId}`)),
      60_000,
    );
  }, 120_000);

  it('survives an accounting outage: retried with backoff, posted exactly once', async () => {
    await fetch(`${apiUrl}/_local/accounting/outage`, { method: 'POST', body: JSON.stringify({ requests: 2 }) });
    const expenseId = await approvedExpense();
    const expense = await booked(expenseId);
    const pushed = (await journals()).filter((j) => j.key.endsWith(expense.booking?.journalEntryId ?? '?'));
    expect(pushed).toHaveLength(1);
  }, 90_000);

  it('dead-letters a refused entry; `quittance accounting redrive` replays it once the cause is fixed', async () => {
    await fetch(`${apiUrl}/_local/accounting/outage`, {
      method: 'POST',
      body: JSON.stringify({ requests: 1, status: 422 }),
    });
    const expenseId = await approvedExpense();
    const entryId = `je_expense_${expenseId}`;
    // Refused for good: not retried, the expense stays APPROVED, nothing in the accounting system.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await api.get<Expense>(`/expenses/${expenseId}`, tokens.finance)).body.status).toBe('APPROVED');
    expect((await journals()).filter((j) => j.key.endsWith(entryId))).toHaveLength(0);

    const cli = await run(['accounting', 'redrive'], apiUrl);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).moved).toBeGreaterThanOrEqual(1);
    await booked(expenseId);
    expect((await journals()).filter((j) => j.key.endsWith(entryId))).toHaveLength(1);
  }, 90_000);

  it("lets finance read the month's VAT report and the payments missing a receipt, by API and CLI, as CSV too", async () => {
    const month = new Date().toISOString().slice(0, 7);
    const waiting = await cardPayment(apiUrl, purchase()); // no receipt sent
    const from = `${month}-01`;
    const to = new Date().toISOString().slice(0, 10);
    await api.eventually(async () => {
      const res = await api.get<{ items: { id: string }[] }>(
        `/cards/transactions?missingReceipt=true&from=${from}&to=${to}&limit=100`,
        tokens.finance,
      );
      return res.body.items.find((t) => t.id === waiting);
    });
    const csv = await fetch(`${apiUrl}/cards/transactions?missingReceipt=true&from=${from}&to=${to}&format=csv`, {
      headers: { authorization: `Bearer ${tokens.finance}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'transactionId,employeeId,postedAt,merchant,mcc,amount,currency,cardLast4,ageDays,lostReceipt',
    );
    expect(lines.some((l) => l.startsWith(`${waiting},u_alice,${to}`))).toBe(true);
    const bad = await api.get<{ error: string; message: string }>(
      `/cards/transactions?missingReceipt=true&from=${to}&to=${from}`,
      tokens.finance,
    );
    if (from !== to) expect(bad.status).toBe(400);
    // An employee sees no company report.
    const alice = await api.token('alice@demo.quittance.local');
    expect((await api.get('/cards/transactions?missingReceipt=true&format=csv', alice)).status).toBe(403);

    const table = await run(['report', 'missing-receipts'], apiUrl);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^posted\s+employee\s+merchant\s+amount\s+age/);
    expect(table.stdout).toMatch(new RegExp(`payments? without a receipt in ${month}`));
    const cliCsv = await run(['report', 'missing-receipts', '--csv', '--month', month], apiUrl);
    expect(cliCsv.stdout).toContain(`${waiting},u_alice`);
    const vat = await run(['report', 'vat'], apiUrl);
    expect(vat.code).toBe(0);
    expect(vat.stdout).toMatch(/^VAT rate\s+amount\s+entries/);
    expect(vat.stdout.trim().split('\n').length).toBeGreaterThan(1);
    const vatCsv = await run(['report', 'vat', '--csv'], apiUrl);
    expect(vatCsv.code).toBe(0);
    expect(vatCsv.stdout.split('\n').length).toBeGreaterThan(2);
    expect((await run(['report', 'vat', '--month', '2026-13'], apiUrl)).code).not.toBe(0);
  }, 60_000);
});

const run = runCli;

describe('weekly card cash out', () => {
  it('adds an approved authorization and its capture to the week they happened in', async () => {
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    type CashOut = { weeks: { week: string; authorized: string; captured: string }[] };
    const total = (r: CashOut, k: 'authorized' | 'captured') =>
      r.weeks.reduce((s, w) => s + Math.round(Number(w[k]) * 100), 0);
    const before = (await api.get<CashOut>(`/reports/cash-out?from=${from}&to=${to}`, tokens.finance)).body;
    const p = purchase();
    await cardPayment(apiUrl, p);
    // The approval and the capture reach the report through different events, in either order: wait for both.
    const after = await api.eventually(async () => {
      const r = (await api.get<CashOut>(`/reports/cash-out?from=${from}&to=${to}`, tokens.finance)).body;
      const captured = total(r, 'captured') - total(before, 'captured') >= p.cents;
      return captured && total(r, 'authorized') - total(before, 'authorized') >= p.cents ? r : undefined;
    });
    expect(total(after, 'authorized') - total(before, 'authorized')).toBeGreaterThanOrEqual(p.cents);
    expect(total(after, 'captured') - total(before, 'captured')).toBeGreaterThanOrEqual(p.cents);
    const csv = await fetch(`${apiUrl}/reports/cash-out?from=${from}&to=${to}&format=csv`, {
      headers: { authorization: `Bearer ${tokens.finance}` },
    });
    expect((await csv.text()).split('\n')[0]).toBe('week,authorized,captured,currency');
  });

  it('takes back an approval the merchant reversed before any capture', async () => {
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    type CashOut = { weeks: { authorized: string }[] };
    const authorized = async () =>
      (await api.get<CashOut>(`/reports/cash-out?from=${from}&to=${to}`, tokens.finance)).body.weeks.reduce(
        (s, w) => s + Math.round(Number(w.authorized) * 100),
        0,
      );
    const before = await authorized();
    const p = purchase();
    const secret = LOCAL_WEBHOOK_SECRETS.WEBHOOK_SECRETS_STRIPE;
    const card = { id: 'ic_demo_alice', last4: '4242', cardholderId: 'ich_demo_alice' };
    const a = newAuthorization(card, { name: p.vendor, mcc: '5812', city: 'PARIS', country: 'FR' }, p.cents);
    expect((await sendStripe(apiUrl, secret, authorizationRequest(a))).body.approved).toBe(true);
    await sendStripe(apiUrl, secret, authorizationCreated(a, true));
    const counted = await api.eventually(async () => {
      const now = await authorized();
      return now - before >= p.cents ? now : undefined;
    });
    expect((await sendStripe(apiUrl, secret, authorizationReversed(a))).status).toBe(200);
    await api.eventually(async () => ((await authorized()) === counted - p.cents ? true : undefined));
  });
});
