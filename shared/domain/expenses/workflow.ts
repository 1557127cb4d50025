import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { ExpenseRepository, PolicyRepository } from '../../ports/expenses.ts';
import { deterministicId } from '../ids.ts';
import type { Money } from '../money.ts';
import { autoApproval, type OrgSnapshot, routeExpense } from './approval-chain.ts';
import type { Actor, AuditEntry } from './audit.ts';
import { suggestCategory } from './categories.ts';
import { type Expense, newExpense, type VatInfo } from './expense.ts';
import {
  applyExpenseCommand,
  type ExpenseCommand,
  ExpenseCommandError,
  openExpense,
  shouldAutoSubmit,
} from './lifecycle.ts';
import { evaluatePolicy } from './policy.ts';

export interface ExpenseWorkflowDeps {
  expenses: ExpenseRepository & { audit(companyId: string, expenseId: string): Promise<AuditEntry[]> };
  policies: PolicyRepository;
  org: (companyId: string) => Promise<OrgSnapshot>;
  events: EventPublisher;
  sha256: (text: string) => string;
  now: () => Date;
}

export const SYSTEM_ACTOR: Actor = { id: 'system:expenses', kind: 'system' };

/** Applies one command, saves the new version with its audit entry (optimistic), publishes the events. */
export const runCommand = async (
  deps: ExpenseWorkflowDeps,
  expense: Expense,
  command: ExpenseCommand,
  actor: Actor,
  roles?: readonly string[],
): Promise<Expense> => {
  const trail = await deps.expenses.audit(expense.companyId, expense.id);
  const result = applyExpenseCommand(expense, command, {
    actor,
    at: deps.now().toISOString(),
    previousHash: trail.at(-1)?.hash ?? null,
    ...(roles ? { roles } : {}),
  });
  if (!result.ok) throw new ExpenseCommandError(result.error, result.message);
  await deps.expenses.save(result.expense, expense.version, result.audit);
  if (result.events.length) await deps.events.publish(result.events);
  return result.expense;
};

/**
 * A submitted expense goes through the policy in force, then either auto-approval (compliant and below the
 * company's threshold) or its approval chain. A blocking violation keeps it a DRAFT with the violations listed.
 */
export const submitAndRoute = async (deps: ExpenseWorkflowDeps, draft: Expense, actor: Actor): Promise<Expense> => {
  const at = deps.now().toISOString();
  const policy = await deps.policies.policyAt(draft.companyId, at);
  const violations = policy ? evaluatePolicy(policy, draft, { now: at }) : [];
  let expense = draft;
  if (violations.some((v) => v.severity === 'block')) {
    return runCommand(deps, expense, { type: 'record-violations', violations }, actor);
  }
  expense = await runCommand(deps, expense, { type: 'submit', violations }, actor);
  const chain = await deps.policies.chainAt(expense.companyId, at);
  if (!chain) return expense;
  const auto = autoApproval(chain, expense, violations);
  if (auto.auto) return runCommand(deps, expense, { type: 'auto-approve', reason: auto.reason }, SYSTEM_ACTOR);
  const routed = routeExpense(chain, expense, await deps.org(expense.companyId), at);
  if (!routed.ok) throw new ExpenseCommandError('approval-refused', routed.message);
  return runCommand(deps, expense, { type: 'route', approval: routed.approval }, SYSTEM_ACTOR);
};

export interface MatchedCardSpend {
  companyId: string;
  employeeId: string;
  receiptId: string;
  transactionId: string;
  amount: Money;
  merchant: { name: string; mcc: string | null; country: string | null; city: string | null };
  spentOn: string;
  vat: VatInfo | null;
  /** A sum (split charges, receipts paid at once): every transaction and receipt of it, in one expense. */
  transactionIds?: readonly string[];
  receiptIds?: readonly string[];
}

/**
 * The id of the card expense opened for a transaction (its first, for a sum): the same transaction and spend date
 * always give the same expense, so a redelivered match opens nothing new and the ledger finds a purchase's expense.
 */
export const cardExpenseId = (
  spend: { companyId: string; transactionId: string; spentOn: string },
  sha256: (text: string) => string,
): string =>
  deterministicId('exp', Date.parse(`${spend.spentOn}T12:00:00Z`), sha256(`${spend.companyId}#${spend.transactionId}`));

/**
 * A receipt was linked to a card transaction: the card expense is created (one per transaction, idempotent),
 * categorized from the MCC and the vendor (explained, overridable), and — receipt and category being complete —
 * submitted, checked against the policy and routed to its approvers.
 */
export const openCardExpense = async (deps: ExpenseWorkflowDeps, spend: MatchedCardSpend): Promise<Expense> => {
  const at = deps.now().toISOString();
  const id = cardExpenseId(spend, deps.sha256);
  const existing = await deps.expenses.get(spend.companyId, id);
  if (existing) return existing;
  const entityId = (await deps.org(spend.companyId)).entities?.[spend.employeeId] ?? null;
  const draft = newExpense({
    entityId,
    companyId: spend.companyId,
    id,
    employeeId: spend.employeeId,
    type: 'card',
    spentOn: spend.spentOn,
    amount: spend.amount,
    at,
    cardTransactionIds: spend.transactionIds ? [...spend.transactionIds] : [spend.transactionId],
    merchant: spend.merchant,
  });
  if ((await deps.expenses.create(draft, openExpense(draft, SYSTEM_ACTOR, at))) === 'exists') {
    return (await deps.expenses.get(spend.companyId, id)) ?? draft;
  }
  const category = suggestCategory({
    type: 'card',
    employeeId: spend.employeeId,
    merchantName: spend.merchant.name,
    mcc: spend.merchant.mcc,
    history: [],
  });
  let expense = await runCommand(
    deps,
    draft,
    {
      type: 'edit',
      changes: {
        receiptIds: spend.receiptIds ? [...spend.receiptIds] : [spend.receiptId],
        ...(category ? { category } : {}),
        vat: spend.vat,
      },
    },
    SYSTEM_ACTOR,
  );
  if (shouldAutoSubmit(expense)) expense = await submitAndRoute(deps, expense, SYSTEM_ACTOR);
  return expense;
};

/** The VAT a receipt's extraction printed, in the expense's shape (decimal strings, as printed). */
export const vatFromExtraction = (
  receiptId: string,
  extraction: {
    taxes: { rate?: string; base?: string; amount: string }[];
    currency?: string;
    subtotal?: string;
    documentType?: string;
  } | null,
  currency: string,
): VatInfo | null => {
  if (!extraction || extraction.taxes.length === 0) return null;
  return {
    receiptId,
    documentType: extraction.documentType === 'invoice' ? 'invoice' : 'receipt',
    currency: extraction.currency && extraction.currency !== 'XXX' ? extraction.currency : currency,
    lines: extraction.taxes.map((t) => ({
      ...(t.rate ? { rate: t.rate } : {}),
      ...(t.base ? { base: t.base } : {}),
      amount: t.amount,
    })),
    ...(extraction.subtotal ? { totalExclVat: extraction.subtotal } : {}),
  };
};

/**
 * The VAT of several receipts paid in one charge, as one expense's: their lines side by side (each as printed), an
 * invoice only if every document is one. null when none printed VAT.
 */
export const mergeVat = (infos: readonly (VatInfo | null)[]): VatInfo | null => {
  const present = infos.filter((v): v is VatInfo => v !== null);
  const [first] = present;
  if (!first) return null;
  if (present.length === 1) return first;
  return {
    receiptId: first.receiptId,
    documentType: present.every((v) => v.documentType === 'invoice') ? 'invoice' : 'receipt',
    currency: first.currency,
    lines: present.flatMap((v) => v.lines),
  };
};

/**
 * An employee claims a receipt they paid themselves (out of pocket): the expense takes the receipt's total and VAT,
 * the category given (or suggested from the vendor), and is submitted, checked and routed at once.
 */
export const claimOutOfPocket = async (
  deps: ExpenseWorkflowDeps,
  input: {
    companyId: string;
    employeeId: string;
    receiptId: string;
    total: Money;
    spentOn: string;
    vendor: string | null;
    vat: VatInfo | null;
    category: Expense['category'];
    description: string;
    attendees: Expense['attendees'];
  },
): Promise<Expense> => {
  const at = deps.now().toISOString();
  const id = deterministicId(
    'exp',
    Date.parse(`${input.spentOn}T12:00:00Z`),
    deps.sha256(`${input.companyId}#oop#${input.receiptId}`),
  );
  const existing = await deps.expenses.get(input.companyId, id);
  if (existing) return existing;
  const actor: Actor = { id: input.employeeId, kind: 'user' };
  const entityId = (await deps.org(input.companyId)).entities?.[input.employeeId] ?? null;
  const draft = newExpense({
    entityId,
    companyId: input.companyId,
    id,
    employeeId: input.employeeId,
    type: 'out-of-pocket',
    spentOn: input.spentOn,
    amount: input.total,
    at,
    receiptIds: [input.receiptId],
    merchant: input.vendor ? { name: input.vendor, mcc: null, country: null, city: null } : null,
  });
  if ((await deps.expenses.create(draft, openExpense(draft, actor, at))) === 'exists') {
    return (await deps.expenses.get(input.companyId, id)) ?? draft;
  }
  const category =
    input.category ??
    suggestCategory({
      type: 'out-of-pocket',
      employeeId: input.employeeId,
      merchantName: input.vendor,
      mcc: null,
      history: [],
    });
  const expense = await runCommand(
    deps,
    draft,
    {
      type: 'edit',
      changes: {
        ...(category ? { category } : {}),
        vat: input.vat,
        description: input.description,
        attendees: input.attendees,
      },
    },
    actor,
  );
  return submitAndRoute(deps, expense, actor);
};
