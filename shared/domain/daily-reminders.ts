import type { Mailer } from '../ports/mailer.ts';
import { type CompanyDocument, planDocumentReminders } from './company-documents.ts';
import type { ApprovalNotice } from './expenses/approval-reminders.ts';
import type { Expense } from './expenses/expense.ts';
import {
  DEFAULT_REMINDER_SETTINGS,
  digestText,
  type MissingReceipt,
  planReminders,
  type ReminderSettings,
  sendReminders,
} from './matching/reminders.ts';
import { formatMoney } from './money.ts';

/** A person of the company, as the reminders address them. */
export interface ReminderPerson {
  userId: string;
  email: string;
  displayName: string;
  active: boolean;
  roles: readonly string[];
  managerId: string | null;
}

/** What the daily reminders read and write, per company. */
export interface ReminderDirectory {
  companies(): Promise<string[]>;
  company(companyId: string): Promise<{ receiptsAddress: string; reminders: Partial<ReminderSettings> } | null>;
  people(companyId: string): Promise<ReminderPerson[]>;
  /** Card payments still waiting for their receipt. */
  missingReceipts(companyId: string): Promise<MissingReceipt[]>;
  documents(companyId: string): Promise<CompanyDocument[]>;
  saveDocument(companyId: string, document: CompanyDocument): Promise<void>;
}

export interface DailyReminderDeps {
  directory: ReminderDirectory;
  mailer: Mailer;
  /** Chases the company's approvals still waiting (the chain's reminder settings), telling `notify` whom to mail. */
  chaseApprovals(
    companyId: string,
    now: Date,
    notify: (expenseId: string, notice: ApprovalNotice) => Promise<void>,
  ): Promise<{ reminded: number; escalated: number }>;
  expense(companyId: string, expenseId: string): Promise<Expense | null>;
}

export interface DailyReminderCounts {
  companies: number;
  reminded: number;
  escalated: number;
  digests: number;
  approvalsReminded: number;
  approvalsEscalated: number;
  documentsReminded: number;
}

/**
 * The daily run, company by company:
 * - card payments still waiting for their receipt: one reminder per employee after the company's delay, a note to
 *   the manager after the escalation delay (defaults 3 and 10 days), and with `digest` (Mondays) the weekly digest
 *   of all of them to finance;
 * - approvals still waiting: a reminder to the approvers, then an escalation (the chain's reminder settings);
 * - company documents about to expire (or expired): the admins, once per threshold.
 * Inactive people get nothing.
 */
export const runDailyReminders = async (
  deps: DailyReminderDeps,
  now: Date,
  options: { digest: boolean },
): Promise<DailyReminderCounts> => {
  const { directory, mailer } = deps;
  const companies = await directory.companies();
  const counts: DailyReminderCounts = {
    companies: companies.length,
    reminded: 0,
    escalated: 0,
    digests: 0,
    approvalsReminded: 0,
    approvalsEscalated: 0,
    documentsReminded: 0,
  };
  for (const companyId of companies) {
    const [company, people, missing, documents] = await Promise.all([
      directory.company(companyId),
      directory.people(companyId),
      directory.missingReceipts(companyId),
      directory.documents(companyId),
    ]);
    const byId = new Map(people.map((p) => [p.userId, p]));
    const active = (id: string | null | undefined) => {
      const p = id ? byId.get(id) : undefined;
      return p?.active ? p : undefined;
    };
    const withRole = (role: string) => people.filter((p) => p.active && p.roles.includes(role));

    const settings = { ...DEFAULT_REMINDER_SETTINGS, ...(company?.reminders ?? {}) };
    const sent = await sendReminders(
      {
        mailer,
        receiptsAddress: company?.receiptsAddress ?? '',
        now: () => now,
        people: async (id) => {
          const p = active(id);
          if (!p) return null;
          return { email: p.email, name: p.displayName, managerEmail: active(p.managerId)?.email ?? null };
        },
      },
      planReminders(missing, settings, now),
    );
    counts.reminded += sent.reminded;
    counts.escalated += sent.escalated;

    if (options.digest && missing.length > 0) {
      const names = Object.fromEntries(people.filter((p) => p.active).map((p) => [p.userId, p.displayName]));
      for (const f of withRole('finance')) {
        await mailer.send({
          to: f.email,
          subject: `Weekly digest: ${missing.length} card payment${missing.length === 1 ? '' : 's'} without a receipt`,
          text: digestText(missing, names, now),
        });
        counts.digests++;
      }
    }

    const chased = await deps.chaseApprovals(companyId, now, async (expenseId, notice) => {
      const expense = await deps.expense(companyId, expenseId);
      const employee = expense ? byId.get(expense.employeeId) : undefined;
      const what = expense
        ? `${employee?.displayName ?? expense.employeeId}: ${expense.category?.category ?? 'expense'} of ${formatMoney(expense.amount)} ${expense.amount.currency}`
        : expenseId;
      for (const id of notice.to) {
        const approver = active(id);
        if (!approver?.email) continue;
        await mailer.send({
          to: approver.email,
          subject: `Reminder: an expense has waited ${notice.waitingDays} days for your approval`,
          text: `${what} [${expenseId}] waits for your decision in Quittance (Approvals).`,
        });
      }
    });
    counts.approvalsReminded += chased.reminded;
    counts.approvalsEscalated += chased.escalated;

    for (const r of planDocumentReminders(documents, now)) {
      for (const a of withRole('admin')) await mailer.send({ to: a.email, subject: r.subject, text: r.text });
      const d = documents.find((x) => x.id === r.documentId);
      if (!d) continue;
      await directory.saveDocument(companyId, { ...d, reminded: [...d.reminded, r.threshold] });
      counts.documentsReminded++;
    }
  }
  return counts;
};
