import { API } from '../../shared/api/contract.ts';
import { parseApprovalChainConfig } from '../../shared/domain/expenses/approval-chain.ts';
import { chooseCategory } from '../../shared/domain/expenses/categories.ts';
import { type Expense, expenseToJson } from '../../shared/domain/expenses/expense.ts';
import { ExpenseCommandError } from '../../shared/domain/expenses/lifecycle.ts';
import { parsePolicySet } from '../../shared/domain/expenses/policy.ts';
import { buildPain001, expenseIdFromEndToEndId, planReimbursements } from '../../shared/domain/expenses/sepa.ts';
import {
  claimOutOfPocket,
  type ExpenseWorkflowDeps,
  runCommand,
  vatFromExtraction,
} from '../../shared/domain/expenses/workflow.ts';
import { ForbiddenError, hasAnyRole, type Principal, type Role } from '../../shared/domain/identity.ts';
import { formatMoney, parseMoney } from '../../shared/domain/money.ts';
import type { Receipt } from '../../shared/domain/receipts/receipt.ts';
import { ConcurrentUpdateError } from '../../shared/ports/receipt-repository.ts';
import { toCsv } from '../../shared/runtime/csv.ts';
import {
  BadRequestError,
  NotFoundError,
  parseBody,
  parseQuery,
  pathParam,
  type Route,
} from '../../shared/runtime/http.ts';

const COMPANY_WIDE: readonly Role[] = ['admin', 'finance', 'auditor'];

/** Refusals of the expense lifecycle, as HTTP answers a client can act on. */
const refusal = (error: unknown): never => {
  if (error instanceof ExpenseCommandError) {
    if (error.code === 'forbidden') throw new ForbiddenError(error.message);
    if (error.message.includes('stale')) throw new ConcurrentUpdateError(error.message);
    throw new BadRequestError('status', error.message);
  }
  throw error;
};

export interface ExpensesApiDeps extends ExpenseWorkflowDeps {
  receipt(companyId: string, receiptId: string): Promise<Receipt | null>;
  /** A time-limited link to a receipt's document. */
  documentUrl(receipt: Receipt): Promise<string>;
  putDelegation(
    companyId: string,
    d: { approverId: string; delegateId: string; from: string; to: string },
  ): Promise<void>;
  userExists(companyId: string, userId: string): Promise<boolean>;
  /** The company's bank account (debtor) and its employees' (creditors), for reimbursements. */
  bankAccounts(companyId: string): Promise<{
    company: { name: string; iban: string; bic: string } | null;
    employees: Record<string, { name: string; iban: string; bic: string | null } | undefined>;
  }>;
  /** Expenses already in a transfer file, and recording new ones. */
  paid: {
    ids(companyId: string): Promise<Set<string>>;
    record(companyId: string, ids: string[], fileId: string): Promise<void>;
  };
}

export const makeRoutes = (deps: ExpensesApiDeps): Record<string, Route> => {
  const visible = async (p: Principal, id: string): Promise<Expense> => {
    const e = await deps.expenses.get(p.companyId, id);
    const approvers = new Set(e?.approval?.steps.flatMap((s) => s.approverIds) ?? []);
    const approver =
      approvers.has(p.userId) ||
      (approvers.size > 0 &&
        (await deps.policies.delegations(p.companyId)).some(
          (d) => d.delegateId === p.userId && approvers.has(d.approverId),
        ));
    if (!e || (!hasAnyRole(p, COMPANY_WIDE) && e.employeeId !== p.userId && !approver)) {
      throw new NotFoundError(`expense ${id} not found`);
    }
    return e;
  };
  const decide =
    (decision: 'approve' | 'reject'): Route =>
    async ({ principal, event }) => {
      const expense = await visible(principal, pathParam(event, 'id'));
      const input = parseBody(API['POST /expenses/{id}/approve'].body, event);
      if (decision === 'reject' && !input.reason) throw new BadRequestError('reason', 'a rejection needs a reason');
      const delegations = await deps.policies.delegations(principal.companyId);
      const updated = await runCommand(
        deps,
        expense,
        {
          type: 'decide',
          delegations,
          action: {
            actorId: principal.userId,
            decision,
            ...(input.reason ? { reason: input.reason } : {}),
            expectedVersion: input.expectedVersion ?? expense.approval?.version ?? 0,
            at: deps.now().toISOString(),
          },
        },
        { id: principal.userId, kind: 'user' },
        principal.roles,
      ).catch(refusal);
      return { body: expenseToJson(updated) };
    };

  return {
    'GET /expenses': async ({ principal, event }) => {
      const q = parseQuery(API['GET /expenses'].query, event);
      // Employees list their own expenses; company-wide roles anyone's.
      if (!hasAnyRole(principal, COMPANY_WIDE) && q.employeeId && q.employeeId !== principal.userId) {
        throw new ForbiddenError('you can list only your own expenses');
      }
      const page = await deps.expenses.search(
        principal.companyId,
        {
          ...q,
          employeeId: hasAnyRole(principal, COMPANY_WIDE) ? q.employeeId : principal.userId,
          hasReceipt: q.hasReceipt === undefined ? undefined : q.hasReceipt === 'true',
          hasViolations: q.hasViolations === undefined ? undefined : q.hasViolations === 'true',
        },
        { limit: q.limit, cursor: q.cursor ?? null, order: q.sort },
      );
      if (q.format === 'csv') {
        const content = toCsv(page.items.map(expenseToJson), [
          ['id', (e) => e.id],
          ['status', (e) => e.status],
          ['type', (e) => e.type],
          ['employeeId', (e) => e.employeeId],
          ['spentOn', (e) => e.spentOn],
          ['merchant', (e) => e.merchant?.name],
          ['category', (e) => e.category?.category],
          ['amount', (e) => e.amount.amount],
          ['currency', (e) => e.amount.currency],
          ['violations', (e) => e.violations.map((v) => v.code).join(' ')],
          ['receipts', (e) => e.receiptIds.join(' ')],
        ]);
        return { body: null, file: { contentType: 'text/csv; charset=utf-8', fileName: 'expenses.csv', content } };
      }
      return { body: { items: page.items.map(expenseToJson), nextCursor: page.nextCursor } };
    },
    'GET /expenses/{id}': async ({ principal, event }) => {
      const expense = await visible(principal, pathParam(event, 'id'));
      const [history, receipts] = await Promise.all([
        deps.expenses.audit(principal.companyId, expense.id),
        Promise.all(expense.receiptIds.map((id) => deps.receipt(principal.companyId, id))),
      ]);
      return {
        body: {
          ...expenseToJson(expense),
          receipts: await Promise.all(
            receipts
              .filter((r): r is Receipt => r !== null)
              .map(async (r) => ({
                id: r.id,
                fileName: r.document.fileName,
                sha256: r.document.sha256,
                url: await deps.documentUrl(r),
                urlExpiresIn: 900,
              })),
          ),
          history: history.map((h) => ({
            at: h.at,
            actor: h.actor,
            action: h.action,
            from: h.before.status,
            to: h.after.status,
            note: h.note,
          })),
        },
      };
    },
    'GET /approvals': async ({ principal, event }) => {
      const q = parseQuery(API['GET /approvals'].query, event);
      const page = await deps.expenses.listAwaitingApprover(principal.companyId, principal.userId, {
        limit: q.limit,
        cursor: null,
      });
      return { body: { items: page.items.map(expenseToJson) } };
    },
    'POST /expenses': async ({ principal, event }) => {
      const input = parseBody(API['POST /expenses'].body, event);
      const receipt = await deps.receipt(principal.companyId, input.receiptId);
      if (!receipt || receipt.employeeId !== principal.userId)
        throw new NotFoundError(`receipt ${input.receiptId} not found`);
      const x = receipt.extraction;
      if (receipt.status !== 'EXTRACTED' || !x?.total || !x.date) {
        throw new BadRequestError('receiptId', `the receipt is not read yet (${receipt.status})`);
      }
      if ((receipt as Receipt & { link?: unknown }).link) {
        throw new BadRequestError(
          'receiptId',
          'this receipt is linked to a card payment: it is a card expense already',
        );
      }
      const currency = x.currency && x.currency !== 'XXX' ? x.currency : 'EUR';
      const expense = await claimOutOfPocket(deps, {
        companyId: principal.companyId,
        employeeId: principal.userId,
        receiptId: receipt.id,
        total: parseMoney(x.total, currency),
        spentOn: x.date,
        vendor: x.vendor ?? null,
        vat: vatFromExtraction(receipt.id, x, currency),
        category: input.category ? chooseCategory(input.category, principal.userId) : null,
        description: input.description,
        attendees: input.attendees,
      }).catch(refusal);
      return { status: 201, body: expenseToJson(expense) };
    },

    'GET /policies': async ({ principal }) => {
      const at = deps.now().toISOString();
      const [policy, chain] = await Promise.all([
        deps.policies.policyAt(principal.companyId, at),
        deps.policies.chainAt(principal.companyId, at),
      ]);
      return { body: { policy, approvalChain: chain } };
    },

    'PUT /policies': async ({ principal, event }) => {
      const input = parseBody(API['PUT /policies'].body, event);
      // A new version each time; the company always comes from the token.
      if (input.policy)
        await deps.policies.putPolicy(parsePolicySet({ ...input.policy, companyId: principal.companyId }));
      if (input.approvalChain) {
        await deps.policies.putChain(
          parseApprovalChainConfig({ ...input.approvalChain, companyId: principal.companyId }),
        );
      }
      return { body: { updated: true } };
    },

    'POST /reimbursements': async ({ principal, event }) => {
      const input = parseBody(API['POST /reimbursements'].body, event);
      const [approved, booked, paid, accounts] = await Promise.all([
        deps.expenses.listByStatus(principal.companyId, { status: 'APPROVED', limit: 100, cursor: null }),
        deps.expenses.listByStatus(principal.companyId, { status: 'BOOKED', limit: 100, cursor: null }),
        deps.paid.ids(principal.companyId),
        deps.bankAccounts(principal.companyId),
      ]);
      if (!accounts.company) throw new BadRequestError('company', 'the company has no bank account (IBAN and BIC) yet');
      const plan = planReimbursements([...approved.items, ...booked.items], accounts.employees, paid);
      const payable = plan.transfers;
      if (payable.length === 0) {
        return { body: { transfers: 0, excluded: plan.excluded.filter((x) => !/card/.test(x.reason)) } };
      }
      const now = deps.now();
      const fileId = `QT${now.getTime().toString(36).toUpperCase()}`;
      const xml = buildPain001({
        messageId: fileId,
        paymentInfoId: `${fileId}-1`,
        createdAt: now.toISOString(),
        requestedExecutionDate: input.executionDate ?? now.toISOString().slice(0, 10),
        debtor: accounts.company,
        transfers: payable,
        batchBooking: true,
      });
      await deps.paid.record(
        principal.companyId,
        payable.map((t) => expenseIdFromEndToEndId(t.endToEndId)),
        fileId,
      );
      const byId = new Map([...approved.items, ...booked.items].map((e) => [e.id, e]));
      // The ledger books each payment (employee payable → bank) from this event.
      await deps.events.publish([
        {
          name: 'ReimbursementBatchCreated',
          detail: {
            companyId: principal.companyId,
            fileId,
            executionDate: input.executionDate ?? now.toISOString().slice(0, 10),
            transfers: payable.map((t) => {
              const expenseId = expenseIdFromEndToEndId(t.endToEndId);
              return {
                expenseId,
                employeeId: byId.get(expenseId)?.employeeId ?? '',
                employeeName: t.creditor.name,
                amount: { amount: formatMoney(t.amount), currency: t.amount.currency },
              };
            }),
            createdAt: now.toISOString(),
          },
        },
      ]);
      return { body: null, file: { contentType: 'application/xml', fileName: `${fileId}.pain.001.xml`, content: xml } };
    },

    'PUT /delegations': async ({ principal, event }) => {
      const d = parseBody(API['PUT /delegations'].body, event);
      const approverId = d.approverId ?? principal.userId;
      // An approver names their own delegate; an admin may set one for anybody.
      if (approverId !== principal.userId && !hasAnyRole(principal, ['admin'])) {
        throw new ForbiddenError('only an admin sets a delegation for someone else');
      }
      if (d.delegateId === approverId) throw new BadRequestError('delegateId', 'cannot delegate to oneself');
      if (!(await deps.userExists(principal.companyId, d.delegateId))) {
        throw new BadRequestError('delegateId', 'no such user in the company');
      }
      const delegation = { approverId, delegateId: d.delegateId, from: d.from, to: d.to };
      await deps.putDelegation(principal.companyId, delegation);
      return { status: 201, body: delegation };
    },

    'POST /expenses/{id}/approve': decide('approve'),
    'POST /expenses/{id}/reject': decide('reject'),
  };
};
