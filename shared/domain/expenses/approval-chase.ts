/**
 * The daily chase of waiting approvals: for each expense pending approval, what dueApprovalNotices says is due under
 * the company's chain settings — a reminder to the step's approvers (and their delegates of the day), or after N days
 * an escalation that opens the step to the escalation targets. Each notice is recorded on the expense (versioned, in
 * its audit trail) before the reminder is sent, so a re-run the same day sends nothing twice.
 */
import { type ApprovalNotifier, ConcurrentUpdateError } from '../../ports/expenses.ts';
import { resolveApprovers } from './approval-chain.ts';
import { dueApprovalNotices } from './approval-reminders.ts';
import { ExpenseCommandError } from './lifecycle.ts';
import { type ExpenseWorkflowDeps, runCommand, SYSTEM_ACTOR } from './workflow.ts';

export interface ApprovalChaseDeps extends ExpenseWorkflowDeps {
  notifier: Pick<ApprovalNotifier, 'approvalNotice'>;
}

export const chaseApprovals = async (
  deps: ApprovalChaseDeps,
  companyId: string,
): Promise<{ reminded: number; escalated: number }> => {
  const now = deps.now().toISOString();
  const chain = await deps.policies.chainAt(companyId, now);
  if (!chain) return { reminded: 0, escalated: 0 };
  const [org, delegations] = await Promise.all([deps.org(companyId), deps.policies.delegations(companyId)]);
  let reminded = 0;
  let escalated = 0;
  let cursor: string | null = null;
  do {
    const page = await deps.expenses.listByStatus(companyId, { status: 'PENDING_APPROVAL', limit: 100, cursor });
    for (const expense of page.items) {
      if (!expense.approval) continue;
      const escalateTo = resolveApprovers(chain.reminders.escalateTo, expense.employeeId, org).filter(
        (id) => id !== expense.employeeId,
      );
      const notices = dueApprovalNotices(expense.approval, now, { ...chain.reminders, escalateTo }, delegations);
      for (const notice of notices) {
        try {
          await runCommand(deps, expense, { type: 'approval-notice', notice }, SYSTEM_ACTOR);
        } catch (error) {
          // Decided or changed meanwhile: nothing to chase any more (or tomorrow's run sees the new state).
          if (error instanceof ConcurrentUpdateError || error instanceof ExpenseCommandError) continue;
          throw error;
        }
        if (notice.kind === 'remind') {
          await deps.notifier.approvalNotice(companyId, expense.id, notice);
          reminded++;
        } else {
          escalated++; // ExpenseApprovalRequested (from the command) mails the new approvers their links
        }
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { reminded, escalated };
};
