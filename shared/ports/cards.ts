import type { BudgetLine } from '../domain/cards/budget.ts';
import type { CardOwner } from '../domain/cards/card-events.ts';
import type { CompanyControls } from '../domain/cards/controls.ts';
import type { AuthorizationDecision, CardholderState } from '../domain/cards/decide-authorization.ts';
import type { CardLedgerState, ExposureDelta } from '../domain/cards/ledger.ts';
import type { AuthorizationRequest, Processor } from '../domain/cards/model.ts';

/**
 * Ports of the card webhook. Each is small; the DynamoDB/S3/Secrets Manager adapters implement them, tests use
 * in-memory fakes. Every write that a retried delivery could repeat is idempotent.
 */

export type CardAssignment =
  /** The card is known and assigned to an employee. */
  | { status: 'assigned'; owner: CardOwner & { employeeId: string } }
  /** The card belongs to a company (its processor account) but to no employee yet: shown to finance. */
  | { status: 'unassigned'; owner: CardOwner & { employeeId: null } }
  /** Nobody knows this card or its account: kept raw for operators, never decided by a company's rules. */
  | { status: 'unknown' };

/** Who holds a card, and what the controls need to know about them. */
export interface CardDirectory {
  resolve(processor: Processor, cardId: string): Promise<CardAssignment>;
  /** Teams, activity and the oldest missing receipt of an employee (or the unassigned state when null). */
  cardholderState(companyId: string, employeeId: string | null, now: Date): Promise<CardholderState>;
}

export interface ControlsRepository {
  /** The company's parsed controls, or null when it has none (then the fallback answer is decline). */
  get(companyId: string): Promise<CompanyControls | null>;
}

/** Budget lines as stored, for decisions and for the finance API. */
export interface BudgetStore {
  /** Current lines by id (absent lines have nothing used yet). */
  lines(companyId: string, lineIds: readonly string[]): Promise<Record<string, BudgetLine>>;
  /** Spend to date of lines (reserved and settled), for the finance API. */
  list(companyId: string, query: { budgetId?: string; periodKey?: string }): Promise<BudgetLine[]>;
}

/**
 * A budget movement committed with a ledger change. 'reserve' is conditioned on the line's availability (a real-time
 * approval: `available >= :amount`); 'delta' is a fact (release, capture, tip, refund) and only keeps reserved ≥ 0.
 */
export type BudgetMovement =
  | { kind: 'reserve'; lineId: string; limit: BudgetLine['limit']; amount: BudgetLine['limit'] }
  | { kind: 'delta'; lineId: string; limit: BudgetLine['limit']; delta: ExposureDelta };

export class LedgerConflictError extends Error {
  override readonly name = 'LedgerConflictError';
}

/** A 'reserve' movement lost the race for a line: decline with budget-exceeded. */
export class InsufficientBudgetError extends Error {
  override readonly name = 'InsufficientBudgetError';
  constructor(readonly lineId: string) {
    super(`budget line ${lineId} has not enough left`);
  }
}

/** The answer given to a real-time request, kept with the ledger so a retried request gets the same one. */
export interface DecisionOutcome {
  authorizationId: string;
  approved: boolean;
  fallback: boolean;
  reasons: AuthorizationDecision['reasons'];
}

export interface LedgerPartition {
  state: CardLedgerState;
  version: number;
  /** Answers given to requests of this partition (by authorization id). */
  answers: Readonly<Record<string, DecisionOutcome>>;
  /** The budget lines this partition draws on (set by its decision, or by the first posting). */
  lines: readonly { lineId: string; limit: BudgetLine['limit'] }[];
}

/**
 * One ledger partition (ledgerKeyOf: an authorization and its transactions) with an optimistic version. The
 * webhook loads it, applies the event with the pure reducer, and commits the new state together with the budget
 * movements it implies, in one transaction: either both happen or neither, so budgets never drift from the ledger.
 */
export interface CardLedgerRepository {
  load(companyId: string, key: string): Promise<LedgerPartition | null>;
  /**
   * Throws LedgerConflictError when the partition moved past `expectedVersion` (reload and re-apply), and
   * InsufficientBudgetError when a 'reserve' movement's line has not enough available.
   */
  commit(input: {
    companyId: string;
    key: string;
    expectedVersion: number | null;
    state: CardLedgerState;
    /** The answers to keep (the decision below, if any, is added to them). */
    answers: LedgerPartition['answers'];
    lines: LedgerPartition['lines'];
    movements: readonly BudgetMovement[];
    /** A real-time decision to record with this change (listed for finance, replayed to a retried request). */
    decision?: { owner: CardOwner; request: AuthorizationRequest; outcome: DecisionOutcome; decidedAt: string };
  }): Promise<void>;
}

export interface RawWebhook {
  processor: Processor;
  receivedAt: string;
  /** The verified delivery id when the scheme has one (Lithic webhook-id), else null. */
  deliveryId: string | null;
  /** Lower-cased header names; secrets (Authorization, signatures) removed by the caller. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** Every verified webhook body is stored before it is parsed: nothing a processor sent is lost. */
export interface RawEventStore {
  put(raw: RawWebhook): Promise<{ key: string }>;
}

/** Webhook secrets from configuration (Secrets Manager in AWS, environment locally); several during rotation. */
export interface WebhookSecrets {
  stripe(): Promise<readonly string[]>;
  lithic(): Promise<readonly string[]>;
  marqeta(): Promise<{ credentials: readonly string[]; signatureSecrets: readonly string[] }>;
}
