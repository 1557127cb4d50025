/**
 * Reminders and escalation for a waiting approval step. Pure: given the state and "now", says what to send; the
 * scheduler sends it, then records it with `recordReminder` / `escalateStep` so the next run does not repeat it.
 */
import { activeDelegations, type Delegation, pendingApprovers } from './approval-reducer.ts';
import type { ApprovalState } from './expense.ts';

const DAY_MS = 86_400_000;

export interface ReminderSettings {
  remindAfterDays: number;
  repeatEveryDays: number;
  escalateAfterDays: number | null;
  /** Resolved escalation targets (ApproverRef → user ids, the employee already removed). */
  escalateTo: readonly string[];
}

export type ApprovalNotice =
  | { kind: 'remind'; step: number; to: string[]; waitingDays: number }
  | { kind: 'escalate'; step: number; to: string[]; waitingDays: number };

/** The pending approvers and, for those away, their delegates of the day. */
export const noticeRecipients = (state: ApprovalState, delegations: readonly Delegation[], at: string): string[] => {
  const pending = pendingApprovers(state);
  const delegates = activeDelegations(delegations, at)
    .filter((d) => pending.includes(d.approverId))
    .map((d) => d.delegateId);
  return [...new Set([...pending, ...delegates])];
};

/**
 * What is due now for the current step: an escalation once the step has waited escalateAfterDays (once per step),
 * else a reminder remindAfterDays after the step started, then every repeatEveryDays.
 */
export const dueApprovalNotices = (
  state: ApprovalState,
  now: string,
  settings: ReminderSettings,
  delegations: readonly Delegation[] = [],
): ApprovalNotice[] => {
  const step = state.steps[state.currentStep];
  if (state.outcome !== 'pending' || !step?.startedAt) return [];
  const nowMs = Date.parse(now);
  const waitingDays = Math.floor((nowMs - Date.parse(step.startedAt)) / DAY_MS);
  const step_ = state.currentStep;
  if (settings.escalateAfterDays !== null && !step.escalatedAt && waitingDays >= settings.escalateAfterDays) {
    const to = settings.escalateTo.filter((id) => !step.approverIds.includes(id));
    if (to.length > 0) return [{ kind: 'escalate', step: step_, to, waitingDays }];
  }
  const since = step.lastRemindedAt ?? step.startedAt;
  const after = step.lastRemindedAt ? settings.repeatEveryDays : settings.remindAfterDays;
  if (nowMs - Date.parse(since) >= after * DAY_MS) {
    return [{ kind: 'remind', step: step_, to: noticeRecipients(state, delegations, now), waitingDays }];
  }
  return [];
};

export const recordReminder = (state: ApprovalState, at: string): ApprovalState => ({
  ...state,
  steps: state.steps.map((s, i) => (i === state.currentStep ? { ...s, lastRemindedAt: at } : s)),
});

/**
 * Escalation makes the step any-of over its pending approvers plus the escalation targets: after N days someone
 * must be able to move it. Decisions already taken stay. The approval version is unchanged (nobody's view of
 * decisions became wrong).
 */
export const escalateStep = (state: ApprovalState, to: readonly string[], at: string): ApprovalState => {
  const pending = pendingApprovers(state);
  return {
    ...state,
    steps: state.steps.map((s, i) =>
      i === state.currentStep
        ? {
            ...s,
            mode: 'any' as const,
            approverIds: [...new Set([...pending, ...to])],
            explanation: `${s.explanation}; escalated to ${to.join(', ')} after waiting`,
            escalatedAt: at,
            lastRemindedAt: at,
          }
        : s,
    ),
  };
};
