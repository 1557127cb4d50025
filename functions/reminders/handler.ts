import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { queryMissingReceipts } from '../../shared/adapters/dynamodb/missing-receipts.ts';
import { queryAll } from '../../shared/adapters/dynamodb/query-all.ts';
import { makeSesMailer } from '../../shared/adapters/ses/mailer.ts';
import { type CompanyDocument, planDocumentReminders } from '../../shared/domain/company-documents.ts';
import { chaseApprovals } from '../../shared/domain/expenses/approval-chase.ts';
import {
  DEFAULT_REMINDER_SETTINGS,
  digestText,
  type MissingReceipt,
  planReminders,
  sendReminders,
} from '../../shared/domain/matching/reminders.ts';
import { formatMoney, money } from '../../shared/domain/money.ts';
import { getEnv, tableName } from '../../shared/runtime/env.ts';
import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { expenseWorkflowDeps } from '../expense-intake/deps.ts';

const o = observability('reminders');
const { ddb, ses } = awsClients();
const table = tableName('main');
const mailer = makeSesMailer(ses, getEnv('MAIL_FROM'));
const workflow = expenseWorkflowDeps();

/** Every item of a partition, all pages. */
const query = (pk: string) =>
  queryAll(ddb, { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } });

/**
 * Daily: for every company, the card payments still waiting for their receipt → one reminder per employee after
 * the company's delay, and a note to the manager after the escalation delay (defaults 3 and 10 days); and the
 * approvals still waiting → a reminder to the approvers, then an escalation (the chain's reminder settings).
 */
export const handler = lambda(async (event: { time?: string; detail?: { digest?: boolean } }) => {
  // The schedule's own time (EventBridge stamps it), so a late or replayed run acts as of when it was due.
  const now = event?.time && !Number.isNaN(Date.parse(event.time)) ? new Date(event.time) : new Date();
  // Mondays (or on demand) finance also gets the weekly digest of every payment still without a receipt.
  const digest = event?.detail?.digest === true || now.getUTCDay() === 1;
  let digests = 0;
  const companies = (await query('COMPANIES')).map((c) => String(c.sk));
  let reminded = 0;
  let escalated = 0;
  let approvalsReminded = 0;
  let approvalsEscalated = 0;
  let documentsReminded = 0;
  for (const companyId of companies) {
    const company = (await ddb.send(new GetCommand({ TableName: table, Key: keys.company(companyId) }))).Item;
    const missing: MissingReceipt[] = (await queryMissingReceipts(ddb, table, companyId)).map((t) => ({
      transactionId: String(t.id),
      employeeId: String(t.employeeId),
      merchantName: String(t.merchantName ?? ''),
      amount: formatMoney(money(BigInt(String(t.amountMinor)), String(t.currency))),
      currency: String(t.currency),
      postedAt: String(t.postedAt),
    }));
    const settings = { ...DEFAULT_REMINDER_SETTINGS, ...((company?.reminders as object | undefined) ?? {}) };
    const plans = planReminders(missing, settings, now);
    const user = async (id: string) =>
      (await ddb.send(new GetCommand({ TableName: table, Key: keys.user(companyId, id) }))).Item;
    const result = await sendReminders(
      {
        mailer,
        receiptsAddress: String(company?.receiptsAddress ?? ''),
        now: () => now,
        people: async (id) => {
          const u = await user(id);
          if (!u || u.active === false) return null;
          const manager = u.managerId ? await user(String(u.managerId)) : undefined;
          return {
            email: String(u.email),
            name: String(u.displayName),
            managerEmail: manager ? String(manager.email) : null,
          };
        },
      },
      plans,
    );
    reminded += result.reminded;
    escalated += result.escalated;
    const chased = await chaseApprovals(
      {
        ...workflow,
        now: () => now,
        notifier: {
          async approvalNotice(_companyId, expenseId, notice) {
            const expense = await workflow.expenses.get(companyId, expenseId);
            const employee = expense ? await user(expense.employeeId) : undefined;
            const what = expense
              ? `${employee?.displayName ?? expense.employeeId}: ${expense.category?.category ?? 'expense'} of ${formatMoney(expense.amount)} ${expense.amount.currency}`
              : expenseId;
            for (const id of notice.to) {
              const approver = await user(id);
              if (!approver?.email || approver.active === false) continue;
              await mailer.send({
                to: String(approver.email),
                subject: `Reminder: an expense has waited ${notice.waitingDays} days for your approval`,
                text: `${what} [${expenseId}] waits for your decision in Quittance (Approvals).`,
              });
            }
          },
        },
      },
      companyId,
    );
    approvalsReminded += chased.reminded;
    approvalsEscalated += chased.escalated;
    const partition = await query(`C#${companyId}`);
    // Company documents about to expire (or expired): the admins, once per threshold.
    const documents = partition
      .filter((i) => String(i.sk).startsWith('DOC#'))
      .map((i) => JSON.parse(String(i.json)) as CompanyDocument);
    const admins = partition.filter(
      (u) =>
        String(u.sk).startsWith('USER#') && u.active !== false && (u.roles as string[] | undefined)?.includes('admin'),
    );
    for (const r of planDocumentReminders(documents, now)) {
      for (const a of admins) await mailer.send({ to: String(a.email), subject: r.subject, text: r.text });
      const d = documents.find((x) => x.id === r.documentId);
      if (!d) continue;
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `C#${companyId}`,
            sk: `DOC#${d.id}`,
            entity: 'CompanyDocument',
            json: JSON.stringify({ ...d, reminded: [...d.reminded, r.threshold] }),
          },
        }),
      );
      documentsReminded++;
    }
    if (digest && missing.length > 0) {
      const users = partition;
      const people = users.filter((u) => String(u.sk).startsWith('USER#') && u.active !== false);
      const names = Object.fromEntries(people.map((u) => [String(u.userId), String(u.displayName)]));
      for (const f of people.filter((u) => (u.roles as string[] | undefined)?.includes('finance'))) {
        await mailer.send({
          to: String(f.email),
          subject: `Weekly digest: ${missing.length} card payment${missing.length === 1 ? '' : 's'} without a receipt`,
          text: digestText(missing, names, now),
        });
        digests++;
      }
    }
  }
  const counts = {
    companies: companies.length,
    reminded,
    escalated,
    digests,
    approvalsReminded,
    approvalsEscalated,
    documentsReminded,
  };
  o.logger.info('reminders sent', counts);
  return counts;
}, o);
