import { type Money, money } from '../money.ts';

/**
 * Budget accounting, as pure functions over one budget line (one budget in one period). Each function states the
 * condition under which it applies; the DynamoDB adapter implements each as ONE UpdateItem whose
 * ConditionExpression is that condition (see BUDGET_UPDATES), so concurrent authorizations can never overspend:
 * DynamoDB serializes writes to an item and re-checks the condition for each.
 *
 * DynamoDB conditions cannot do arithmetic ("reserved + settled + :a <= limit" is not expressible), so the item
 * also stores `available = limit − reserved − settled`, kept exact by every update below; the reservation
 * condition becomes `available >= :amount`.
 *
 * - pending authorizations reserve (conditional on the available balance);
 * - reversals and expiries release (conditional on not releasing more than is reserved);
 * - captures settle: they release what their authorization reserved and add what was captured. Over-capture
 *   (tips) settles more than was reserved and is not conditioned on the limit: it has happened, the budget
 *   shows it; a partial capture followed by the authorization closing releases the rest;
 * - refunds settle a negative amount.
 */
export interface BudgetLine {
  /** "<budget id>#<period key>" (see periodKey). */
  lineId: string;
  limit: Money;
  reserved: Money;
  settled: Money;
}

export type BudgetFailure = 'insufficient-funds' | 'over-release' | 'invalid-amount' | 'currency-mismatch';

export type BudgetResult =
  | { ok: true; line: BudgetLine }
  | { ok: false; reason: BudgetFailure; message: string; available: Money };

export const openLine = (lineId: string, limit: Money): BudgetLine => ({
  lineId,
  limit,
  reserved: money(0n, limit.currency),
  settled: money(0n, limit.currency),
});

/** limit − reserved − settled; negative once over-captures or a lowered limit exceed it. */
export const available = (line: BudgetLine): Money =>
  money(line.limit.minor - line.reserved.minor - line.settled.minor, line.limit.currency);

const refuse = (line: BudgetLine, reason: BudgetFailure, message: string): BudgetResult => ({
  ok: false,
  reason,
  message,
  available: available(line),
});

const sameCurrency = (line: BudgetLine, amounts: readonly Money[]): boolean =>
  amounts.every((a) => a.currency === line.limit.currency);

/** Condition: amount > 0 AND available >= amount. */
export const reserve = (line: BudgetLine, amount: Money): BudgetResult => {
  if (!sameCurrency(line, [amount])) return refuse(line, 'currency-mismatch', `budget is in ${line.limit.currency}`);
  if (amount.minor <= 0n) return refuse(line, 'invalid-amount', 'a reservation must be positive');
  if (available(line).minor < amount.minor) {
    return refuse(line, 'insufficient-funds', 'the budget has not enough left for this amount');
  }
  return { ok: true, line: { ...line, reserved: money(line.reserved.minor + amount.minor, amount.currency) } };
};

/** Condition: amount > 0 AND reserved >= amount. */
export const release = (line: BudgetLine, amount: Money): BudgetResult => {
  if (!sameCurrency(line, [amount])) return refuse(line, 'currency-mismatch', `budget is in ${line.limit.currency}`);
  if (amount.minor <= 0n) return refuse(line, 'invalid-amount', 'a release must be positive');
  if (line.reserved.minor < amount.minor) return refuse(line, 'over-release', 'cannot release more than is reserved');
  return { ok: true, line: { ...line, reserved: money(line.reserved.minor - amount.minor, amount.currency) } };
};

/**
 * Moves `released` out of reserved and adds `amount` (signed: refunds negative) to settled.
 * Condition: released >= 0 AND reserved >= released. No limit condition: a capture is a fact.
 */
export const settle = (line: BudgetLine, released: Money, amount: Money): BudgetResult => {
  if (!sameCurrency(line, [released, amount])) {
    return refuse(line, 'currency-mismatch', `budget is in ${line.limit.currency}`);
  }
  if (released.minor < 0n) return refuse(line, 'invalid-amount', 'the released part cannot be negative');
  if (line.reserved.minor < released.minor) return refuse(line, 'over-release', 'cannot release more than is reserved');
  return {
    ok: true,
    line: {
      ...line,
      reserved: money(line.reserved.minor - released.minor, released.currency),
      settled: money(line.settled.minor + amount.minor, amount.currency),
    },
  };
};

/**
 * Applies a ledger exposure delta (ledger.exposureDelta): reserved += Δreserved, settled += Δsettled.
 * Condition: reserved + Δreserved >= 0, i.e. reserved >= max(0, −Δreserved). Used for every movement that
 * follows from processor events; only the real-time reservation uses `reserve` and its available condition.
 */
export const applyExposureDelta = (line: BudgetLine, delta: { reserved: Money; settled: Money }): BudgetResult => {
  if (!sameCurrency(line, [delta.reserved, delta.settled])) {
    return refuse(line, 'currency-mismatch', `budget is in ${line.limit.currency}`);
  }
  if (line.reserved.minor + delta.reserved.minor < 0n) {
    return refuse(line, 'over-release', 'cannot release more than is reserved');
  }
  return {
    ok: true,
    line: {
      ...line,
      reserved: money(line.reserved.minor + delta.reserved.minor, line.limit.currency),
      settled: money(line.settled.minor + delta.settled.minor, line.limit.currency),
    },
  };
};

/** Finance changes the limit. Condition: the limit is still the one finance saw (optimistic lock). */
export const changeLimit = (line: BudgetLine, expectedLimit: Money, limit: Money): BudgetResult => {
  if (!sameCurrency(line, [expectedLimit, limit])) {
    return refuse(line, 'currency-mismatch', `budget is in ${line.limit.currency}`);
  }
  if (line.limit.minor !== expectedLimit.minor) return refuse(line, 'invalid-amount', 'the limit changed meanwhile');
  if (limit.minor < 0n) return refuse(line, 'invalid-amount', 'a limit cannot be negative');
  return { ok: true, line: { ...line, limit } };
};

/**
 * The DynamoDB UpdateItem each function above becomes. Attributes hold minor units as Numbers (exact up to 38
 * digits); `available` is stored alongside and maintained by every update. Names go through placeholders
 * (`limit` is a reserved word). Values the adapter computes: :availableDelta = :released − :amount for settle,
 * :usedDelta = Δreserved + Δsettled and :floor = max(0, −Δreserved) for deltas, :limitDelta = :limit − :expected.
 * A line is created lazily first with a Put conditioned on attribute_not_exists(pk) (limit, 0, 0, available = limit).
 * To apply each movement exactly once, put an operation record (conditioned on attribute_not_exists) in the same
 * TransactWriteItems as the line update(s); a retried movement then fails on the record, not on the budget.
 */
export const BUDGET_UPDATES = {
  names: { '#limit': 'limit', '#reserved': 'reserved', '#settled': 'settled', '#available': 'available' },
  reserve: {
    update: 'SET #reserved = #reserved + :amount, #available = #available - :amount',
    condition: '#available >= :amount',
  },
  release: {
    update: 'SET #reserved = #reserved - :amount, #available = #available + :amount',
    condition: '#reserved >= :amount',
  },
  settle: {
    update:
      'SET #reserved = #reserved - :released, #settled = #settled + :amount, #available = #available + :availableDelta',
    condition: '#reserved >= :released',
  },
  applyExposureDelta: {
    update:
      'SET #reserved = #reserved + :reservedDelta, #settled = #settled + :settledDelta, #available = #available - :usedDelta',
    condition: '#reserved >= :floor',
  },
  changeLimit: {
    update: 'SET #limit = :limit, #available = #available + :limitDelta',
    condition: '#limit = :expected',
  },
  create: { condition: 'attribute_not_exists(pk)' },
} as const;
