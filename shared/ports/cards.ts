import type { BudgetLine } from '../domain/cards/budget.ts';
import type { CardOwner } from '../domain/cards/card-events.ts';
import type { CompanyControls } from '../domain/cards/controls.ts';
import type { AuthorizationDecision, CardholderState, Reservation } from '../domain/cards/decide-authorization.ts';
import type { CardLedgerState, ExposureDelta } from '../domain/cards/ledger.ts';
import type { AuthorizationRequest, Processor } from '../domain/cards/model.ts';

/**
 * Ports of the card webhook. Each is small; the DynamoDB/S3/Secrets Manager adapters implement them, tests use
 * in-memory fakes. Every write that a retried delivery could repeat is idempotent.
 */

/** Idempotency records live at least as long as Stripe retries (3 days). */
export const MIN_IDEMPOTENCY_TTL_SECONDS = 72 * 3600;

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

export type ReservationOutcome = { ok: true } | { ok: false; lineId: string };

/**
 * Budget lines with atomic, idempotent movements (see BUDGET_UPDATES in shared/domain/cards/budget.ts for the exact
 * update and condition expressions). `operationId` makes a retry a no-op: the adapter writes an operation record
 * conditioned on attribute_not_exists in the same transaction as the line updates.
 */
export interface BudgetStore {
  /** Current lines by id (absent lines have nothing used yet). */
  lines(companyId: string, lineIds: readonly string[]): Promise<Record<string, BudgetLine>>;
  /**
   * Reserves every reservation or none (one TransactWriteItems, each line `available >= :amount`, created lazily
   * with its limit). { ok: false, lineId } names a line whose condition failed: the race was lost, decline.
   */
  reserve(companyId: string, operationId: string, reservations: readonly Reservation[]): Promise<ReservationOutcome>;
  /**
   * Applies ledger exposure deltas to lines (reserved/settled, condition reserved >= max(0, −Δreserved)).
   * Unconditional on the limit: releases, captures, tips and refunds are facts.
   */
  applyDeltas(
    companyId: string,
    operationId: string,
    movements: readonly { lineId: string; limit: BudgetLine['limit']; delta: ExposureDelta }[],
  ): Promise<void>;
  /** Spend to date of lines (reserved and settled), for the finance API. */
  list(companyId: string, query: { budgetId?: string; periodKey?: string }): Promise<BudgetLine[]>;
}

export class LedgerConflictError extends Error {
  override readonly name = 'LedgerConflictError';
}

/**
 * One ledger partition (ledgerKeyOf: an authorization and its transactions) with an optimistic version.
 * The webhook loads, applies the event with the pure reducer, and saves with the version it read, in the same
 * transaction as the budget movements (exposureDelta of before/after) and the posted-transaction claims.
 */
export interface CardLedgerRepository {
  load(companyId: string, key: string): Promise<{ state: CardLedgerState; version: number } | null>;
  /** Throws LedgerConflictError when the partition moved past `expectedVersion` (reload and re-apply). */
  save(companyId: string, key: string, state: CardLedgerState, expectedVersion: number | null): Promise<void>;
  /** Budget lines an authorization was reserved on (recorded with the decision), to move its later deltas. */
  linesOf(companyId: string, key: string): Promise<readonly { lineId: string; limit: BudgetLine['limit'] }[]>;
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

/** Processing records by processor event id (and by transaction id for posting), kept ≥ 72 h. */
export interface IdempotencyStore {
  /**
   * Claims a key for `ttlSeconds` (≥ MIN_IDEMPOTENCY_TTL_SECONDS). 'claimed': first time, go ahead;
   * 'done': already processed (the stored result is returned); 'in-progress': another invocation holds it.
   */
  claim(
    key: string,
    ttlSeconds: number,
  ): Promise<{ status: 'claimed' } | { status: 'done'; result: unknown } | { status: 'in-progress' }>;
  complete(key: string, result: unknown): Promise<void>;
  /** Releases a claim after a failure so the processor's retry can run. */
  release(key: string): Promise<void>;
}

/** Decisions with their reasons, for finance and for the synchronous retry of a request already answered. */
export interface AuthorizationDecisionLog {
  record(
    owner: CardOwner,
    request: AuthorizationRequest,
    decision: AuthorizationDecision,
    decidedAt: string,
  ): Promise<'recorded' | 'exists'>;
  get(processor: Processor, authorizationId: string): Promise<AuthorizationDecision | null>;
}

/** Webhook secrets from configuration (Secrets Manager in AWS, environment locally); several during rotation. */
export interface WebhookSecrets {
  stripe(): Promise<readonly string[]>;
  lithic(): Promise<readonly string[]>;
  marqeta(): Promise<{ credentials: readonly string[]; signatureSecrets: readonly string[] }>;
}
