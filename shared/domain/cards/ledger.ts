import { type Money, money } from '../money.ts';
import type { Authorization, CardEvent, CardTransaction, Processor } from './model.ts';

/**
 * The ledger of card authorizations and transactions, as a reducer whose result does not depend on the order in
 * which events arrive, nor on how often: every stored fact is the maximum of its versions under a total order, and
 * events already applied are skipped (a join-semilattice). So a capture that arrives before its authorization, a
 * retried delivery, or a shuffled replay all end in the same state, and a transaction id is posted once.
 *
 * Partitioning is the adapter's choice; `ledgerKeyOf` gives the natural one (an authorization and its
 * transactions), which keeps each item small and makes every event touch exactly one partition.
 */
export interface AuthorizationVersion {
  authorization: Authorization;
  /** 0 while pending, 1 once final (closed, reversed, expired, declined): a final snapshot always wins. */
  rank: 0 | 1;
  at: string;
  eventId: string;
}

export interface TransactionVersion {
  transaction: CardTransaction;
  at: string;
  eventId: string;
}

/** The real-time answer given to a request, kept so the amount stays reserved until the processor confirms it. */
export interface DecisionRecord {
  processor: Processor;
  authorizationId: string;
  approved: boolean;
  /** Approved amount, card currency (positive for a debit). */
  amount: Money;
  decidedAt: string;
  eventId: string;
}

export interface CardLedgerState {
  /** Ids of the events applied ("<processor>:<event id>"). */
  eventIds: Readonly<Record<string, true>>;
  /** By "<processor>:<authorization id>". */
  authorizations: Readonly<Record<string, AuthorizationVersion>>;
  /** By "<processor>:<transaction id>". */
  transactions: Readonly<Record<string, TransactionVersion>>;
  /** By "<processor>:<authorization id>". */
  decisions: Readonly<Record<string, DecisionRecord>>;
}

export const emptyLedger = (): CardLedgerState => ({
  eventIds: {},
  authorizations: {},
  transactions: {},
  decisions: {},
});

export const refKey = (processor: Processor, id: string): string => `${processor}:${id}`;

/** The partition an event belongs to: its authorization, or a lone transaction; null for non-ledger events. */
export const ledgerKeyOf = (event: CardEvent): string | null => {
  const b = event.body;
  switch (b.kind) {
    case 'authorization-request':
      return refKey(event.processor, b.request.authorizationId);
    case 'authorization':
      return refKey(event.processor, b.authorization.id);
    case 'transaction':
      return refKey(event.processor, b.transaction.authorizationId ?? b.transaction.id);
    default:
      return null;
  }
};

const compareVersions = (a: { at: string; eventId: string }, b: { at: string; eventId: string }): number =>
  a.at === b.at ? (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) : a.at < b.at ? -1 : 1;

const authRank = (a: Authorization): 0 | 1 => (a.status === 'pending' ? 0 : 1);

const newerAuthorization = (current: AuthorizationVersion | undefined, next: AuthorizationVersion): boolean =>
  !current || next.rank > current.rank || (next.rank === current.rank && compareVersions(next, current) > 0);

export interface LedgerChange {
  state: CardLedgerState;
  /** False when the event had been applied before (a duplicate delivery): nothing to do. */
  applied: boolean;
  /** Transactions seen for the first time: each gets its CardTransactionPosted exactly once. */
  posted: CardTransaction[];
  /** Transactions seen before whose content changed (e.g. issuing_transaction.updated). */
  revised: CardTransaction[];
}

/**
 * Applies one event. Pure: returns a new state. Non-ledger events (card, cardholder, ignored, requests) only
 * mark their id as applied.
 */
export const applyCardEvent = (state: CardLedgerState, event: CardEvent): LedgerChange => {
  const id = refKey(event.processor, event.eventId);
  if (state.eventIds[id]) return { state, applied: false, posted: [], revised: [] };
  const authorizations = { ...state.authorizations };
  const transactions = { ...state.transactions };
  const posted: CardTransaction[] = [];
  const revised: CardTransaction[] = [];

  const mergeTransaction = (transaction: CardTransaction) => {
    const key = refKey(transaction.processor, transaction.id);
    const next: TransactionVersion = { transaction, at: event.occurredAt, eventId: event.eventId };
    const current = transactions[key];
    if (!current) posted.push(transaction);
    else if (compareVersions(next, current) <= 0) return;
    else if (JSON.stringify(current.transaction, bigintJson) !== JSON.stringify(transaction, bigintJson)) {
      revised.push(transaction);
    }
    transactions[key] = next;
  };

  const b = event.body;
  if (b.kind === 'authorization') {
    const key = refKey(b.authorization.processor, b.authorization.id);
    const next: AuthorizationVersion = {
      authorization: b.authorization,
      rank: authRank(b.authorization),
      at: b.authorization.updatedAt,
      eventId: event.eventId,
    };
    if (newerAuthorization(authorizations[key], next)) authorizations[key] = next;
    for (const t of b.transactions) mergeTransaction(t);
  } else if (b.kind === 'transaction') {
    mergeTransaction(b.transaction);
  }
  return {
    state: { ...state, eventIds: { ...state.eventIds, [id]: true }, authorizations, transactions },
    applied: true,
    posted,
    revised,
  };
};

/**
 * Records the real-time decision on a request. If a request is somehow decided twice (a retried request after a
 * timeout), the earliest decision is kept: it is the one the processor acted on.
 */
export const recordDecision = (state: CardLedgerState, decision: DecisionRecord): CardLedgerState => {
  const key = refKey(decision.processor, decision.authorizationId);
  const current = state.decisions[key];
  const earlier =
    !current ||
    (decision.decidedAt === current.decidedAt
      ? decision.eventId < current.eventId
      : decision.decidedAt < current.decidedAt);
  return earlier ? { ...state, decisions: { ...state.decisions, [key]: decision } } : state;
};

/** Applies events in order; the result is the same for any order (see the property tests). */
export const reduceCardEvents = (events: Iterable<CardEvent>, initial: CardLedgerState = emptyLedger()) => {
  let state = initial;
  for (const event of events) state = applyCardEvent(state, event).state;
  return state;
};

const bigintJson = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * What one authorization (or lone transaction) weighs on a budget: `reserved` is what is still held for it,
 * `settled` what has been captured net of refunds. Both in the card currency.
 */
export interface Exposure {
  reserved: Money;
  settled: Money;
}

/**
 * The exposure of every partition, derived from the state alone (so it converges with the state):
 * - settled = the sum of the partition's transactions (captures positive, refunds negative);
 * - reserved = while the authorization is pending, what the processor still holds minus the captures it did not
 *   yet count; once it is final (closed, reversed, expired, declined), nothing: a partial capture releases the rest,
 *   an over-capture (tip) settles more than was reserved;
 * - before the processor confirms an authorization, an approved decision holds its amount.
 */
export const exposures = (state: CardLedgerState): Record<string, Exposure> => {
  const out: Record<string, Exposure> = {};
  const groups = new Map<string, CardTransaction[]>();
  for (const { transaction: t } of Object.values(state.transactions)) {
    const key = refKey(t.processor, t.authorizationId ?? t.id);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const keys = new Set([...groups.keys(), ...Object.keys(state.authorizations), ...Object.keys(state.decisions)]);
  for (const key of keys) {
    const txs = groups.get(key) ?? [];
    const auth = state.authorizations[key]?.authorization;
    const decision = state.decisions[key];
    const currency = auth?.amount.currency ?? txs[0]?.amount.currency ?? decision?.amount.currency ?? 'XXX';
    const settled = txs.reduce((s, t) => s + t.amount.minor, 0n);
    let reserved = 0n;
    if (auth) {
      const reflected = new Set(auth.transactionIds);
      const unreflected = txs
        .filter((t) => t.kind === 'capture' && !reflected.has(t.id))
        .reduce((s, t) => s + t.amount.minor, 0n);
      if (auth.status === 'pending') reserved = auth.pendingAmount.minor - unreflected;
    } else if (decision?.approved) {
      const captured = txs.filter((t) => t.kind === 'capture').reduce((s, t) => s + t.amount.minor, 0n);
      reserved = decision.amount.minor - captured;
    }
    out[key] = { reserved: money(reserved > 0n ? reserved : 0n, currency), settled: money(settled, currency) };
  }
  return out;
};

export interface ExposureDelta {
  key: string;
  /** Add to the budget line's `reserved` (negative = release). */
  reserved: Money;
  /** Add to the budget line's `settled` (negative = refund). */
  settled: Money;
}

/**
 * The budget movements an apply caused: after − before per partition, non-zero only. Summed over any sequence of
 * applies they telescope to the final exposure, so budgets converge with the ledger whatever the order.
 */
export const exposureDelta = (before: CardLedgerState, after: CardLedgerState): ExposureDelta[] => {
  const a = exposures(before);
  const b = exposures(after);
  const out: ExposureDelta[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    const currency = y?.settled.currency ?? x?.settled.currency ?? 'XXX';
    const reserved = (y?.reserved.minor ?? 0n) - (x?.reserved.minor ?? 0n);
    const settled = (y?.settled.minor ?? 0n) - (x?.settled.minor ?? 0n);
    if (reserved !== 0n || settled !== 0n) {
      out.push({ key, reserved: money(reserved, currency), settled: money(settled, currency) });
    }
  }
  return out.sort((p, q) => (p.key < q.key ? -1 : 1));
};
