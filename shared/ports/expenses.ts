/** Ports the expense domain needs: storage with optimistic versions, the audit trail, policies, notifications. */
import type { ApprovalChainConfig } from '../domain/expenses/approval-chain.ts';
import type { Delegation } from '../domain/expenses/approval-reducer.ts';
import type { ApprovalNotice } from '../domain/expenses/approval-reminders.ts';
import type { AuditEntry } from '../domain/expenses/audit.ts';
import type { Expense, ExpenseStatus } from '../domain/expenses/expense.ts';
import type { PolicySet } from '../domain/expenses/policy.ts';
import type { ExpenseFilter, ExpenseOrder } from '../domain/expenses/search.ts';
import type { Page } from './receipt-repository.ts';

export { ConcurrentUpdateError } from './receipt-repository.ts';

export interface ExpenseRepository {
  /** Creates a new expense (version 0) with its first audit entry; 'exists' when the id is taken (re-delivery). */
  create(expense: Expense, audit: AuditEntry): Promise<'created' | 'exists'>;
  get(companyId: string, expenseId: string): Promise<Expense | null>;
  /**
   * Replaces the expense if its stored version is still `expectedVersion`, atomically with the audit entry (one
   * transaction in DynamoDB). Throws ConcurrentUpdateError otherwise: reload, re-apply the command, retry.
   */
  save(expense: Expense, expectedVersion: number, audit: AuditEntry): Promise<void>;
  listByStatus(
    companyId: string,
    query: { status: ExpenseStatus; limit: number; cursor: string | null; spentFrom?: string; spentTo?: string },
  ): Promise<Page<Expense>>;
  listByEmployee(
    companyId: string,
    employeeId: string,
    query: { limit: number; cursor: string | null },
  ): Promise<Page<Expense>>;
  /** A filtered page in spend-date order (may be short with a cursor: keep reading until the cursor is null). */
  search(
    companyId: string,
    filter: ExpenseFilter,
    query: { limit: number; cursor: string | null; order: ExpenseOrder },
  ): Promise<Page<Expense>>;
  /** Expenses whose current approval step waits for this user (as approver, or as delegate today). */
  listAwaitingApprover(
    companyId: string,
    userId: string,
    query: { limit: number; cursor: string | null },
  ): Promise<Page<Expense>>;
  /** Sum of the employee's other non-rejected expenses of a category on a day (per-day limits). */
  dayTotal(
    companyId: string,
    employeeId: string,
    category: string,
    day: string,
    excludeExpenseId: string,
  ): Promise<bigint>;
}

/** Append-only: no update, no delete. Entries are hash-chained (verifyAuditChain). */
export interface AuditLog {
  /** Appends unless an entry with the same (expense, seq) exists: returns false then. */
  append(entry: AuditEntry): Promise<boolean>;
  /** The expense's entries in seq order. */
  list(companyId: string, expenseId: string): Promise<AuditEntry[]>;
  last(companyId: string, expenseId: string): Promise<AuditEntry | null>;
}

/** Versioned configuration: a new version never overwrites an old one; expenses record the version they used. */
export interface PolicyRepository {
  /** The spending policy in force at `at` (policyInForce), or null when the company has none. */
  policyAt(companyId: string, at: string): Promise<PolicySet | null>;
  policyVersion(companyId: string, version: number): Promise<PolicySet | null>;
  /** Stores a validated new version; throws ConcurrentUpdateError when `policy.version` already exists. */
  putPolicy(policy: PolicySet): Promise<void>;
  chainAt(companyId: string, at: string): Promise<ApprovalChainConfig | null>;
  putChain(chain: ApprovalChainConfig): Promise<void>;
  delegations(companyId: string): Promise<Delegation[]>;
}

export interface ApprovalRequestNotice {
  companyId: string;
  expenseId: string;
  employeeId: string;
  step: number;
  stepName: string;
  /** Each recipient's own signed links. */
  recipients: { userId: string; approveUrl: string; rejectUrl: string }[];
}

/** Tells approvers (e-mail in AWS and locally through the outbox). */
export interface ApprovalNotifier {
  approvalRequested(notice: ApprovalRequestNotice): Promise<void>;
  /** Reminders and escalations, as dueApprovalNotices computed them. */
  approvalNotice(companyId: string, expenseId: string, notice: ApprovalNotice): Promise<void>;
  /** The employee learns the outcome (rejections carry the reason). */
  decisionMade(input: {
    companyId: string;
    expenseId: string;
    employeeId: string;
    outcome: 'approved' | 'rejected';
    reason: string | null;
  }): Promise<void>;
}

/** Single use of approval links: a conditional put of the nonce, kept (TTL) until the link's expiry. */
export interface UsedTokenStore {
  /** True the first time a nonce is marked; false when it was already used (a replay). */
  markUsed(nonce: string, expiresAt: number): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}
