import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expenseEvents } from '../../../events/expenses.ts';
import { routeExpense } from '../../../shared/domain/expenses/approval-chain.ts';
import { pendingApprovers } from '../../../shared/domain/expenses/approval-reducer.ts';
import { type Actor, type AuditEntry, verifyAuditChain } from '../../../shared/domain/expenses/audit.ts';
import { suggestCategory } from '../../../shared/domain/expenses/categories.ts';
import {
  EXPENSE_STATUSES,
  type Expense,
  expenseFromJson,
  expenseToJson,
  type Violation,
} from '../../../shared/domain/expenses/expense.ts';
import {
  applyExpenseCommand,
  type CommandResult,
  EXPENSE_TRANSITIONS,
  type ExpenseCommand,
  isAllowedTransition,
  openExpense,
  shouldAutoSubmit,
} from '../../../shared/domain/expenses/lifecycle.ts';
import { ConcurrentUpdateError } from '../../../shared/ports/expenses.ts';
import { cardExpense, chain, ctx, eur, expense, memoryExpenseStore, org, system, T0, user } from './helpers.ts';

/** Applies commands in order, threading the audit hash; throws on a refusal. */
const run = (start: Expense, steps: [ExpenseCommand, Actor, string?][]) => {
  let e = start;
  const trail: AuditEntry[] = [openExpense(start, user(start.employeeId), T0)];
  const events: string[] = [];
  for (const [cmd, actor, roles] of steps) {
    const r = applyExpenseCommand(e, cmd, {
      ...ctx(actor, T0, trail.at(-1)?.hash ?? null),
      ...(roles ? { roles: [roles] } : {}),
    });
    if (!r.ok) throw new Error(`${cmd.type}: ${r.error} ${r.message}`);
    e = r.expense;
    trail.push(r.audit);
    events.push(...r.events.map((ev) => ev.name));
    for (const ev of r.events) expenseEvents[ev.name].detail.parse(ev.detail);
  }
  return { expense: e, trail, events };
};

const routed = (e: Expense) => {
  const r = routeExpense(chain(), e, org, T0);
  if (!r.ok) throw new Error(r.message);
  return r.approval;
};

describe('expense lifecycle', () => {
  it('a matched card expense above 500 €: auto-submitted, manager → finance → approved → booked, all audited', () => {
    const draft = cardExpense({ amount: eur('640.00') });
    const category = suggestCategory({
      type: 'card',
      employeeId: 'u_alice',
      merchantName: draft.merchant?.name ?? null,
      mcc: '5812',
      history: [],
    });
    if (!category) throw new Error('no category');
    const { expense: withReceipt } = run(draft, [
      [{ type: 'edit', changes: { receiptIds: ['rcpt_1'], category } }, system],
    ]);
    expect(shouldAutoSubmit(withReceipt)).toBe(true);
    const approval = routed(withReceipt);
    const flow = run(draft, [
      [{ type: 'edit', changes: { receiptIds: ['rcpt_1'], category } }, system],
      [{ type: 'submit', violations: [] }, system],
      [{ type: 'route', approval }, system],
      [
        { type: 'decide', action: { actorId: 'u_bob', decision: 'approve', expectedVersion: 0, at: T0 } },
        user('u_bob'),
      ],
      [
        { type: 'decide', action: { actorId: 'u_dave', decision: 'approve', expectedVersion: 1, at: T0 } },
        user('u_dave'),
      ],
      [{ type: 'book', journalEntryId: 'je_42' }, user('u_erin'), 'finance'],
    ]);
    expect(flow.expense.status).toBe('BOOKED');
    expect(flow.expense.version).toBe(6);
    expect(flow.events).toEqual([
      'ExpenseSubmitted',
      'ExpenseApprovalRequested',
      'ExpenseApprovalRequested',
      'ExpenseApproved',
      'ExpenseBooked',
    ]);
    expect(flow.trail.map((a) => `${a.before.status ?? '∅'}→${a.after.status}:${a.actor.id}`)).toEqual([
      '∅→DRAFT:u_alice',
      'DRAFT→DRAFT:system:expenses',
      'DRAFT→SUBMITTED:system:expenses',
      'SUBMITTED→PENDING_APPROVAL:system:expenses',
      'PENDING_APPROVAL→PENDING_APPROVAL:u_bob',
      'PENDING_APPROVAL→APPROVED:u_dave',
      'APPROVED→BOOKED:u_erin',
    ]);
    expect(flow.trail[1]?.changes.receiptIds).toEqual({ before: [], after: ['rcpt_1'] });
    expect(verifyAuditChain(flow.trail)).toEqual({ ok: true });
  });

  it('audit entries are immutable and tampering shows in the chain', () => {
    const { trail } = run(expense(), [[{ type: 'submit', violations: [] }, user('u_alice')]]);
    const entry = trail[1] as AuditEntry;
    expect(Object.isFrozen(entry) && Object.isFrozen(entry.changes)).toBe(true);
    expect(() => {
      (entry as { note: string | null }).note = 'edited';
    }).toThrow(TypeError);
    const forged = [trail[0] as AuditEntry, { ...entry, actor: { id: 'u_mallory', kind: 'user' as const } }];
    expect(verifyAuditChain(forged)).toMatchObject({ ok: false, at: 1, reason: 'entry was altered' });
    expect(verifyAuditChain([entry])).toMatchObject({ ok: false, reason: 'chain broken' });
  });

  it('a rejection goes back to the employee with its reason; editing it reopens a DRAFT', () => {
    const e = expense({ amount: eur('80.00') });
    const { expense: rejected, events } = run(e, [
      [{ type: 'submit', violations: [] }, user('u_alice')],
      [{ type: 'route', approval: routed(e) }, system],
      [
        {
          type: 'decide',
          action: { actorId: 'u_bob', decision: 'reject', reason: 'personal dinner', expectedVersion: 0, at: T0 },
        },
        user('u_bob'),
      ],
    ]);
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.rejection).toEqual({ by: 'u_bob', at: T0, reason: 'personal dinner' });
    expect(events.at(-1)).toBe('ExpenseRejected');
    const reopened = applyExpenseCommand(
      rejected,
      { type: 'edit', changes: { description: 'team dinner' } },
      ctx(user('u_alice')),
    );
    expect(reopened).toMatchObject({ ok: true, expense: { status: 'DRAFT', approval: null } });
    if (reopened.ok) expect(reopened.events.map((x) => x.name)).toEqual(['ExpenseReopened']);
  });

  it('refuses what is not allowed, leaving the expense unchanged', () => {
    const e = expense();
    const refused = (r: CommandResult) => (r.ok ? 'ok' : r.error);
    expect(refused(applyExpenseCommand(e, { type: 'submit', violations: [] }, ctx(user('u_bob'))))).toBe('forbidden');
    expect(refused(applyExpenseCommand(e, { type: 'book', journalEntryId: 'j' }, ctx(system)))).toBe(
      'invalid-transition',
    );
    expect(refused(applyExpenseCommand(e, { type: 'auto-approve', reason: 'x' }, ctx(system)))).toBe(
      'invalid-transition',
    );
    const block = [{ code: 'FORBIDDEN_MCC', severity: 'block' as const, message: 'm', ruleId: 'r', ruleVersion: 1 }];
    expect(refused(applyExpenseCommand(e, { type: 'submit', violations: block }, ctx(user('u_alice'))))).toBe(
      'blocked-by-policy',
    );
    expect(
      refused(applyExpenseCommand(expense({}, null), { type: 'submit', violations: [] }, ctx(user('u_alice')))),
    ).toBe('incomplete');
    const card = cardExpense();
    expect(
      refused(applyExpenseCommand(card, { type: 'edit', changes: { amount: eur('1.00') } }, ctx(user('u_alice')))),
    ).toBe('not-editable');
    expect(refused(applyExpenseCommand(card, { type: 'submit', violations: [] }, ctx(system)))).toBe('forbidden'); // incomplete card
    expect(e).toEqual(expense());
  });

  it('auto-approves a compliant submitted expense, and withdrawing brings it back to DRAFT', () => {
    const { expense: approved, events } = run(expense({ amount: eur('12.00') }), [
      [{ type: 'submit', violations: [] }, user('u_alice')],
      [{ type: 'auto-approve', reason: 'compliant and below 20.00 EUR' }, system],
    ]);
    expect(approved.status).toBe('APPROVED');
    expect(events).toEqual(['ExpenseSubmitted', 'ExpenseApproved']);
    const { expense: back } = run(expense(), [
      [{ type: 'submit', violations: [] }, user('u_alice')],
      [{ type: 'withdraw' }, user('u_alice')],
    ]);
    expect(back).toMatchObject({ status: 'DRAFT', submittedAt: null });
  });

  it('two approvers at once through the repository: the second write is a conflict, and on reload a stale decision', () => {
    const store = memoryExpenseStore();
    const e0 = expense({ amount: eur('750.00') });
    const { expense: atFinance } = run(e0, [
      [{ type: 'submit', violations: [] }, user('u_alice')],
      [{ type: 'route', approval: routed(e0) }, system],
      [
        { type: 'decide', action: { actorId: 'u_bob', decision: 'approve', expectedVersion: 0, at: T0 } },
        user('u_bob'),
      ],
    ]);
    store.put(atFinance);
    const daveView = store.get(atFinance.id) as Expense;
    const erinView = store.get(atFinance.id) as Expense;
    const seen = daveView.approval?.version ?? -1;
    const decideAs = (view: Expense, id: string, decision: 'approve' | 'reject') =>
      applyExpenseCommand(
        view,
        { type: 'decide', action: { actorId: id, decision, reason: 'too expensive', expectedVersion: seen, at: T0 } },
        ctx(user(id)),
      );
    const dave = decideAs(daveView, 'u_dave', 'approve');
    const erin = decideAs(erinView, 'u_erin', 'reject');
    if (!dave.ok || !erin.ok) throw new Error('both decisions are valid on their own view');
    store.save(dave.expense, daveView.version);
    expect(() => store.save(erin.expense, erinView.version)).toThrow(ConcurrentUpdateError);
    // reloaded, erin sees an expense that is no longer waiting for anyone
    const retry = decideAs(store.get(atFinance.id) as Expense, 'u_erin', 'reject');
    expect(retry).toMatchObject({ ok: false, error: 'invalid-transition' });
    expect(store.get(atFinance.id)?.status).toBe('APPROVED');
  });
});

describe('expense lifecycle: properties', () => {
  const actors: Actor[] = ['u_alice', 'u_bob', 'u_dave', 'u_erin', 'u_zed'].map(user).concat([system]);
  const violation = fc.constantFrom<Violation[]>(
    [],
    [{ code: 'WEEKEND_SPEND', severity: 'warn' as const, message: 'm', ruleId: 'we', ruleVersion: 1 }],
    [{ code: 'FORBIDDEN_MCC', severity: 'block' as const, message: 'm', ruleId: 'mcc', ruleVersion: 1 }],
  );
  const step = fc.record({
    kind: fc.constantFrom('edit', 'record-violations', 'submit', 'route', 'auto-approve', 'decide', 'withdraw', 'book'),
    actor: fc.constantFrom(...actors),
    /** Most steps are sent by whoever may send them, so that deep states are reached. */
    rightActor: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    finance: fc.boolean(),
    approve: fc.boolean(),
    staleBy: fc.constantFrom(0, 0, 0, 1),
    amount: fc.constantFrom('12.00', '80.00', '750.00'),
    withCategory: fc.boolean(),
    withReceipt: fc.boolean(),
    violations: violation,
  });
  const emptyApproval = {
    ruleId: '-',
    chainVersion: 1,
    version: 0,
    currentStep: 0,
    outcome: 'approved' as const,
    steps: [],
    decisions: [],
  };
  type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

  const rightActor = (e: Expense, kind: Step['kind']): Actor => {
    if (kind === 'edit' || kind === 'submit' || kind === 'withdraw') return user(e.employeeId);
    if (kind === 'decide') return user(pendingApprovers(e.approval ?? emptyApproval)[0] ?? 'u_zed');
    return system;
  };

  const command = (e: Expense, s: Step): ExpenseCommand | null => {
    switch (s.kind) {
      case 'edit':
        return {
          type: 'edit',
          changes: {
            ...(e.type === 'card' ? {} : { amount: eur(s.amount) }),
            receiptIds: s.withReceipt ? ['rcpt_1'] : [],
            category: s.withCategory ? { category: 'meals', source: 'chosen', explanation: 'x' } : null,
          },
        };
      case 'record-violations':
        return { type: 'record-violations', violations: s.violations };
      case 'submit':
        return { type: 'submit', violations: s.violations };
      case 'route': {
        const r = routeExpense(chain(), e, org, T0);
        return r.ok ? { type: 'route', approval: r.approval } : null;
      }
      case 'auto-approve':
        return { type: 'auto-approve', reason: 'r' };
      case 'decide':
        return {
          type: 'decide',
          action: {
            actorId: (s.rightActor ? rightActor(e, 'decide') : s.actor).id,
            decision: s.approve ? 'approve' : 'reject',
            reason: 'because',
            expectedVersion: (e.approval?.version ?? 0) - s.staleBy,
            at: T0,
          },
        };
      case 'withdraw':
        return { type: 'withdraw' };
      case 'book':
        return { type: 'book', journalEntryId: 'je_1' };
    }
    return null;
  };

  it('random command sequences never reach an illegal state or transition', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }), (card, steps) => {
        let e = card ? cardExpense() : expense({}, null);
        const trail: AuditEntry[] = [openExpense(e, user('u_alice'), T0)];
        for (const s of steps) {
          const cmd = command(e, s);
          if (!cmd) continue;
          const actor = s.rightActor ? rightActor(e, s.kind) : s.actor;
          const before = structuredClone(e);
          const r = applyExpenseCommand(e, cmd, {
            actor,
            at: T0,
            previousHash: trail.at(-1)?.hash ?? null,
            roles: s.finance ? ['finance'] : [],
          });
          if (!r.ok) {
            expect(e).toEqual(before);
            continue;
          }
          const next = r.expense;
          seen.add(`${e.status}>${next.status}`);
          expect(isAllowedTransition(e.status, next.status)).toBe(true);
          expect(next.version).toBe(e.version + 1);
          expect(r.audit).toMatchObject({
            seq: next.version,
            before: { status: e.status },
            after: { status: next.status },
          });
          expect(expenseFromJson(expenseToJson(next))).toEqual(next);
          if (next.status === 'APPROVED' && e.status !== 'APPROVED') {
            expect(
              next.approval === null
                ? e.status === 'SUBMITTED' && next.violations.length === 0
                : next.approval.outcome === 'approved',
            ).toBe(true);
          }
          if (next.status === 'REJECTED') expect(next.rejection?.reason).toBeTruthy();
          if (next.status === 'BOOKED') expect(e.status).toBe('APPROVED');
          if (next.approval) {
            for (const d of next.approval.decisions) expect(d.actorId).not.toBe(next.employeeId);
          }
          if (next.status !== 'DRAFT' && e.status === 'DRAFT')
            expect(next.violations.some((v) => v.severity === 'block')).toBe(false);
          for (const ev of r.events) expenseEvents[ev.name].detail.parse(ev.detail);
          trail.push(r.audit);
          e = next;
        }
        expect(EXPENSE_STATUSES).toContain(e.status);
        expect(verifyAuditChain(trail)).toEqual({ ok: true });
      }),
      { numRuns: 400 },
    );
    // the generator does exercise the machine: every transition of the table was taken
    const table = Object.entries(EXPENSE_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`));
    expect(table.filter((t) => !seen.has(t))).toEqual([]);
  });
});

describe('approval notices (reminders and escalation) as commands', () => {
  const pending = () => {
    const draft = cardExpense({ amount: eur('640.00') });
    const category = suggestCategory({
      type: 'card',
      employeeId: 'u_alice',
      merchantName: draft.merchant?.name ?? null,
      mcc: '5812',
      history: [],
    });
    if (!category) throw new Error('no category');
    const withReceipt = run(draft, [[{ type: 'edit', changes: { receiptIds: ['rcpt_1'], category } }, system]]).expense;
    return run(draft, [
      [{ type: 'edit', changes: { receiptIds: ['rcpt_1'], category } }, system],
      [{ type: 'submit', violations: [] }, system],
      [{ type: 'route', approval: routed(withReceipt) }, system],
    ]).expense;
  };

  it('a reminder is recorded on the waiting step; an escalation opens it to the targets and asks them', () => {
    const e = pending();
    const remind = applyExpenseCommand(
      e,
      { type: 'approval-notice', notice: { kind: 'remind', step: 0, to: ['u_bob'], waitingDays: 2 } },
      ctx(system, '2026-03-04T09:00:00.000Z'),
    );
    if (!remind.ok) throw new Error(remind.message);
    expect(remind.expense.status).toBe('PENDING_APPROVAL');
    expect(remind.expense.approval?.steps[0]?.lastRemindedAt).toBe('2026-03-04T09:00:00.000Z');
    expect(remind.events).toEqual([]);
    expect(remind.audit.note).toMatch(/reminded u_bob after 2 days/);

    const esc = applyExpenseCommand(
      remind.expense,
      { type: 'approval-notice', notice: { kind: 'escalate', step: 0, to: ['u_erin'], waitingDays: 7 } },
      ctx(system, '2026-03-09T09:00:00.000Z'),
    );
    if (!esc.ok) throw new Error(esc.message);
    const step = esc.expense.approval?.steps[0];
    expect(step?.approverIds).toEqual([...(e.approval?.steps[0]?.approverIds ?? []), 'u_erin']);
    expect(step?.mode).toBe('any');
    expect(step?.escalatedAt).toBe('2026-03-09T09:00:00.000Z');
    expect(esc.events.map((x) => x.name)).toEqual(['ExpenseApprovalRequested']);
    // The escalation target can now decide the step.
    const decided = applyExpenseCommand(
      esc.expense,
      {
        type: 'decide',
        action: { actorId: 'u_erin', decision: 'approve', expectedVersion: esc.expense.approval?.version ?? 0, at: T0 },
      },
      ctx(user('u_erin')),
    );
    expect(decided.ok).toBe(true);
  });

  it('only the system sends notices, only to an expense waiting at that step', () => {
    const e = pending();
    const notice = { kind: 'remind' as const, step: 0, to: ['u_bob'], waitingDays: 2 };
    const byUser = applyExpenseCommand(e, { type: 'approval-notice', notice }, ctx(user('u_bob')));
    expect(byUser).toMatchObject({ ok: false, error: 'forbidden' });
    const otherStep = applyExpenseCommand(e, { type: 'approval-notice', notice: { ...notice, step: 1 } }, ctx(system));
    expect(otherStep).toMatchObject({ ok: false, error: 'invalid-expense' });
    const draft = applyExpenseCommand(cardExpense(), { type: 'approval-notice', notice }, ctx(system));
    expect(draft).toMatchObject({ ok: false, error: 'invalid-transition' });
  });
});
