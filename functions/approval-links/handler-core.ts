import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readApprovalLink, redeemApprovalLink } from '../../shared/domain/expenses/approval-link.ts';
import { ExpenseCommandError } from '../../shared/domain/expenses/lifecycle.ts';
import { type ExpenseWorkflowDeps, runCommand } from '../../shared/domain/expenses/workflow.ts';
import type { UsedTokenStore } from '../../shared/ports/expenses.ts';

export interface ApprovalLinksDeps extends ExpenseWorkflowDeps {
  secrets: readonly Uint8Array[];
  usedTokens: UsedTokenStore;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const page = (statusCode: number, title: string, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    'cache-control': 'no-store',
  },
  body: `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title><body style="font-family:sans-serif;max-width:36rem;margin:3rem auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
});

const REFUSALS: Record<string, [number, string]> = {
  malformed: [400, 'This link is not valid.'],
  'bad-signature': [400, 'This link was altered.'],
  expired: [410, 'This link has expired: decide in Quittance.'],
  replayed: [410, 'This link was already used.'],
  'wrong-step': [409, 'The expense has moved on: this step is decided.'],
  'wrong-approver': [403, 'You are no longer an approver of this step.'],
  'wrong-expense': [400, 'This link does not match the expense.'],
};

const form = (raw: string | undefined, isBase64: boolean) =>
  new URLSearchParams(raw ? (isBase64 ? Buffer.from(raw, 'base64').toString('utf8') : raw) : '');

/**
 * The links in approval e-mails. GET shows what the link will do and a button (a mail scanner that follows links
 * decides nothing); POST redeems it once: signature, expiry, the expense's current step and approvers, single use,
 * then the same decision as the API, in the approver's name.
 */
export const makeHandler =
  (deps: ApprovalLinksDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const token = event.pathParameters?.token ?? '';
    const read = readApprovalLink(token, deps.secrets, Date.now());
    if (!read.ok) {
      const [status, message] = REFUSALS[read.reason] ?? [400, 'This link is not valid.'];
      return page(status, 'Link refused', `<p>${escapeHtml(message)}</p>`);
    }
    const { claims } = read;
    const expense = await deps.expenses.get(claims.companyId, claims.expenseId);
    if (!expense) return page(404, 'Expense not found', '<p>This expense no longer exists.</p>');
    const what = `${escapeHtml(expense.merchant?.name ?? expense.description ?? expense.id)}, ${escapeHtml(
      `${expense.amount.minor / 100n}.${String(expense.amount.minor % 100n).padStart(2, '0')} ${expense.amount.currency}`,
    )}`;
    if (event.requestContext.http.method === 'GET') {
      const reason =
        claims.action === 'reject'
          ? '<p><label>Reason (sent to the employee)<br><textarea name="reason" required rows="3" cols="40"></textarea></label></p>'
          : '';
      return page(
        200,
        claims.action === 'approve' ? 'Approve this expense?' : 'Reject this expense?',
        `<p>${what}</p><form method="post">${reason}<button type="submit">${claims.action === 'approve' ? 'Approve' : 'Reject'}</button></form>`,
      );
    }
    const step = expense.approval?.steps[expense.approval.currentStep];
    const acted = new Set(
      expense.approval?.decisions.filter((d) => d.step === expense.approval?.currentStep).map((d) => d.approverId),
    );
    const reason = form(event.body, event.isBase64Encoded).get('reason')?.trim();
    if (claims.action === 'reject' && !reason) {
      return page(400, 'A reason is needed', '<p>Go back and say why: the employee reads it.</p>');
    }
    const redeemed = await redeemApprovalLink(token, {
      secrets: deps.secrets,
      nowMs: Date.now(),
      expected: {
        companyId: expense.companyId,
        expenseId: expense.id,
        step: expense.status === 'PENDING_APPROVAL' ? (expense.approval?.currentStep ?? -1) : -1,
        actorIds: (step?.approverIds ?? []).filter((id) => !acted.has(id)),
      },
      usedTokens: deps.usedTokens,
    });
    if (!redeemed.ok) {
      const [status, message] = REFUSALS[redeemed.reason] ?? [400, 'This link is not valid.'];
      return page(status, 'Link refused', `<p>${escapeHtml(message)}</p>`);
    }
    try {
      const updated = await runCommand(
        deps,
        expense,
        {
          type: 'decide',
          action: {
            actorId: claims.approverId,
            decision: claims.action,
            ...(reason ? { reason } : {}),
            expectedVersion: expense.approval?.version ?? 0,
            at: new Date().toISOString(),
          },
        },
        { id: claims.approverId, kind: 'user' },
      );
      return page(
        200,
        claims.action === 'approve' ? 'Approved' : 'Rejected',
        `<p>${what}: ${escapeHtml(updated.status)}.</p>`,
      );
    } catch (error) {
      if (error instanceof ExpenseCommandError) return page(409, 'Not possible', `<p>${escapeHtml(error.message)}</p>`);
      throw error;
    }
  };
