/**
 * The expense lifecycle as a pure state machine: expense + command → next expense, one audit entry and its events,
 * or a refusal that leaves the expense as it was.
 *
 *   DRAFT → SUBMITTED → PENDING_APPROVAL → APPROVED → BOOKED
 *                    ↘ APPROVED (auto)  ↘ REJECTED → DRAFT (the employee edits it)
 *   SUBMITTED | PENDING_APPROVAL → DRAFT (the employee withdraws it)
 */
import type { ExpenseDomainEvent } from '../../../events/expenses.ts';
import { moneyToJson } from '../money.ts';
import { type DecideAction, type Delegation, decide } from './approval-reducer.ts';
import { type ApprovalNotice, escalateStep, recordReminder } from './approval-reminders.ts';
import { type Actor, type AuditEntry, auditEntry } from './audit.ts';
import {
  type ApprovalState,
  type Expense,
  type ExpenseStatus,
  expenseFromJson,
  expenseToJson,
  isReimbursable,
  type Violation,
} from './expense.ts';
import { hasBlockingViolation } from './policy.ts';

export const EXPENSE_TRANSITIONS: Readonly<Record<ExpenseStatus, readonly ExpenseStatus[]>> = {
  DRAFT: ['SUBMITTED'],
  SUBMITTED: ['PENDING_APPROVAL', 'APPROVED', 'DRAFT'],
  PENDING_APPROVAL: ['APPROVED', 'REJECTED', 'DRAFT'],
  APPROVED: ['BOOKED'],
  REJECTED: ['DRAFT'],
  BOOKED: [],
};

export const isAllowedTransition = (from: ExpenseStatus, to: ExpenseStatus): boolean =>
  from === to || EXPENSE_TRANSITIONS[from].includes(to);

/** Fields an edit may change. A card expense's amount and date come from the card and are not editable. */
export type ExpenseChanges = Partial<
  Pick<
    Expense,
    | 'amount'
    | 'originalAmount'
    | 'spentOn'
    | 'merchant'
    | 'receiptIds'
    | 'category'
    | 'costCentre'
    | 'analytics'
    | 'entityId'
    | 'projectId'
    | 'description'
    | 'attendees'
    | 'vat'
    | 'mileage'
    | 'perDiem'
    | 'possibleDuplicateOf'
  >
>;

const CARD_FIXED = ['amount', 'originalAmount', 'spentOn', 'merchant'] as const;

export type ExpenseCommand =
  | { type: 'edit'; changes: ExpenseChanges }
  /** Violations evaluated by the policy engine just before (evaluatePolicy). */
  | { type: 'record-violations'; violations: Violation[] }
  | { type: 'submit'; violations: Violation[] }
  /** The approval chain resolved by routeExpense. */
  | { type: 'route'; approval: ApprovalState }
  | { type: 'auto-approve'; reason: string }
  | { type: 'decide'; action: DecideAction; delegations?: readonly Delegation[] }
  | { type: 'withdraw' }
  | { type: 'book'; journalEntryId: string }
  /** A reminder was sent, or the waiting step is escalated (dueApprovalNotices said so). */
  | { type: 'approval-notice'; notice: ApprovalNotice };

export type ExpenseCommandType = ExpenseCommand['type'];

export interface CommandContext {
  actor: Actor;
  /** ISO 8601 UTC ("…Z"). */
  at: string;
  /** Hash of the expense's last audit entry (null for none): the new entry chains to it. */
  previousHash: string | null;
  /** Roles of a user actor (booking needs finance). */
  roles?: readonly string[];
}

export type CommandRefusal =
  | 'forbidden'
  | 'invalid-transition'
  | 'not-editable'
  | 'invalid-expense'
  | 'blocked-by-policy'
  | 'incomplete'
  | 'approval-refused';

export type CommandResult =
  | { ok: true; expense: Expense; audit: AuditEntry; events: ExpenseDomainEvent[] }
  | { ok: false; error: CommandRefusal; message: string };

export class ExpenseCommandError extends Error {
  override readonly name = 'ExpenseCommandError';
  constructor(
    readonly code: CommandRefusal,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (error: CommandRefusal, message: string): CommandResult => ({ ok: false, error, message });

const ref = (e: Expense) => ({
  companyId: e.companyId,
  expenseId: e.id,
  employeeId: e.employeeId,
  type: e.type,
  amount: moneyToJson(e.amount),
  category: e.category?.category ?? null,
  version: e.version,
});

const isEmployee = (e: Expense, a: Actor) => a.kind === 'user' && a.id === e.employeeId;
const isSystem = (a: Actor) => a.kind === 'system';

/** A card expense is submitted by itself once it has a receipt and a category (and was never rejected). */
export const shouldAutoSubmit = (e: Expense): boolean =>
  e.type === 'card' && e.status === 'DRAFT' && e.receiptIds.length > 0 && e.category !== null && e.rejection === null;

/** What submitting needs: a category, evidence for receipts-based types, a positive amount, attendees' names. */
export const submissionGaps = (e: Expense): string[] => {
  const gaps: string[] = [];
  if (!e.category) gaps.push('a category');
  if (e.amount.minor <= 0n) gaps.push('a positive amount');
  if (e.type === 'out-of-pocket' && e.receiptIds.length === 0) gaps.push('a receipt');
  return gaps;
};

const approvedEvent = (e: Expense, at: string, auto: boolean): ExpenseDomainEvent => ({
  name: 'ExpenseApproved',
  detail: {
    ...ref(e),
    auto,
    approvedBy: (e.approval?.decisions ?? [])
      .filter((d) => d.decision === 'approve')
      .map((d) => ({ step: d.step, approverId: d.approverId, actorId: d.actorId })),
    reimbursable: isReimbursable(e.type),
    approvedAt: at,
  },
});

const requestedEvent = (e: Expense, approval: ApprovalState, at: string): ExpenseDomainEvent => {
  const step = approval.steps[approval.currentStep];
  if (!step) throw new ExpenseCommandError('invalid-expense', 'approval has no current step');
  return {
    name: 'ExpenseApprovalRequested',
    detail: {
      ...ref(e),
      step: approval.currentStep,
      stepName: step.name,
      mode: step.mode,
      approverIds: step.approverIds,
      approvalVersion: approval.version,
      requestedAt: at,
    },
  };
};

type Planned = { next: Expense; events: (e: Expense) => ExpenseDomainEvent[]; note?: string; actor?: Actor };

const plan = (e: Expense, cmd: ExpenseCommand, ctx: CommandContext): Planned | CommandResult => {
  const { actor, at } = ctx;
  switch (cmd.type) {
    case 'edit': {
      if (!isEmployee(e, actor) && !isSystem(actor)) return refuse('forbidden', 'only the employee edits an expense');
      if (e.status !== 'DRAFT' && e.status !== 'REJECTED') {
        return refuse('not-editable', `a ${e.status} expense cannot be edited: withdraw it first`);
      }
      if (e.type === 'card') {
        const fixed = CARD_FIXED.filter((k) => k in cmd.changes);
        if (fixed.length > 0) return refuse('not-editable', `a card expense's ${fixed.join(', ')} come from the card`);
      }
      const reopened = e.status === 'REJECTED';
      return {
        next: { ...e, ...cmd.changes, status: 'DRAFT', approval: reopened ? null : e.approval },
        events: (n) =>
          reopened
            ? [
                {
                  name: 'ExpenseReopened',
                  detail: { ...ref(n), from: 'REJECTED', reopenedBy: actor.id, reopenedAt: at },
                },
              ]
            : [],
      };
    }
    case 'record-violations':
      if (!isSystem(actor)) return refuse('forbidden', 'violations come from the policy engine');
      if (e.status === 'APPROVED' || e.status === 'BOOKED' || e.status === 'REJECTED') {
        return refuse('not-editable', `a ${e.status} expense keeps the violations it was decided with`);
      }
      return { next: { ...e, violations: cmd.violations }, events: () => [] };
    case 'submit': {
      if (!isEmployee(e, actor) && !(isSystem(actor) && shouldAutoSubmit(e))) {
        return refuse('forbidden', 'only the employee submits, or the system a complete card expense');
      }
      if (e.status !== 'DRAFT') return refuse('invalid-transition', `a ${e.status} expense cannot be submitted`);
      const gaps = submissionGaps(e);
      if (gaps.length > 0) return refuse('incomplete', `submitting needs ${gaps.join(', ')}`);
      if (hasBlockingViolation(cmd.violations)) {
        const codes = cmd.violations.filter((v) => v.severity === 'block').map((v) => v.code);
        return refuse('blocked-by-policy', `blocked by the policy: ${codes.join(', ')}`);
      }
      return {
        next: { ...e, status: 'SUBMITTED', violations: cmd.violations, submittedAt: at, approval: null },
        events: (n) => [
          {
            name: 'ExpenseSubmitted',
            detail: {
              ...ref(n),
              submittedBy: actor.id,
              auto: isSystem(actor),
              violations: n.violations.map((v) => ({ code: v.code, severity: v.severity })),
              submittedAt: at,
            },
          },
        ],
      };
    }
    case 'route': {
      if (!isSystem(actor)) return refuse('forbidden', 'routing is done by the system');
      if (e.status !== 'SUBMITTED') return refuse('invalid-transition', `a ${e.status} expense cannot be routed`);
      const a = cmd.approval;
      if (a.outcome !== 'pending' || a.version !== 0 || a.decisions.length > 0 || a.steps.length === 0) {
        return refuse('invalid-expense', 'routing needs a fresh approval with at least one step');
      }
      if (a.steps.some((s) => s.approverIds.includes(e.employeeId))) {
        return refuse('invalid-expense', 'the employee cannot be an approver of their own expense');
      }
      return {
        next: { ...e, status: 'PENDING_APPROVAL', approval: a },
        events: (n) => [requestedEvent(n, a, at)],
      };
    }
    case 'auto-approve':
      if (!isSystem(actor)) return refuse('forbidden', 'auto-approval is done by the system');
      if (e.status !== 'SUBMITTED')
        return refuse('invalid-transition', `a ${e.status} expense cannot be auto-approved`);
      if (e.violations.length > 0) return refuse('blocked-by-policy', 'only a compliant expense is auto-approved');
      return { next: { ...e, status: 'APPROVED' }, events: (n) => [approvedEvent(n, at, true)], note: cmd.reason };
    case 'decide': {
      if (actor.kind !== 'user' || actor.id !== cmd.action.actorId) {
        return refuse('forbidden', 'a decision is made by the user who sends it');
      }
      if (e.status !== 'PENDING_APPROVAL' || !e.approval) {
        return refuse('invalid-transition', `a ${e.status} expense is not waiting for approval`);
      }
      const r = decide(e.approval, e.employeeId, cmd.action, cmd.delegations ?? []);
      if (!r.ok) return refuse('approval-refused', `${r.error}: ${r.message}`);
      const onBehalfOf = r.approverId !== actor.id ? r.approverId : undefined;
      const who: Actor = onBehalfOf ? { ...actor, onBehalfOf } : actor;
      const note = cmd.action.reason?.trim() || null;
      switch (r.effect) {
        case 'rejected': {
          const reason = note ?? '';
          return {
            next: { ...e, status: 'REJECTED', approval: r.state, rejection: { by: actor.id, at, reason } },
            events: (n) => [
              {
                name: 'ExpenseRejected',
                detail: { ...ref(n), rejectedBy: actor.id, onBehalfOf: onBehalfOf ?? null, reason, rejectedAt: at },
              },
            ],
            note: reason,
            actor: who,
          };
        }
        case 'approved':
          return {
            next: { ...e, status: 'APPROVED', approval: r.state },
            events: (n) => [approvedEvent(n, at, false)],
            actor: who,
          };
        case 'next-step':
          return { next: { ...e, approval: r.state }, events: (n) => [requestedEvent(n, r.state, at)], actor: who };
        case 'step-recorded':
          return { next: { ...e, approval: r.state }, events: () => [], actor: who };
      }
      return refuse('invalid-expense', 'unknown decision effect');
    }
    case 'withdraw': {
      if (!isEmployee(e, actor)) return refuse('forbidden', 'only the employee withdraws an expense');
      if (e.status !== 'SUBMITTED' && e.status !== 'PENDING_APPROVAL') {
        return refuse('invalid-transition', `a ${e.status} expense cannot be withdrawn`);
      }
      const from = e.status;
      return {
        next: { ...e, status: 'DRAFT', approval: null, submittedAt: null },
        events: (n) => [{ name: 'ExpenseReopened', detail: { ...ref(n), from, reopenedBy: actor.id, reopenedAt: at } }],
      };
    }
    case 'approval-notice': {
      if (!isSystem(actor)) return refuse('forbidden', 'reminders and escalations are sent by the system');
      if (e.status !== 'PENDING_APPROVAL' || !e.approval) {
        return refuse('invalid-transition', `a ${e.status} expense is not waiting for approval`);
      }
      if (cmd.notice.step !== e.approval.currentStep)
        return refuse('invalid-expense', 'the notice is for another step');
      const n = cmd.notice;
      if (n.kind === 'remind') {
        return {
          next: { ...e, approval: recordReminder(e.approval, at) },
          events: () => [],
          note: `reminded ${n.to.join(', ')} after ${n.waitingDays} days`,
        };
      }
      const escalated = escalateStep(e.approval, n.to, at);
      return {
        next: { ...e, approval: escalated },
        // The new approvers get the request (with their own links), like any step start.
        events: (x) => [requestedEvent(x, escalated, at)],
        note: `escalated to ${n.to.join(', ')} after ${n.waitingDays} days`,
      };
    }
    case 'book': {
      const finance = actor.kind === 'user' && (ctx.roles ?? []).includes('finance');
      if (!isSystem(actor) && !finance) return refuse('forbidden', 'booking is done by the ledger or finance');
      if (e.status !== 'APPROVED') return refuse('invalid-transition', `a ${e.status} expense cannot be booked`);
      return {
        next: { ...e, status: 'BOOKED', booking: { journalEntryId: cmd.journalEntryId, at } },
        events: (n) => [
          { name: 'ExpenseBooked', detail: { ...ref(n), journalEntryId: cmd.journalEntryId, bookedAt: at } },
        ],
      };
    }
  }
};

/**
 * Applies one command. On success the expense's version is +1, its audit entry records the change and the events
 * say what happened; the expense is re-validated against its schema. On refusal nothing changes.
 */
export const applyExpenseCommand = (expense: Expense, command: ExpenseCommand, ctx: CommandContext): CommandResult => {
  const planned = plan(expense, command, ctx);
  if ('ok' in planned) return planned;
  const next: Expense = { ...planned.next, version: expense.version + 1, updatedAt: ctx.at };
  if (!isAllowedTransition(expense.status, next.status)) {
    return refuse('invalid-transition', `${expense.status} → ${next.status} is not a transition`);
  }
  try {
    expenseFromJson(expenseToJson(next));
  } catch (err) {
    return refuse('invalid-expense', err instanceof Error ? err.message : String(err));
  }
  const audit = auditEntry({
    before: expense,
    after: next,
    actor: planned.actor ?? ctx.actor,
    action: command.type,
    at: ctx.at,
    note: planned.note ?? null,
    previousHash: ctx.previousHash,
  });
  return { ok: true, expense: next, audit, events: planned.events(next) };
};

/** The first audit entry of a new expense (version 0, status DRAFT), to store with it. */
export const openExpense = (expense: Expense, actor: Actor, at: string): AuditEntry => {
  if (expense.status !== 'DRAFT' || expense.version !== 0) {
    throw new ExpenseCommandError('invalid-expense', 'a new expense is a DRAFT at version 0');
  }
  expenseFromJson(expenseToJson(expense));
  return auditEntry({ before: null, after: expense, actor, action: 'create', at, previousHash: null });
};
