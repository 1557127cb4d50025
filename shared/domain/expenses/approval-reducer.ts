/**
 * Applies approvers' decisions to an approval state. Pure: state + action → next state or a refusal.
 * Optimistic concurrency: every decision names the version it was made on; a decision on an older version (another
 * approver acted in between) is refused as stale, so two approvers acting at once never both count on one view.
 */
import type { ApprovalState, ApprovalStepJson } from './expense.ts';

/** While away, an approver's decisions may be taken by a delegate, between two dates (inclusive, YYYY-MM-DD). */
export interface Delegation {
  approverId: string;
  delegateId: string;
  from: string;
  to: string;
}

export const activeDelegations = (delegations: readonly Delegation[], at: string): Delegation[] => {
  const day = at.slice(0, 10);
  return delegations.filter((d) => d.from <= day && day <= d.to);
};

export interface DecideAction {
  actorId: string;
  decision: 'approve' | 'reject';
  /** Required to reject: it goes back to the employee. */
  reason?: string;
  expectedVersion: number;
  at: string;
}

export type DecisionRefusal =
  | 'stale-version'
  | 'already-decided'
  | 'not-an-approver'
  | 'self-approval'
  | 'already-acted'
  | 'reason-required';

export type DecideResult =
  | {
      ok: true;
      state: ApprovalState;
      /** step-recorded: an all-of step still waits for others; next-step: the chain moved on. */
      effect: 'step-recorded' | 'next-step' | 'approved' | 'rejected';
      approverId: string;
    }
  | { ok: false; error: DecisionRefusal; message: string };

const approvedIn = (state: ApprovalState, step: number) =>
  new Set(state.decisions.filter((d) => d.step === step && d.decision === 'approve').map((d) => d.approverId));

/** Approvers of the current step who have not decided yet (everyone for an any-of step that is still open). */
export const pendingApprovers = (state: ApprovalState): string[] => {
  const step = state.steps[state.currentStep];
  if (!step || state.outcome !== 'pending') return [];
  const done = approvedIn(state, state.currentStep);
  return step.approverIds.filter((id) => !done.has(id));
};

/**
 * Whom the actor may decide for in the current step: themself if listed, else an absent approver who delegated to
 * them today. The employee never decides on their own expense, not even as a delegate.
 */
const actingFor = (
  state: ApprovalState,
  employeeId: string,
  actorId: string,
  delegations: readonly Delegation[],
  at: string,
): { approverId: string } | { error: DecisionRefusal; message: string } => {
  if (actorId === employeeId) return { error: 'self-approval', message: 'nobody approves their own expense' };
  const pending = pendingApprovers(state);
  const step = state.steps[state.currentStep] as ApprovalStepJson;
  if (pending.includes(actorId)) return { approverId: actorId };
  const forWhom = activeDelegations(delegations, at).find(
    (d) => d.delegateId === actorId && pending.includes(d.approverId),
  );
  if (forWhom) return { approverId: forWhom.approverId };
  if (step.approverIds.includes(actorId))
    return { error: 'already-acted', message: `${actorId} already approved this step` };
  return { error: 'not-an-approver', message: `${actorId} is not an approver of step "${step.name}"` };
};

/** Checks the version first: whoever decided on an outdated view is told to reload, whatever happened since. */
export const decide = (
  state: ApprovalState,
  employeeId: string,
  action: DecideAction,
  delegations: readonly Delegation[] = [],
): DecideResult => {
  if (action.expectedVersion !== state.version) {
    return {
      ok: false,
      error: 'stale-version',
      message: `decided on version ${action.expectedVersion}, the approval is at version ${state.version}: reload it`,
    };
  }
  if (state.outcome !== 'pending') return { ok: false, error: 'already-decided', message: `already ${state.outcome}` };
  const who = actingFor(state, employeeId, action.actorId, delegations, action.at);
  if ('error' in who) return { ok: false, ...who };
  const reason = action.reason?.trim();
  if (action.decision === 'reject' && !reason) {
    return { ok: false, error: 'reason-required', message: 'a rejection needs a reason for the employee' };
  }
  const decisions = [
    ...state.decisions,
    {
      step: state.currentStep,
      approverId: who.approverId,
      actorId: action.actorId,
      decision: action.decision,
      at: action.at,
      ...(reason ? { reason } : {}),
    },
  ];
  const base = { ...state, decisions, version: state.version + 1 };
  if (action.decision === 'reject') {
    return { ok: true, state: { ...base, outcome: 'rejected' }, effect: 'rejected', approverId: who.approverId };
  }
  const step = state.steps[state.currentStep] as ApprovalStepJson;
  const done = approvedIn(base, state.currentStep);
  const complete = step.mode === 'any' || step.approverIds.every((id) => done.has(id));
  if (!complete) return { ok: true, state: base, effect: 'step-recorded', approverId: who.approverId };
  const next = state.currentStep + 1;
  if (next >= state.steps.length) {
    return { ok: true, state: { ...base, outcome: 'approved' }, effect: 'approved', approverId: who.approverId };
  }
  const steps = state.steps.map((s, i) => (i === next ? { ...s, startedAt: action.at } : s));
  return { ok: true, state: { ...base, steps, currentStep: next }, effect: 'next-step', approverId: who.approverId };
};
