import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoReminderDirectory } from '../../shared/adapters/dynamodb/reminder-directory.ts';
import { makeSesMailer } from '../../shared/adapters/ses/mailer.ts';
import type { DailyReminderDeps } from '../../shared/domain/daily-reminders.ts';
import { chaseApprovals } from '../../shared/domain/expenses/approval-chase.ts';
import { getEnv, tableName } from '../../shared/runtime/env.ts';
import { expenseWorkflowDeps } from '../expense-intake/deps.ts';

export const defaultDeps = (): DailyReminderDeps => {
  const { ddb, ses } = awsClients();
  const workflow = expenseWorkflowDeps();
  return {
    directory: makeDynamoReminderDirectory(ddb, tableName('main')),
    mailer: makeSesMailer(ses, getEnv('MAIL_FROM')),
    chaseApprovals: (companyId, now, notify) =>
      chaseApprovals(
        {
          ...workflow,
          now: () => now,
          notifier: { approvalNotice: (_companyId, expenseId, notice) => notify(expenseId, notice) },
        },
        companyId,
      ),
    expense: (companyId, expenseId) => workflow.expenses.get(companyId, expenseId),
  };
};
