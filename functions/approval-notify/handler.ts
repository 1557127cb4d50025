import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { expenseApprovalRequestedDetail } from '../../events/expenses.ts';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { makeSesMailer } from '../../shared/adapters/ses/mailer.ts';
import { signApprovalLink } from '../../shared/domain/expenses/approval-link.ts';
import { getEnv, tableName } from '../../shared/runtime/env.ts';
import { lambda, observability } from '../../shared/runtime/lambda.ts';

const o = observability('approval-notify');
const requested = eventBridgeEnvelope('ExpenseApprovalRequested', expenseApprovalRequestedDetail);
const { ddb, ses } = awsClients();
const table = tableName('main');
const mailer = makeSesMailer(ses, getEnv('MAIL_FROM'));
/** Links expire after a week; the approver can always decide in the app. */
const LINK_TTL_SECONDS = 7 * 86_400;

/**
 * ExpenseApprovalRequested → an e-mail to each approver of the step, with their own signed, single-use, expiring
 * approve and reject links (they open a confirmation page: a mail scanner following links decides nothing).
 */
export const handler = lambda(async (event: unknown) => {
  const { detail } = requested.parse(event);
  const secret = Buffer.from(getEnv('APPROVAL_LINK_SECRET'), 'base64');
  const base = getEnv('PUBLIC_API_URL').replace(/\/$/, '');
  const user = async (id: string) =>
    (await ddb.send(new GetCommand({ TableName: table, Key: keys.user(detail.companyId, id) }))).Item;
  const employee = await user(detail.employeeId);
  const expiresAt = Math.floor(Date.now() / 1000) + LINK_TTL_SECONDS;
  for (const approverId of detail.approverIds) {
    const approver = await user(approverId);
    if (!approver?.email) continue;
    const link = (action: 'approve' | 'reject') =>
      `${base}/approvals/links/${signApprovalLink(secret, {
        companyId: detail.companyId,
        expenseId: detail.expenseId,
        step: detail.step,
        approverId,
        action,
        expiresAt,
      })}`;
    await mailer.send({
      to: String(approver.email),
      subject: `To approve: ${employee?.displayName ?? detail.employeeId}, ${detail.amount.amount} ${detail.amount.currency}`,
      text: [
        `${employee?.displayName ?? detail.employeeId} asks for your approval (${detail.stepName}):`,
        `${detail.category ?? 'expense'} of ${detail.amount.amount} ${detail.amount.currency} [${detail.expenseId}]`,
        '',
        `Approve: ${link('approve')}`,
        `Reject:  ${link('reject')}`,
        '',
        'Each link works once and expires in 7 days.',
      ].join('\n'),
    });
  }
  o.logger.info('approval requested', { expenseId: detail.expenseId, approvers: detail.approverIds });
}, o);
