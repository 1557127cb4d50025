import { z } from 'zod';
import { EXPENSE_STATUSES, type Expense, expenseToJson } from '../../shared/domain/expenses/expense.ts';
import { ExpenseCommandError } from '../../shared/domain/expenses/lifecycle.ts';
import { type ExpenseWorkflowDeps, runCommand } from '../../shared/domain/expenses/workflow.ts';
import { ForbiddenError, hasAnyRole, type Principal, type Role } from '../../shared/domain/identity.ts';
import { ConcurrentUpdateError } from '../../shared/ports/receipt-repository.ts';
import { BadRequestError, NotFoundError, parseQuery, pathParam, type Route } from '../../shared/runtime/http.ts';

const COMPANY_WIDE: readonly Role[] = ['admin', 'finance', 'auditor'];

const body = (raw: string | undefined, isBase64: boolean): unknown => {
  if (!raw) return {};
  try {
    return JSON.parse(isBase64 ? Buffer.from(raw, 'base64').toString('utf8') : raw);
  } catch {
    throw new BadRequestError('body', 'is not valid JSON');
  }
};

/** Refusals of the expense lifecycle, as HTTP answers a client can act on. */
const refusal = (error: unknown): never => {
  if (error instanceof ExpenseCommandError) {
    if (error.code === 'forbidden') throw new ForbiddenError(error.message);
    if (error.message.includes('stale')) throw new ConcurrentUpdateError(error.message);
    throw new BadRequestError('status', error.message);
  }
  throw error;
};

export const makeRoutes = (deps: ExpenseWorkflowDeps): Record<string, Route> => {
  const visible = async (p: Principal, id: string): Promise<Expense> => {
    const e = await deps.expenses.get(p.companyId, id);
    const approver = e?.approval?.steps.some((s) => s.approverIds.includes(p.userId)) ?? false;
    if (!e || (!hasAnyRole(p, COMPANY_WIDE) && e.employeeId !== p.userId && !approver)) {
      throw new NotFoundError(`expense ${id} not found`);
    }
    return e;
  };
  const decide =
    (decision: 'approve' | 'reject'): Route =>
    async ({ principal, event }) => {
      const expense = await visible(principal, pathParam(event, 'id'));
      const input = z
        .object({
          reason: z.string().trim().min(1).optional(),
          expectedVersion: z.number().int().nonnegative().optional(),
        })
        .parse(body(event.body, event.isBase64Encoded));
      if (decision === 'reject' && !input.reason) throw new BadRequestError('reason', 'a rejection needs a reason');
      const updated = await runCommand(
        deps,
        expense,
        {
          type: 'decide',
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
      const q = parseQuery(
        z.object({
          status: z.enum(EXPENSE_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.string().optional(),
        }),
        event,
      );
      const page =
        hasAnyRole(principal, COMPANY_WIDE) && q.status
          ? await deps.expenses.listByStatus(principal.companyId, {
              status: q.status,
              limit: q.limit,
              cursor: q.cursor ?? null,
            })
          : await deps.expenses.listByEmployee(principal.companyId, principal.userId, {
              limit: q.limit,
              cursor: q.cursor ?? null,
            });
      return { body: { items: page.items.map(expenseToJson), nextCursor: page.nextCursor } };
    },
    'GET /expenses/{id}': async ({ principal, event }) => {
      const expense = await visible(principal, pathParam(event, 'id'));
      const history = await deps.expenses.audit(principal.companyId, expense.id);
      return {
        body: {
          ...expenseToJson(expense),
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
      const q = parseQuery(z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }), event);
      const page = await deps.expenses.listAwaitingApprover(principal.companyId, principal.userId, {
        limit: q.limit,
        cursor: null,
      });
      return { body: { items: page.items.map(expenseToJson) } };
    },
    'POST /expenses/{id}/approve': decide('approve'),
    'POST /expenses/{id}/reject': decide('reject'),
  };
};
