import { type ApprovalChainConfig, parseApprovalChainConfig } from '../../../shared/domain/expenses/approval-chain.ts';
import type { Actor } from '../../../shared/domain/expenses/audit.ts';
import { chooseCategory } from '../../../shared/domain/expenses/categories.ts';
import { type Expense, type ExpenseCategory, newExpense } from '../../../shared/domain/expenses/expense.ts';
import type { CommandContext } from '../../../shared/domain/expenses/lifecycle.ts';
import { parseMoney } from '../../../shared/domain/money.ts';
import { ConcurrentUpdateError, type UsedTokenStore } from '../../../shared/ports/expenses.ts';

export const eur = (amount: string) => parseMoney(amount, 'EUR');

export const T0 = '2026-03-02T09:00:00.000Z';

/** An out-of-pocket (or other type) expense of u_alice, ready to submit unless overridden. */
export const expense = (overrides: Partial<Expense> = {}, category: ExpenseCategory | null = 'meals'): Expense => ({
  ...newExpense({
    companyId: 'acme',
    id: 'exp_01JD7X3Q5N8M2K4H6G9F1E3D5C',
    employeeId: 'u_alice',
    type: 'out-of-pocket',
    spentOn: '2026-03-02',
    amount: eur('42.00'),
    at: T0,
    receiptIds: ['rcpt_1'],
  }),
  category: category ? chooseCategory(category, 'u_alice') : null,
  ...overrides,
});

export const cardExpense = (overrides: Partial<Expense> = {}): Expense =>
  expense({
    type: 'card',
    cardTransactionIds: ['itx_1'],
    receiptIds: [],
    category: null,
    merchant: { name: 'BRASSERIE DU PORT', mcc: '5812', country: 'FR', city: 'Nantes' },
    ...overrides,
  });

export const user = (id: string): Actor => ({ id, kind: 'user' });
export const system: Actor = { id: 'system:expenses', kind: 'system' };

export const ctx = (actor: Actor, at = T0, previousHash: string | null = null): CommandContext => ({
  actor,
  at,
  previousHash,
});

/** alice → manager bob → manager carol; dave and erin in finance; frank admin. */
export const org = {
  managers: { u_alice: 'u_bob', u_bob: 'u_carol', u_carol: null, u_dave: 'u_carol', u_erin: 'u_carol' },
  roles: { finance: ['u_dave', 'u_erin'], admin: ['u_frank'], approver: ['u_bob', 'u_carol'] },
};

/** "Manager below 500 €, then finance above." */
export const chain = (overrides: Record<string, unknown> = {}): ApprovalChainConfig =>
  parseApprovalChainConfig({
    companyId: 'acme',
    version: 3,
    currency: 'EUR',
    rules: [
      {
        id: 'over-500',
        when: { minAmount: { amount: '500.00', currency: 'EUR' } },
        steps: [
          { name: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] },
          { name: 'finance', mode: 'any', approvers: [{ kind: 'role', role: 'finance' }] },
        ],
      },
      { id: 'default', when: {}, steps: [{ name: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }] },
    ],
    autoApproveBelow: { amount: '20.00', currency: 'EUR' },
    ...overrides,
  });

export const memoryUsedTokens = (): UsedTokenStore & { used: Map<string, number> } => {
  const used = new Map<string, number>();
  return {
    used,
    async markUsed(nonce, expiresAt) {
      if (used.has(nonce)) return false;
      used.set(nonce, expiresAt);
      return true;
    },
  };
};

/** The optimistic save the repository port promises, in memory. */
export const memoryExpenseStore = () => {
  const rows = new Map<string, Expense>();
  return {
    put(e: Expense) {
      rows.set(e.id, structuredClone(e));
    },
    get(id: string) {
      const e = rows.get(id);
      return e ? structuredClone(e) : null;
    },
    save(e: Expense, expectedVersion: number) {
      const current = rows.get(e.id);
      if (!current || current.version !== expectedVersion) {
        throw new ConcurrentUpdateError(`expense ${e.id} is at version ${current?.version}, not ${expectedVersion}`);
      }
      rows.set(e.id, structuredClone(e));
    },
  };
};
