import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import { makeDynamoExpenseRepository } from '../../shared/adapters/dynamodb/expenses.ts';
import { EXPENSE_STATUSES } from '../../shared/domain/expenses/expense.ts';
import {
  compareExpenses,
  type ExpenseFilter,
  type ExpenseOrder,
  expenseMatches,
} from '../../shared/domain/expenses/search.ts';
import { makeApi, sendMail } from '../support/api-client.ts';
import { putExpenses, seeded, syntheticExpenses } from '../support/expense-sets.ts';

const apiUrl = inject('apiUrl');
const api = makeApi(apiUrl);
const companyId = `search_${Date.now().toString(36)}`;
const expenses = syntheticExpenses(companyId, 400, { seed: 11, employees: 6 });
let repo: ReturnType<typeof makeDynamoExpenseRepository>;

beforeAll(async () => {
  const info = (await (await fetch(`${apiUrl}/_local/info`)).json()) as {
    endpoints: { dynamodb: string };
    env: Record<string, string>;
  };
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: info.endpoints.dynamodb,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const table = info.env.TABLE_MAIN ?? '';
  repo = makeDynamoExpenseRepository(ddb, table);
  await putExpenses(ddb, table, expenses);
}, 60_000);

const randomFilter = (rng: ReturnType<typeof seeded>): ExpenseFilter => {
  const f: ExpenseFilter = {};
  const maybe = () => rng.next() < 0.35;
  if (maybe()) f.status = EXPENSE_STATUSES[rng.int(0, EXPENSE_STATUSES.length - 1)];
  if (maybe()) f.employeeId = `u_00${rng.int(1, 6)}`;
  if (maybe()) f.entityId = rng.next() < 0.5 ? 'ent_paris' : 'ent_lyon';
  if (maybe()) f.category = rng.next() < 0.5 ? 'meals' : 'hotel';
  if (maybe()) {
    const a = rng.int(0, 300);
    f.from = new Date(Date.UTC(2026, 0, 1) + a * 86_400_000).toISOString().slice(0, 10);
    if (rng.next() < 0.7)
      f.to = new Date(Date.UTC(2026, 0, 1) + (a + rng.int(0, 90)) * 86_400_000).toISOString().slice(0, 10);
  }
  if (maybe()) f.minAmount = `${rng.int(1, 800)}.${rng.int(0, 99)}`;
  if (maybe()) f.maxAmount = `${rng.int(300, 2000)}`;
  if (maybe()) f.hasReceipt = rng.next() < 0.5;
  if (maybe()) f.hasViolations = rng.next() < 0.5;
  return f;
};

describe('expense search against DynamoDB Local', () => {
  it('returns exactly what the pure filter selects, in order, across pages, for random filters', async () => {
    const rng = seeded(5);
    for (let round = 0; round < 40; round++) {
      const filter = randomFilter(rng);
      const order: ExpenseOrder = rng.next() < 0.5 ? 'spentOn' : '-spentOn';
      const limit = rng.int(1, 60);
      const expected = expenses
        .filter((e) => expenseMatches(e, filter))
        .sort(compareExpenses(order))
        .map((e) => e.id);
      const got: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await repo.search(companyId, filter, { limit, cursor, order });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        got.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 500);
      expect(got, JSON.stringify({ filter, order, limit })).toEqual(expected);
    }
  }, 120_000);
});

describe('GET /expenses with filters', () => {
  it('lets finance filter and export, and refuses an employee asking for someone else', async () => {
    const finance = await api.token('finance@demo.quittance.local');
    const res = await api.get<{ items: { status: string; spentOn: string }[]; nextCursor: string | null }>(
      '/expenses?status=APPROVED&from=2020-01-01&to=2030-12-31&sort=spentOn&limit=5',
      finance,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.every((e) => e.status === 'APPROVED')).toBe(true);
    const dates = res.body.items.map((e) => e.spentOn);
    expect(dates).toEqual([...dates].sort());
    const csv = await fetch(`${apiUrl}/expenses?hasReceipt=true&format=csv`, {
      headers: { authorization: `Bearer ${finance}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect((await csv.text()).split('\n')[0]).toContain('spentOn');
    const employee = await api.token('alice@demo.quittance.local');
    expect((await api.get('/expenses?employeeId=u_someone_else', employee)).status).toBe(403);
    expect((await api.get('/expenses?minAmount=12,50', finance)).status).toBe(400);
    // A cursor of one listing is refused on another (here: a status list's cursor on an employee's list).
    const first = await api.get<{ nextCursor: string | null }>('/expenses?status=APPROVED&limit=1', finance);
    if (first.body.nextCursor) {
      const q = new URLSearchParams({ employeeId: 'u_demo_alice', cursor: first.body.nextCursor });
      expect((await api.get(`/expenses?${q}`, finance)).status).toBe(400);
    }
  });
});

describe('GET /receipts?status=', () => {
  it('lists only receipts in that status, across pages', async () => {
    const finance = await api.token('finance@demo.quittance.local');
    // A receipt that cannot be read (no amount: it can never compete with other tests' purchases in matching).
    await sendMail(inject('smtpPort'), {
      from: 'bob@demo.quittance.local',
      to: 'receipts@demo.quittance.local',
      subject: 'broken scan',
      attachments: [{ filename: 'broken.pdf', content: Buffer.from('%PDF-1.7\n%not a body\n') }],
    });
    await api.eventually(async () => {
      const r = await api.get<{ items: unknown[] }>('/receipts?status=EXTRACTION_FAILED&limit=1', finance);
      return r.body.items.length > 0 ? true : undefined;
    });
    const all: { status: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q = new URLSearchParams({ status: 'EXTRACTION_FAILED', limit: '3', ...(cursor ? { cursor } : {}) });
      const res = await api.get<{ items: { status: string }[]; nextCursor: string | null }>(`/receipts?${q}`, finance);
      expect(res.status).toBe(200);
      all.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 200);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((r) => r.status === 'EXTRACTION_FAILED')).toBe(true);
    expect((await api.get('/receipts?status=LOST', finance)).status).toBe(400);
    // Bob's readable receipt that no card payment matches (Bob's card is not used in this suite's purchases).
    await sendMail(inject('smtpPort'), {
      from: 'bob@demo.quittance.local',
      to: 'receipts@demo.quittance.local',
      subject: 'parking',
      attachments: [
        {
          filename: 'parking.pdf',
          content: Buffer.from(
            await makeSampleReceiptPdf({ vendor: 'PARKING QUAI', total: '7,40', date: '01/02/2026' }),
          ),
        },
      ],
    });
    const unmatched = await api.eventually(async () => {
      const r = await api.get<{ items: { status: string; match: unknown; employeeId: string }[] }>(
        '/receipts?unmatched=true&limit=100',
        finance,
      );
      return r.body.items.some((x) => x.employeeId === 'u_bob') ? r : undefined;
    });
    expect(unmatched.body.items.every((r) => r.status === 'EXTRACTED' && r.match === null)).toBe(true);
  });
});
