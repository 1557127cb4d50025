/**
 * Approval chains: per-company routing rules (by amount, category, entity, cost centre) → ordered steps, each step
 * any-of or all-of over approvers (the employee's manager, a role, named users). Versioned and validated with zod.
 *
 * No self-approval: the employee is removed from every step. A step left empty is escalated to the configured
 * fallback (by default the company's admins), never skipped: a chain always keeps the number of independent
 * decisions it asked for. When even the fallback has no one but the employee, routing fails.
 */
import { z } from 'zod';
import { ROLES, type Role } from '../identity.ts';
import { compareMoney, moneyFromJson } from '../money.ts';
import { type ApprovalState, EXPENSE_CATEGORIES, type Expense, moneyJsonSchema, type Violation } from './expense.ts';

export const approverRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('manager') }),
  z.object({ kind: z.literal('role'), role: z.enum(ROLES) }),
  z.object({ kind: z.literal('user'), userId: z.string().min(1) }),
]);
export type ApproverRef = z.infer<typeof approverRefSchema>;

export const chainRuleSchema = z.object({
  id: z.string().min(1),
  /** Every condition present must hold. Amounts: min inclusive, max exclusive, in the config's currency. */
  when: z.object({
    minAmount: moneyJsonSchema.optional(),
    maxAmount: moneyJsonSchema.optional(),
    categories: z.array(z.enum(EXPENSE_CATEGORIES)).optional(),
    entities: z.array(z.string().min(1)).optional(),
    costCentres: z.array(z.string().min(1)).optional(),
  }),
  steps: z
    .array(
      z.object({ name: z.string().min(1), mode: z.enum(['any', 'all']), approvers: z.array(approverRefSchema).min(1) }),
    )
    .min(1),
});
export type ChainRule = z.infer<typeof chainRuleSchema>;

export const approvalChainConfigSchema = z.object({
  companyId: z.string().min(1),
  version: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** First matching rule wins: put specific rules first and a catch-all last. */
  rules: z.array(chainRuleSchema).min(1),
  /** Compliant expenses (no violation at all) strictly below this amount are approved without anyone. */
  autoApproveBelow: moneyJsonSchema.nullable(),
  /** Who takes a step that self-approval emptied. */
  selfApprovalFallback: approverRefSchema.default({ kind: 'role', role: 'admin' }),
  reminders: z
    .object({
      remindAfterDays: z.number().int().positive(),
      repeatEveryDays: z.number().int().positive(),
      /** null: never escalate. */
      escalateAfterDays: z.number().int().positive().nullable(),
      escalateTo: approverRefSchema,
    })
    .default({
      remindAfterDays: 2,
      repeatEveryDays: 2,
      escalateAfterDays: 7,
      escalateTo: { kind: 'role', role: 'finance' },
    }),
});
export type ApprovalChainConfig = z.infer<typeof approvalChainConfigSchema>;
export type ApprovalChainConfigInput = z.input<typeof approvalChainConfigSchema>;

export const parseApprovalChainConfig = (input: unknown): ApprovalChainConfig => approvalChainConfigSchema.parse(input);

/** Who manages whom and who holds which role: a snapshot of the directory, so resolution stays pure. */
export interface OrgSnapshot {
  managers: Readonly<Record<string, string | null>>;
  roles: Readonly<Partial<Record<Role, readonly string[]>>>;
  /** The legal entity of each user, when the company has several. */
  entities?: Readonly<Record<string, string | null>>;
}

export const resolveApprovers = (ref: ApproverRef, employeeId: string, org: OrgSnapshot): string[] => {
  switch (ref.kind) {
    case 'manager': {
      const m = org.managers[employeeId];
      return m ? [m] : [];
    }
    case 'role':
      return [...(org.roles[ref.role] ?? [])];
    case 'user':
      return [ref.userId];
  }
};

const describe = (ref: ApproverRef, employeeId: string) =>
  ref.kind === 'manager' ? `manager of ${employeeId}` : ref.kind === 'role' ? `role ${ref.role}` : `user ${ref.userId}`;

export const ruleMatches = (rule: ChainRule, expense: Expense): boolean => {
  const w = rule.when;
  if (w.minAmount && compareMoney(expense.amount, moneyFromJson(w.minAmount)) < 0) return false;
  if (w.maxAmount && compareMoney(expense.amount, moneyFromJson(w.maxAmount)) >= 0) return false;
  if (w.categories && !(expense.category && w.categories.includes(expense.category.category))) return false;
  if (w.entities && !(expense.entityId && w.entities.includes(expense.entityId))) return false;
  if (w.costCentres && !(expense.costCentre && w.costCentres.includes(expense.costCentre))) return false;
  return true;
};

export type RouteResult =
  | { ok: true; approval: ApprovalState }
  | { ok: false; error: 'no-matching-rule' | 'no-eligible-approver'; message: string };

/** Builds the approval state of an expense: the first matching rule's steps, with people resolved. */
export const routeExpense = (
  config: ApprovalChainConfig,
  expense: Expense,
  org: OrgSnapshot,
  at: string,
): RouteResult => {
  if (expense.amount.currency !== config.currency) {
    throw new RangeError(`expense amount is in ${expense.amount.currency}, the chain in ${config.currency}`);
  }
  const rule = config.rules.find((r) => ruleMatches(r, expense));
  if (!rule) return { ok: false, error: 'no-matching-rule', message: 'no approval rule matches this expense' };
  const steps: ApprovalState['steps'] = [];
  for (const [i, step] of rule.steps.entries()) {
    const everyone = [...new Set(step.approvers.flatMap((a) => resolveApprovers(a, expense.employeeId, org)))];
    let approverIds = everyone.filter((id) => id !== expense.employeeId);
    let explanation = step.approvers.map((a) => describe(a, expense.employeeId)).join(', ');
    if (approverIds.length < everyone.length) explanation += ` (${expense.employeeId} removed: no self-approval)`;
    if (approverIds.length === 0) {
      approverIds = resolveApprovers(config.selfApprovalFallback, expense.employeeId, org).filter(
        (id) => id !== expense.employeeId,
      );
      explanation += `; escalated to ${describe(config.selfApprovalFallback, expense.employeeId)}`;
    }
    if (approverIds.length === 0) {
      return {
        ok: false,
        error: 'no-eligible-approver',
        message: `step "${step.name}" has no approver other than the employee`,
      };
    }
    steps.push({
      name: step.name,
      mode: step.mode,
      approverIds,
      explanation,
      startedAt: i === 0 ? at : null,
      lastRemindedAt: null,
      escalatedAt: null,
    });
  }
  return {
    ok: true,
    approval: {
      ruleId: rule.id,
      chainVersion: config.version,
      version: 0,
      currentStep: 0,
      outcome: 'pending',
      steps,
      decisions: [],
    },
  };
};

/** Auto-approval: only for an expense with no violation at all, strictly below the configured amount. */
export const autoApproval = (
  config: ApprovalChainConfig,
  expense: Expense,
  violations: readonly Violation[],
): { auto: boolean; reason: string } => {
  if (!config.autoApproveBelow) return { auto: false, reason: 'auto-approval is off' };
  const below = moneyFromJson(config.autoApproveBelow);
  if (violations.length > 0) return { auto: false, reason: `${violations.length} policy violation(s)` };
  if (compareMoney(expense.amount, below) >= 0)
    return { auto: false, reason: `not below ${config.autoApproveBelow.amount} ${below.currency}` };
  return { auto: true, reason: `compliant and below ${config.autoApproveBelow.amount} ${below.currency}` };
};
