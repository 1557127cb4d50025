import type { Mailer } from '../../ports/mailer.ts';

export interface MissingReceipt {
  transactionId: string;
  employeeId: string;
  merchantName: string;
  amount: string;
  currency: string;
  postedAt: string;
}

export interface ReminderSettings {
  /** Remind the employee once a transaction has waited this many days for its receipt. */
  remindAfterDays: number;
  /** Tell the employee's manager after this many days. */
  escalateAfterDays: number;
}

export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = { remindAfterDays: 3, escalateAfterDays: 10 };

export interface ReminderPlan {
  employeeId: string;
  /** Missing receipts older than remindAfterDays, oldest first. */
  overdue: MissingReceipt[];
  /** Those older than escalateAfterDays: the manager hears about them too. */
  escalated: MissingReceipt[];
}

const DAY = 86_400_000;

/** Groups the company's missing receipts by employee into what each one must be told today (pure). */
export const planReminders = (
  missing: readonly MissingReceipt[],
  settings: ReminderSettings,
  now: Date,
): ReminderPlan[] => {
  const byEmployee = new Map<string, ReminderPlan>();
  for (const m of [...missing].sort((a, b) => a.postedAt.localeCompare(b.postedAt))) {
    const age = (now.getTime() - Date.parse(m.postedAt)) / DAY;
    if (age < settings.remindAfterDays) continue;
    const plan = byEmployee.get(m.employeeId) ?? { employeeId: m.employeeId, overdue: [], escalated: [] };
    plan.overdue.push(m);
    if (age >= settings.escalateAfterDays) plan.escalated.push(m);
    byEmployee.set(m.employeeId, plan);
  }
  return [...byEmployee.values()];
};

const line = (m: MissingReceipt, now: Date) =>
  `- ${m.postedAt.slice(0, 10)}  ${m.merchantName}  ${m.amount} ${m.currency}  (${Math.floor((now.getTime() - Date.parse(m.postedAt)) / DAY)} days)`;

/**
 * Sends today's reminders: one e-mail per employee listing the card payments still waiting for a receipt (reply
 * with the receipt attached to the receipts address), and one per manager for those past the escalation delay.
 */
export const sendReminders = async (
  deps: {
    mailer: Mailer;
    people: (employeeId: string) => Promise<{ email: string; name: string; managerEmail: string | null } | null>;
    receiptsAddress: string;
    now: () => Date;
  },
  plans: readonly ReminderPlan[],
): Promise<{ reminded: number; escalated: number }> => {
  const now = deps.now();
  let reminded = 0;
  let escalated = 0;
  for (const plan of plans) {
    const person = await deps.people(plan.employeeId);
    if (!person) continue;
    await deps.mailer.send({
      to: person.email,
      subject: `${plan.overdue.length} card payment${plan.overdue.length > 1 ? 's' : ''} waiting for a receipt`,
      text: [
        `Hello ${person.name},`,
        '',
        'These card payments have no receipt yet:',
        ...plan.overdue.map((m) => line(m, now)),
        '',
        `Forward the receipts to ${deps.receiptsAddress} (one e-mail can carry several), or declare a receipt lost in`,
        'Quittance so that finance can decide.',
      ].join('\n'),
    });
    reminded++;
    if (plan.escalated.length > 0 && person.managerEmail) {
      await deps.mailer.send({
        to: person.managerEmail,
        subject: `${person.name}: ${plan.escalated.length} receipt${plan.escalated.length > 1 ? 's' : ''} missing for a long time`,
        text: [`${person.name} still has no receipt for:`, ...plan.escalated.map((m) => line(m, now))].join('\n'),
      });
      escalated++;
    }
  }
  return { reminded, escalated };
};

/** The weekly digest for finance: every payment still without a receipt, by employee, oldest first. */
export const digestText = (
  missing: readonly MissingReceipt[],
  names: Readonly<Record<string, string>>,
  now: Date,
): string => {
  const byEmployee = new Map<string, MissingReceipt[]>();
  for (const m of [...missing].sort((a, b) => a.postedAt.localeCompare(b.postedAt))) {
    byEmployee.set(m.employeeId, [...(byEmployee.get(m.employeeId) ?? []), m]);
  }
  return [
    `${missing.length} card payment${missing.length === 1 ? '' : 's'} without a receipt:`,
    ...[...byEmployee.entries()].flatMap(([id, ms]) => [
      '',
      `${names[id] ?? id} (${ms.length})`,
      ...ms.map((m) => line(m, now)),
    ]),
  ].join('\n');
};
