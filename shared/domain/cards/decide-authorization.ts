import { formatMoney, type Money } from '../money.ts';
import { available, type BudgetLine, openLine, reserve } from './budget.ts';
import { budgetLineId, type CompanyControls, periodKey } from './controls.ts';
import { descriptorMatches } from './merchant.ts';
import type { AuthorizationRequest } from './model.ts';

export type DecisionCode =
  | 'card-unassigned'
  | 'employee-inactive'
  | 'receipts-overdue'
  | 'currency-unsupported'
  | 'over-transaction-cap'
  | 'mcc-blocked'
  | 'mcc-not-allowed'
  | 'merchant-blocked'
  | 'merchant-not-allowed'
  | 'country-blocked'
  | 'budget-exceeded'
  | 'fallback-approve'
  | 'fallback-decline';

export interface DecisionReason {
  code: DecisionCode;
  message: string;
}

/** An amount to reserve on a budget line; `limit` lets the adapter create the line if it does not exist yet. */
export interface Reservation {
  lineId: string;
  budgetId: string;
  amount: Money;
  limit: Money;
}

export interface AuthorizationDecision {
  approved: boolean;
  /** Why it was declined (every failed rule), or why the fallback answered. Empty for a plain approval. */
  reasons: DecisionReason[];
  /**
   * For an approval: what to reserve, all lines or none (one TransactWriteItems with each line's reserve
   * condition). If the atomic reservation fails, another authorization won the race: decline with budget-exceeded.
   */
  reservations: Reservation[];
  /** True when the company's fallback answered instead of the rules. */
  fallback: boolean;
}

/** Who holds the card, as the card directory and the receipts know it at decision time. */
export interface CardholderState {
  /** null: the card is not assigned to an employee (unknown card, shown to finance). */
  employeeId: string | null;
  teamIds: readonly string[];
  active: boolean;
  /** When the oldest card transaction still waiting for its receipt was posted; null when none is missing. */
  oldestMissingReceiptSince: string | null;
}

/** The budget lines as last read; a line absent from the snapshot has nothing reserved or settled yet. */
export interface BudgetSnapshot {
  lines: Readonly<Record<string, BudgetLine>>;
}

const DAY_MS = 86_400_000;

const fmt = (m: Money) => `${formatMoney(m)} ${m.currency}`;

/** The company's budget lines that an authorization at `now` draws on: the employee's and their teams'. */
export const applicableReservations = (
  controls: CompanyControls,
  holder: CardholderState,
  amount: Money,
  now: Date,
): Reservation[] =>
  controls.budgets.flatMap((b) => {
    const applies =
      b.scope.kind === 'employee' ? b.scope.employeeId === holder.employeeId : holder.teamIds.includes(b.scope.teamId);
    const key = applies ? periodKey(b.period, now, controls.timeZone) : null;
    return key === null ? [] : [{ lineId: budgetLineId(b.id, key), budgetId: b.id, amount, limit: b.limit }];
  });

/**
 * Decides a real-time authorization request against the company's controls. Pure and synchronous: the adapter
 * reads the controls, the cardholder state and the budget lines, calls this, then reserves atomically.
 * Steps:
 * 1. credits (refund authorizations) are always approved: they cannot overspend;
 * 2. the card must belong to an active employee, not locked by receipts missing for more than N days;
 * 3. the amount must be in the company currency and within the per-transaction cap;
 * 4. MCC, merchant and country lists: a block always wins; a non-empty allow list must match;
 * 5. every applicable budget line (employee's, teams') must have the amount available.
 * Every failing rule is reported, so finance sees all the reasons at once.
 */
export const decideAuthorization = (
  request: AuthorizationRequest,
  controls: CompanyControls,
  budgets: BudgetSnapshot,
  holder: CardholderState,
  now: Date,
): AuthorizationDecision => {
  if (request.direction === 'credit' || request.amount.minor <= 0n) {
    return { approved: true, reasons: [], reservations: [], fallback: false };
  }
  const reasons: DecisionReason[] = [];
  const decline = (code: DecisionCode, message: string) => reasons.push({ code, message });

  if (holder.employeeId === null) decline('card-unassigned', 'this card is not assigned to an employee');
  else if (!holder.active) decline('employee-inactive', 'the cardholder is no longer an active employee');
  const lockDays = controls.overdueReceiptLockDays;
  if (lockDays !== null && holder.oldestMissingReceiptSince !== null) {
    const days = Math.floor((now.getTime() - Date.parse(holder.oldestMissingReceiptSince)) / DAY_MS);
    if (days > lockDays) {
      decline('receipts-overdue', `a receipt has been missing for ${days} days (the card locks after ${lockDays})`);
    }
  }

  const amount = request.amount;
  const sameCurrency = amount.currency === controls.currency;
  if (!sameCurrency) {
    decline('currency-unsupported', `the card is charged in ${amount.currency}; budgets are in ${controls.currency}`);
  } else if (controls.perTransactionCap && amount.minor > controls.perTransactionCap.minor) {
    decline(
      'over-transaction-cap',
      `${fmt(amount)} is over the per-transaction cap of ${fmt(controls.perTransactionCap)}`,
    );
  }

  const { mcc, name, normalizedName, country } = request.merchant;
  if (mcc !== null && controls.mcc.block.includes(mcc)) decline('mcc-blocked', `merchant category ${mcc} is blocked`);
  else if (controls.mcc.allow.length > 0 && (mcc === null || !controls.mcc.allow.includes(mcc))) {
    decline('mcc-not-allowed', `merchant category ${mcc ?? '(none)'} is not in the allowed list`);
  }
  const blocked = controls.merchants.block.find((entry) => descriptorMatches(normalizedName, entry));
  if (blocked) decline('merchant-blocked', `merchant "${name}" matches the blocked entry "${blocked}"`);
  else if (
    controls.merchants.allow.length > 0 &&
    !controls.merchants.allow.some((entry) => descriptorMatches(normalizedName, entry))
  ) {
    decline('merchant-not-allowed', `merchant "${name}" is not in the allowed list`);
  }
  // A merchant without a country cannot be placed; only a known blocked country declines.
  if (country !== null && controls.blockedCountries.includes(country)) {
    decline('country-blocked', `purchases in ${country} are blocked`);
  }

  const reservations =
    sameCurrency && holder.employeeId !== null ? applicableReservations(controls, holder, amount, now) : [];
  for (const r of reservations) {
    const line = budgets.lines[r.lineId] ?? openLine(r.lineId, r.limit);
    if (!reserve(line, amount).ok) {
      decline('budget-exceeded', `budget ${r.budgetId} has ${fmt(available(line))} left, ${fmt(amount)} requested`);
    }
  }

  return reasons.length === 0
    ? { approved: true, reasons: [], reservations, fallback: false }
    : { approved: false, reasons, reservations: [], fallback: false };
};

export type FallbackCause = 'timeout' | 'controls-unavailable' | 'budget-store-unavailable' | 'error';

/**
 * The answer when the rules cannot run safely in time: the company's fallback, recorded as such. With no
 * controls at all (unknown company) the answer is decline. An approving fallback reserves nothing: the
 * ledger settles the capture on the budget when it arrives, which may then show an overspend.
 */
export const fallbackDecision = (
  controls: Pick<CompanyControls, 'fallback'> | null,
  cause: FallbackCause,
): AuthorizationDecision => {
  const approved = controls?.fallback === 'approve';
  const why = {
    timeout: 'the decision could not be made in time',
    'controls-unavailable': 'the company controls could not be read',
    'budget-store-unavailable': 'the budgets could not be read or reserved',
    error: 'the decision failed',
  }[cause];
  return {
    approved,
    reasons: [
      {
        code: approved ? 'fallback-approve' : 'fallback-decline',
        message: `${why}: the company fallback (${approved ? 'approve' : 'decline'}) answered`,
      },
    ],
    reservations: [],
    fallback: true,
  };
};

/** The instant after which the adapter must answer with the fallback. */
export const decisionDeadline = (receivedAt: Date, controls: Pick<CompanyControls, 'decisionTimeoutMs'> | null) =>
  new Date(receivedAt.getTime() + (controls?.decisionTimeoutMs ?? 1500));
