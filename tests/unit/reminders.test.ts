import { describe, expect, it } from 'vitest';
import { DEFAULT_REMINDER_SETTINGS, planReminders, sendReminders } from '../../shared/domain/matching/reminders.ts';
import type { OutboundEmail } from '../../shared/ports/mailer.ts';

const now = new Date('2026-11-22T09:00:00Z');
const missing = (transactionId: string, employeeId: string, daysAgo: number) => ({
  transactionId,
  employeeId,
  merchantName: 'BRASSERIE',
  amount: '42.50',
  currency: 'EUR',
  postedAt: new Date(now.getTime() - daysAgo * 86_400_000).toISOString(),
});

describe('missing-receipt reminders', () => {
  it('reminds after N days, escalates to the manager after M days, leaves recent ones alone', async () => {
    const plans = planReminders(
      [
        missing('t1', 'u_alice', 1),
        missing('t2', 'u_alice', 4),
        missing('t3', 'u_alice', 12),
        missing('t4', 'u_bob', 5),
      ],
      DEFAULT_REMINDER_SETTINGS,
      now,
    );
    expect(
      plans.map((p) => [p.employeeId, p.overdue.map((m) => m.transactionId), p.escalated.map((m) => m.transactionId)]),
    ).toEqual([
      ['u_alice', ['t3', 't2'], ['t3']],
      ['u_bob', ['t4'], []],
    ]);
    const sent: OutboundEmail[] = [];
    const result = await sendReminders(
      {
        mailer: { send: async (m) => void sent.push(m) },
        people: async (id) => ({ email: `${id}@x.test`, name: id, managerEmail: 'boss@x.test' }),
        receiptsAddress: 'receipts@x.test',
        now: () => now,
      },
      plans,
    );
    expect(result).toEqual({ reminded: 2, escalated: 1 });
    expect(sent.map((m) => m.to)).toEqual(['u_alice@x.test', 'boss@x.test', 'u_bob@x.test']);
    expect(sent[0]?.text).toMatch(/12 days/);
  });
});
