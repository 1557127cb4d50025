import { describe, expect, it } from 'vitest';
import { autoApproval, routeExpense } from '../../../shared/domain/expenses/approval-chain.ts';
import { decide, pendingApprovers } from '../../../shared/domain/expenses/approval-reducer.ts';
import {
  dueApprovalNotices,
  escalateStep,
  recordReminder,
} from '../../../shared/domain/expenses/approval-reminders.ts';
import type { ApprovalState } from '../../../shared/domain/expenses/expense.ts';
import { chain, eur, expense, org, T0 } from './helpers.ts';

const route = (e = expense({ amount: eur('750.00') }), config = chain(), o = org) => {
  const r = routeExpense(config, e, o, T0);
  if (!r.ok) throw new Error(r.message);
  return r.approval;
};

const at = (day: number, hour = 9) =>
  `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

describe('approval chains: routing', () => {
  it('routes by amount: manager below 500 €, manager then finance from 500 €', () => {
    const small = route(expense({ amount: eur('499.99') }));
    expect(small.ruleId).toBe('default');
    expect(small.steps.map((s) => [s.name, s.approverIds])).toEqual([['manager', ['u_bob']]]);
    const big = route();
    expect(big.ruleId).toBe('over-500');
    expect(big.chainVersion).toBe(3);
    expect(big.steps.map((s) => [s.name, s.mode, s.approverIds])).toEqual([
      ['manager', 'any', ['u_bob']],
      ['finance', 'any', ['u_dave', 'u_erin']],
    ]);
    expect(big.steps[0]?.startedAt).toBe(T0);
    expect(big.steps[1]?.startedAt).toBeNull();
  });

  it('routes by category, entity and cost centre (first matching rule wins)', () => {
    const config = chain({
      rules: [
        {
          id: 'rd-hotels',
          when: { categories: ['hotel'], entities: ['acme-fr'], costCentres: ['RD'] },
          steps: [{ name: 'cto', mode: 'any', approvers: [{ kind: 'user', userId: 'u_carol' }] }],
        },
        { id: 'default', when: {}, steps: [{ name: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }] },
      ],
    });
    const hotel = expense({ entityId: 'acme-fr', costCentre: 'RD' }, 'hotel');
    expect(route(hotel, config).ruleId).toBe('rd-hotels');
    expect(route({ ...hotel, costCentre: 'SALES' }, config).ruleId).toBe('default');
    expect(route(expense({ entityId: 'acme-fr', costCentre: 'RD' }, 'meals'), config).ruleId).toBe('default');
  });

  it('never lets the employee approve: removed from a role step, an emptied step escalates to the fallback', () => {
    // dave (finance) files a 700 € expense: the finance step keeps erin only
    const byDave = route(expense({ employeeId: 'u_dave', amount: eur('700.00') }));
    expect(byDave.steps[1]?.approverIds).toEqual(['u_erin']);
    expect(byDave.steps[1]?.explanation).toContain('u_dave removed: no self-approval');
    // carol has no manager: the manager step goes to the admins
    const byCarol = route(expense({ employeeId: 'u_carol' }));
    expect(byCarol.steps[0]?.approverIds).toEqual(['u_frank']);
    expect(byCarol.steps[0]?.explanation).toContain('escalated to role admin');
    // frank, the only admin, without a manager: nobody left
    const r = routeExpense(chain(), expense({ employeeId: 'u_frank' }), org, T0);
    expect(r).toMatchObject({ ok: false, error: 'no-eligible-approver' });
  });

  it('auto-approves only compliant expenses strictly under the threshold', () => {
    const warn = { code: 'WEEKEND_SPEND', severity: 'warn' as const, message: 'm', ruleId: 'we', ruleVersion: 1 };
    expect(autoApproval(chain(), expense({ amount: eur('19.99') }), []).auto).toBe(true);
    expect(autoApproval(chain(), expense({ amount: eur('20.00') }), []).auto).toBe(false);
    expect(autoApproval(chain(), expense({ amount: eur('5.00') }), [warn])).toEqual({
      auto: false,
      reason: '1 policy violation(s)',
    });
    expect(autoApproval(chain({ autoApproveBelow: null }), expense({ amount: eur('1.00') }), []).auto).toBe(false);
  });
});

describe('approval chains: decisions', () => {
  const approve = (state: ApprovalState, actorId: string, when = at(3), version = state.version) =>
    decide(state, 'u_alice', { actorId, decision: 'approve', expectedVersion: version, at: when });

  it('walks manager → finance → approved', () => {
    const s0 = route();
    const r1 = approve(s0, 'u_bob');
    expect(r1).toMatchObject({ ok: true, effect: 'next-step' });
    if (!r1.ok) return;
    expect(r1.state.currentStep).toBe(1);
    expect(r1.state.steps[1]?.startedAt).toBe(at(3));
    const r2 = approve(r1.state, 'u_erin', at(4));
    expect(r2).toMatchObject({ ok: true, effect: 'approved' });
    if (r2.ok)
      expect(r2.state.decisions.map((d) => [d.step, d.approverId])).toEqual([
        [0, 'u_bob'],
        [1, 'u_erin'],
      ]);
  });

  it('an all-of step waits for every approver, each once', () => {
    const config = chain({
      rules: [
        {
          id: 'board',
          when: {},
          steps: [{ name: 'board', mode: 'all', approvers: [{ kind: 'role', role: 'finance' }, { kind: 'manager' }] }],
        },
      ],
    });
    const s0 = route(expense(), config);
    const r1 = approve(s0, 'u_dave');
    expect(r1).toMatchObject({ ok: true, effect: 'step-recorded' });
    if (!r1.ok) return;
    expect(pendingApprovers(r1.state)).toEqual(['u_erin', 'u_bob']);
    expect(approve(r1.state, 'u_dave')).toMatchObject({ ok: false, error: 'already-acted' });
    const r2 = approve(r1.state, 'u_bob');
    if (!r2.ok) throw new Error(r2.message);
    expect(approve(r2.state, 'u_erin')).toMatchObject({ ok: true, effect: 'approved' });
  });

  it('two approvers acting at once: the second decided on a stale version and is refused', () => {
    const s0 = route();
    const r1 = approve(s0, 'u_bob');
    if (!r1.ok) throw new Error(r1.message);
    // dave and erin both load version 1 of the finance step
    const seen = r1.state.version;
    const dave = approve(r1.state, 'u_dave', at(4), seen);
    if (!dave.ok) throw new Error(dave.message);
    const erin = decide(dave.state, 'u_alice', {
      actorId: 'u_erin',
      decision: 'reject',
      reason: 'no',
      expectedVersion: seen,
      at: at(4),
    });
    expect(erin).toMatchObject({ ok: false, error: 'stale-version' });
    expect(dave.state.outcome).toBe('approved');
  });

  it('rejects with a reason only, and refuses strangers, the employee and decisions after the end', () => {
    const s0 = route();
    expect(
      decide(s0, 'u_alice', { actorId: 'u_bob', decision: 'reject', reason: '  ', expectedVersion: 0, at: at(3) }),
    ).toMatchObject({
      ok: false,
      error: 'reason-required',
    });
    expect(approve(s0, 'u_dave')).toMatchObject({ ok: false, error: 'not-an-approver' }); // finance is step 2
    expect(approve(s0, 'u_alice')).toMatchObject({ ok: false, error: 'self-approval' });
    const r = decide(s0, 'u_alice', {
      actorId: 'u_bob',
      decision: 'reject',
      reason: 'personal meal',
      expectedVersion: 0,
      at: at(3),
    });
    expect(r).toMatchObject({ ok: true, effect: 'rejected' });
    if (r.ok)
      expect(approve(r.state, 'u_bob', at(3), r.state.version)).toMatchObject({ ok: false, error: 'already-decided' });
  });

  it('a delegate acts for an absent approver within the dates only, never the employee', () => {
    const s0 = route();
    const delegations = [
      { approverId: 'u_bob', delegateId: 'u_carol', from: '2026-03-02', to: '2026-03-06' },
      { approverId: 'u_bob', delegateId: 'u_alice', from: '2026-03-01', to: '2026-03-31' },
    ];
    const during = decide(
      s0,
      'u_alice',
      { actorId: 'u_carol', decision: 'approve', expectedVersion: 0, at: at(6, 23) },
      delegations,
    );
    expect(during).toMatchObject({ ok: true, effect: 'next-step', approverId: 'u_bob' });
    if (during.ok) expect(during.state.decisions[0]).toMatchObject({ approverId: 'u_bob', actorId: 'u_carol' });
    const after = decide(
      s0,
      'u_alice',
      { actorId: 'u_carol', decision: 'approve', expectedVersion: 0, at: at(7) },
      delegations,
    );
    expect(after).toMatchObject({ ok: false, error: 'not-an-approver' });
    const self = decide(
      s0,
      'u_alice',
      { actorId: 'u_alice', decision: 'approve', expectedVersion: 0, at: at(3) },
      delegations,
    );
    expect(self).toMatchObject({ ok: false, error: 'self-approval' });
  });
});

describe('approval chains: reminders and escalation', () => {
  const settings = { remindAfterDays: 2, repeatEveryDays: 3, escalateAfterDays: 7, escalateTo: ['u_dave'] };

  it('reminds after N days, repeats, then escalates once', () => {
    let s = route(expense()); // started 2026-03-02 09:00
    expect(dueApprovalNotices(s, at(4, 8), settings)).toEqual([]);
    expect(dueApprovalNotices(s, at(4, 9), settings)).toEqual([
      { kind: 'remind', step: 0, to: ['u_bob'], waitingDays: 2 },
    ]);
    s = recordReminder(s, at(4, 9));
    expect(dueApprovalNotices(s, at(6, 9), settings)).toEqual([]);
    expect(dueApprovalNotices(s, at(7, 9), settings)).toMatchObject([{ kind: 'remind', waitingDays: 5 }]);
    s = recordReminder(s, at(7, 9));
    const [esc] = dueApprovalNotices(s, at(9, 9), settings);
    expect(esc).toEqual({ kind: 'escalate', step: 0, to: ['u_dave'], waitingDays: 7 });
    s = escalateStep(s, esc?.to ?? [], at(9, 9));
    expect(s.steps[0]).toMatchObject({ mode: 'any', approverIds: ['u_bob', 'u_dave'], escalatedAt: at(9, 9) });
    expect(dueApprovalNotices(s, at(10, 9), settings)).toEqual([]);
    expect(dueApprovalNotices(s, at(12, 9), settings)).toMatchObject([{ kind: 'remind', to: ['u_bob', 'u_dave'] }]);
    const r = decide(s, 'u_alice', { actorId: 'u_dave', decision: 'approve', expectedVersion: s.version, at: at(12) });
    expect(r).toMatchObject({ ok: true, effect: 'approved' });
  });

  it('reminds the delegates of absent approvers too, and nothing once decided', () => {
    const s = route(expense());
    const delegations = [{ approverId: 'u_bob', delegateId: 'u_carol', from: '2026-03-01', to: '2026-03-10' }];
    expect(dueApprovalNotices(s, at(4), { ...settings, escalateAfterDays: null }, delegations)).toMatchObject([
      { kind: 'remind', to: ['u_bob', 'u_carol'] },
    ]);
    const done = decide(s, 'u_alice', { actorId: 'u_bob', decision: 'approve', expectedVersion: 0, at: at(3) });
    if (done.ok) expect(dueApprovalNotices(done.state, at(30), settings)).toEqual([]);
  });
});
