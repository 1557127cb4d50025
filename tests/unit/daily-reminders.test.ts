import { describe, expect, it } from 'vitest';
import type { CompanyDocument } from '../../shared/domain/company-documents.ts';
import { type DailyReminderDeps, type ReminderPerson, runDailyReminders } from '../../shared/domain/daily-reminders.ts';
import type { Expense } from '../../shared/domain/expenses/expense.ts';
import type { MissingReceipt } from '../../shared/domain/matching/reminders.ts';
import { money } from '../../shared/domain/money.ts';
import type { OutboundEmail } from '../../shared/ports/mailer.ts';

const NOW = new Date('2026-12-07T08:00:00Z'); // a Monday
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

const person = (userId: string, roles: string[] = ['employee'], extra: Partial<ReminderPerson> = {}) => ({
  userId,
  email: `${userId}@example.test`,
  displayName: userId.toUpperCase(),
  active: true,
  roles,
  managerId: null,
  ...extra,
});

const missing = (employeeId: string, age: number, id = `tx_${employeeId}_${age}`): MissingReceipt => ({
  transactionId: id,
  employeeId,
  merchantName: 'CAFE DE FLORE',
  amount: '12.50',
  currency: 'EUR',
  postedAt: daysAgo(age),
});

const world = (opts: {
  people: ReminderPerson[];
  missing?: MissingReceipt[];
  documents?: CompanyDocument[];
  approvals?: { expenseId: string; to: string[] }[];
  expenses?: Record<string, Expense>;
}) => {
  const mails: OutboundEmail[] = [];
  const documents = new Map((opts.documents ?? []).map((d) => [d.id, d]));
  const deps: DailyReminderDeps = {
    directory: {
      companies: async () => ['co1'],
      company: async () => ({ receiptsAddress: 'receipts@co1.example.test', reminders: {} }),
      people: async () => opts.people,
      missingReceipts: async () => opts.missing ?? [],
      documents: async () => [...documents.values()],
      saveDocument: async (_c, d) => {
        documents.set(d.id, d);
      },
    },
    mailer: {
      send: async (m) => {
        mails.push(m);
      },
    },
    chaseApprovals: async (_companyId, _now, notify) => {
      for (const a of opts.approvals ?? []) {
        await notify(a.expenseId, { kind: 'remind', step: 0, to: a.to, waitingDays: 4 });
      }
      return { reminded: opts.approvals?.length ?? 0, escalated: 0 };
    },
    expense: async (_c, id) => opts.expenses?.[id] ?? null,
  };
  return { deps, mails, documents };
};

describe('runDailyReminders', () => {
  it('reminds employees after 3 days, tells an active manager after 10, and skips people who left', async () => {
    const { deps, mails } = world({
      people: [
        person('alice', ['employee'], { managerId: 'mona' }),
        person('bob', ['employee'], { managerId: 'max' }),
        person('carl', ['employee'], { active: false }),
        person('mona', ['manager']),
        person('max', ['manager'], { active: false }),
      ],
      missing: [missing('alice', 1), missing('alice', 12), missing('bob', 11), missing('carl', 20)],
    });
    const counts = await runDailyReminders(deps, NOW, { digest: false });
    expect(counts).toMatchObject({ companies: 1, reminded: 2, escalated: 1, digests: 0 });
    expect(mails.map((m) => m.to).sort()).toEqual([
      'alice@example.test',
      'bob@example.test',
      'mona@example.test', // Alice's manager; Bob's manager has left, Carl has left
    ]);
    const alice = mails.find((m) => m.to === 'alice@example.test');
    expect(alice?.subject).toBe('1 card payment waiting for a receipt'); // the 1-day-old one waits
    expect(alice?.text).toContain('receipts@co1.example.test');
  });

  it("sends finance the weekly digest only when asked, to active finance people, with the employees' names", async () => {
    const people = [person('alice'), person('fiona', ['finance']), person('fred', ['finance'], { active: false })];
    const quiet = world({ people, missing: [missing('alice', 1)] });
    expect((await runDailyReminders(quiet.deps, NOW, { digest: false })).digests).toBe(0);
    const monday = world({ people, missing: [missing('alice', 1)] });
    const counts = await runDailyReminders(monday.deps, NOW, { digest: true });
    expect(counts.digests).toBe(1);
    const digest = monday.mails.find((m) => m.to === 'fiona@example.test');
    expect(digest?.subject).toBe('Weekly digest: 1 card payment without a receipt');
    expect(digest?.text).toContain('ALICE');
    expect(monday.mails.some((m) => m.to === 'fred@example.test')).toBe(false);
  });

  it('mails waiting approvers (not those who left) what waits for them', async () => {
    const expense = {
      id: 'exp_1',
      employeeId: 'alice',
      amount: money(4250n, 'EUR'),
      category: { category: 'meals' },
    } as unknown as Expense;
    const { deps, mails } = world({
      people: [person('alice'), person('mona', ['manager']), person('max', ['manager'], { active: false })],
      approvals: [{ expenseId: 'exp_1', to: ['mona', 'max'] }],
      expenses: { exp_1: expense },
    });
    const counts = await runDailyReminders(deps, NOW, { digest: false });
    expect(counts.approvalsReminded).toBe(1);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe('mona@example.test');
    expect(mails[0]?.subject).toBe('Reminder: an expense has waited 4 days for your approval');
    expect(mails[0]?.text).toBe('ALICE: meals of 42.50 EUR [exp_1] waits for your decision in Quittance (Approvals).');
  });

  it('warns active admins once per threshold before a company document expires', async () => {
    const doc: CompanyDocument = {
      id: 'doc_1',
      key: 'documents/co1/doc_1.pdf',
      kind: 'insurance',
      title: 'RC Pro',
      expiresOn: '2026-12-12',
      entityId: null,
      fileName: 'rc.pdf',
      contentType: 'application/pdf',
      size: 1000,
      uploadedBy: 'u_admin',
      createdAt: daysAgo(200),
      reminded: [30],
    };
    const w = world({
      people: [person('ada', ['admin']), person('abe', ['admin'], { active: false }), person('alice')],
      documents: [doc],
    });
    const first = await runDailyReminders(w.deps, NOW, { digest: false });
    expect(first.documentsReminded).toBe(1);
    expect(w.mails.map((m) => m.to)).toEqual(['ada@example.test']);
    expect(w.documents.get('doc_1')?.reminded).toEqual([30, 7]);
    const again = await runDailyReminders(w.deps, NOW, { digest: false });
    expect(again.documentsReminded).toBe(0);
    expect(w.mails).toHaveLength(1);
  });
});
