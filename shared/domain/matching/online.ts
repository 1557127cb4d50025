import type { DomainEvent, EventPublisher } from '../../ports/event-publisher.ts';
import type { MatchStore, OnlineReceipt, OnlineTransaction, Suggestion } from '../../ports/match-store.ts';
import { moneyToJson } from '../money.ts';
import { mayRelate, type OnlinePlan, planOnline, planRefund } from './online-plan.ts';
import { scorePair } from './score.ts';
import { defaultMatchOptions, type MatchGroup, type MatchOptions, type MatchShape } from './types.ts';

export interface OnlineMatchDeps {
  store: MatchStore;
  events: EventPublisher;
  now: () => Date;
  options?: Partial<MatchOptions>;
}

const DAY = 86_400_000;
/** Where candidates are looked for around a receipt's date (hotel stays before, split shipments after). */
const BEFORE_DAYS = 31;
const AFTER_DAYS = 22;
/** Receipts are indexed by reception time: a receipt for a charge at T is received in [T − 29 d, T + 91 d]. */
const RECEIVED_BEFORE_DAYS = AFTER_DAYS + 7;
const RECEIVED_AFTER_DAYS = BEFORE_DAYS + 60;
/** A decision whose write lost a race (an item was linked meanwhile) is re-planned on fresh reads, once. */
const ATTEMPTS = 2;

const shift = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();
const noon = (date: string) => `${date}T12:00:00.000Z`;

export type OnlineMatchResult =
  | { linked: string; shape: MatchShape; receiptIds: string[]; transactionIds: string[] }
  | { suggested: number }
  | { refundOf: string }
  | { skipped: string };

const toSuggestion = (g: MatchGroup): Suggestion => ({
  transactionId: g.transactionIds[0] as string,
  score: g.score,
  reasons: g.reasons,
  ...(g.transactionIds.length > 1 ? { transactionIds: [...g.transactionIds] } : {}),
  ...(g.receiptIds.length > 1 ? { receiptIds: [...g.receiptIds] } : {}),
});

/** The id of an authorization's receipt slot (an approved authorization not captured yet). */
export const authorizationSlotId = (processor: string, authorizationId: string) =>
  `${processor}:auth:${authorizationId}`;

/** One ReceiptMatched per receipt ↔ transaction pair of a decision (automatic or a person's), carrying the whole
 * decision when it is a sum. */
export const matchedEvents = (
  companyId: string,
  g: Pick<MatchGroup, 'shape' | 'receiptIds' | 'transactionIds' | 'score' | 'reasons'>,
  by: string,
  at: string,
  employeeOf: (receiptId: string) => string | null,
): DomainEvent[] => {
  const sum = g.shape !== 'one-to-one';
  return g.receiptIds.flatMap((receiptId) =>
    g.transactionIds.map(
      (transactionId): DomainEvent => ({
        name: 'ReceiptMatched',
        detail: {
          companyId,
          receiptId,
          transactionId,
          employeeId: employeeOf(receiptId),
          score: g.score,
          reasons: [...g.reasons],
          by,
          matchedAt: at,
          ...(sum
            ? {
                group: {
                  shape: g.shape as 'receipt-to-many' | 'many-to-transaction',
                  receiptIds: [...g.receiptIds],
                  transactionIds: [...g.transactionIds],
                },
              }
            : {}),
        },
      }),
    ),
  );
};

/**
 * Applies an auto decision: one conditional transaction over all its items (never double-linked, never over a
 * person's link: linked items are not even read as candidates, and the conditions re-check it), then one
 * ReceiptMatched per receipt ↔ transaction pair, carrying the whole decision when it is a sum.
 */
const apply = async (
  deps: OnlineMatchDeps,
  companyId: string,
  g: MatchGroup,
  receipts: ReadonlyMap<string, OnlineReceipt>,
  transactions: ReadonlyMap<string, OnlineTransaction>,
): Promise<boolean> => {
  const at = deps.now().toISOString();
  const txs = g.transactionIds.map((id) => transactions.get(id)).filter((t): t is OnlineTransaction => !!t);
  if (txs.length !== g.transactionIds.length) return false;
  // An authorization slot takes one receipt at most, never part of a sum (its capture may still differ).
  const slot = txs.some((t) => t.pending);
  if (slot && g.shape !== 'one-to-one') return false;
  const ok = await deps.store.linkGroup(companyId, {
    shape: g.shape,
    receiptIds: g.receiptIds,
    transactions: txs,
    score: g.score,
    reasons: g.reasons,
    by: 'auto',
    at,
  });
  if (!ok) return false;
  // Nothing moved yet: the receipt waits in the slot and is announced when it follows the capture.
  if (slot) return true;
  const events = matchedEvents(
    companyId,
    g,
    'auto',
    at,
    (id) => receipts.get(id)?.employeeId ?? txs[0]?.employeeId ?? null,
  );
  await deps.events.publish(events);
  return true;
};

const suggest = async (deps: OnlineMatchDeps, receipt: OnlineReceipt, ranked: readonly MatchGroup[]) => {
  const suggestions = ranked.map(toSuggestion);
  await deps.store.suggest(receipt.companyId, receipt.id, suggestions);
  if (suggestions.length === 0) return;
  await deps.events.publish([
    {
      name: 'MatchSuggested',
      detail: {
        companyId: receipt.companyId,
        receiptId: receipt.id,
        employeeId: receipt.employeeId,
        suggestions: suggestions.map((s) => ({
          transactionId: s.transactionId,
          score: s.score,
          reasons: [...s.reasons],
          ...(s.transactionIds ? { transactionIds: [...s.transactionIds] } : {}),
          ...(s.receiptIds ? { receiptIds: [...s.receiptIds] } : {}),
        })),
        suggestedAt: deps.now().toISOString(),
      },
    },
  ]);
};

const linkedResult = (g: MatchGroup, id: string): OnlineMatchResult => ({
  linked: id,
  shape: g.shape,
  receiptIds: [...g.receiptIds],
  transactionIds: [...g.transactionIds],
});

/**
 * A slot and its own capture are one payment: once the capture is recorded (its handler may not have retired the
 * slot yet), the slot is no candidate of its own, or a receipt would see two equal rivals and decide nothing.
 */
const withoutCapturedSlots = <T extends OnlineTransaction>(txs: readonly T[]): T[] => {
  const captured = new Set(txs.flatMap((t) => (!t.pending && t.authorizationId ? [t.authorizationId] : [])));
  return captured.size === 0 ? [...txs] : txs.filter((t) => !(t.pending && captured.has(t.id)));
};

const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((x) => [x.id, x]));

/** Writes the plan's suggestions (and says how many receipts got some). */
const writeSuggestions = async (
  deps: OnlineMatchDeps,
  plan: OnlinePlan,
  receipts: ReadonlyMap<string, OnlineReceipt>,
) => {
  let n = 0;
  for (const [rid, ranked] of plan.suggestions) {
    const r = receipts.get(rid);
    if (!r) continue;
    await suggest(deps, r, ranked);
    n += ranked.length;
  }
  return n;
};

/**
 * A receipt was read: its neighbourhood is the employee's unlinked transactions around its date (one index query,
 * no scan) and the unlinked receipts that may compete for them or sum with it (a second query, in parallel). The
 * batch scoring, sum shapes and assignment decide; an auto decision is linked, otherwise the receipt gets ranked
 * suggestions. A pair a person refused is never proposed again; a linked item is never touched.
 */
export const matchReceipt = async (
  deps: OnlineMatchDeps,
  input: {
    companyId: string;
    receiptId: string;
    /** What the event said (employee, printed date): the index reads start with the receipt's own read. */
    hint?: { employeeId: string | null; date: string | null };
  },
): Promise<OnlineMatchResult> => {
  const o = { ...defaultMatchOptions, ...deps.options };
  const around = (employeeId: string, date: string) => {
    const day = noon(date);
    return Promise.all([
      deps.store.transactionsNear(input.companyId, employeeId, shift(day, -BEFORE_DAYS), shift(day, AFTER_DAYS)),
      deps.store.receiptsNear(
        input.companyId,
        employeeId,
        shift(day, -BEFORE_DAYS - RECEIVED_BEFORE_DAYS),
        shift(day, AFTER_DAYS + RECEIVED_AFTER_DAYS),
      ),
    ]);
  };
  for (let attempt = 1; ; attempt++) {
    const guess = attempt === 1 && input.hint?.employeeId && input.hint.date ? input.hint : null;
    const [receipt, early] = await Promise.all([
      deps.store.receipt(input.companyId, input.receiptId),
      guess?.employeeId && guess.date ? around(guess.employeeId, guess.date) : null,
    ]);
    if (!receipt) return { skipped: 'receipt not found or not extracted' };
    if (receipt.link) return { skipped: 'already linked' };
    if (!receipt.employeeId) {
      await suggest(deps, receipt, []);
      return { suggested: 0 };
    }
    // The stored receipt decides: the reads started from the event are used only if they asked the same question.
    const [near, rivals] =
      early && guess?.employeeId === receipt.employeeId && guess.date === receipt.date
        ? early
        : await around(receipt.employeeId, receipt.date);
    const txs = withoutCapturedSlots(near);
    const receipts = byId([receipt, ...rivals.filter((r) => r.id !== receipt.id)]);
    const plan = planOnline([...receipts.values()], txs, { receiptId: receipt.id }, o);
    if (plan.decision?.auto) {
      if (await apply(deps, receipt.companyId, plan.decision, receipts, byId(txs))) {
        return linkedResult(plan.decision, plan.decision.transactionIds[0] as string);
      }
      if (attempt < ATTEMPTS) continue;
    }
    await suggest(deps, receipt, plan.suggestions.get(receipt.id) ?? []);
    return { suggested: plan.suggestions.get(receipt.id)?.length ?? 0 };
  }
};

/**
 * A card transaction was posted: record it (its receipt is now missing), then decide on its neighbourhood: the
 * employee's unlinked receipts received around it that may pair or sum with it, and the unlinked transactions in
 * those receipts' windows (so a receipt's other candidates compete, and the other parts of a split are there).
 * Both arrival orders run the same plan on the same data, so they end in the same link. A refund that no
 * credit-note receipt takes is linked to the purchase it reverses.
 */
export const matchTransaction = async (deps: OnlineMatchDeps, tx: OnlineTransaction): Promise<OnlineMatchResult> => {
  const result = await matchPosted(deps, tx);
  // A purchase may be what a refund delivered earlier was waiting for.
  if (tx.amount.minor > 0n && !tx.pending) await settleWaitingRefunds(deps, tx);
  return result;
};

const matchPosted = async (deps: OnlineMatchDeps, tx: OnlineTransaction): Promise<OnlineMatchResult> => {
  const o = { ...defaultMatchOptions, ...deps.options };
  const recorded = await deps.store.recordTransaction(tx);
  // A slot recorded before (a redelivery) or whose capture came first (a tombstone): only a live one is matched.
  if (tx.pending && !recorded && (await deps.store.transaction(tx.companyId, tx.id))?.capturedBy) {
    return { skipped: 'authorization already captured' };
  }
  if (!tx.pending && tx.authorizationId) {
    // The capture of an authorization: its slot retires, and a receipt that took the slot follows to the capture.
    const at = deps.now().toISOString();
    // The moved link explains the receipt against the capture (a tip, a hotel's final amount), when it still scores:
    // asked for the receipt the store finds in the slot (one may take it while the capture is handled).
    const explain = async (receiptId: string) => {
      const waiting = await deps.store.receipt(tx.companyId, receiptId);
      const pair = waiting ? scorePair(waiting, tx, o) : null;
      return pair && !pair.rejected ? { score: pair.score, reasons: pair.reasons } : null;
    };
    const followed = await deps.store.followAuthorization(tx.companyId, tx.authorizationId, tx, at, explain);
    const receiptId = followed ? (await deps.store.transaction(tx.companyId, tx.id))?.receiptId : null;
    if (followed && receiptId) {
      const g = {
        shape: 'one-to-one' as const,
        receiptIds: [receiptId],
        transactionIds: [tx.id],
        score: followed.score,
        reasons: followed.reasons,
      };
      await deps.events.publish(matchedEvents(tx.companyId, g, followed.by, at, () => tx.employeeId));
      return { linked: receiptId, shape: 'one-to-one', receiptIds: [receiptId], transactionIds: [tx.id] };
    }
  }
  for (let attempt = 1; ; attempt++) {
    const nearby = await deps.store.receiptsNear(
      tx.companyId,
      tx.employeeId,
      shift(tx.authorizedAt, -RECEIVED_BEFORE_DAYS),
      shift(tx.authorizedAt, RECEIVED_AFTER_DAYS),
    );
    const relevant = nearby.filter((r) => mayRelate(r, tx, o));
    if (relevant.length === 0) break;
    const days = relevant.map((r) => Date.parse(noon(r.date)));
    const from = new Date(Math.min(...days) - BEFORE_DAYS * DAY).toISOString();
    const to = new Date(Math.max(...days) + AFTER_DAYS * DAY).toISOString();
    const found = await deps.store.transactionsNear(tx.companyId, tx.employeeId, from, to);
    // The index may lag the write just made: the transaction itself is always part of its neighbourhood.
    const txs = withoutCapturedSlots(found.some((t) => t.id === tx.id) ? found : [tx, ...found]);
    if (!txs.some((t) => t.id === tx.id)) return { skipped: 'authorization already captured' };
    const receipts = byId(relevant);
    const plan = planOnline(relevant, txs, { transactionId: tx.id }, o);
    if (plan.decision?.auto) {
      if (await apply(deps, tx.companyId, plan.decision, receipts, byId(txs))) {
        return linkedResult(plan.decision, plan.decision.receiptIds[0] as string);
      }
      if (attempt < ATTEMPTS) continue;
    }
    const n = await writeSuggestions(deps, plan, receipts);
    if (tx.amount.minor < 0n) {
      const refund = await linkToPurchase(deps, tx, o);
      if ('refundOf' in refund) return refund;
    }
    return { suggested: n };
  }
  if (tx.amount.minor < 0n) return linkToPurchase(deps, tx, o);
  return { suggested: 0 };
};

/**
 * An authorization ended without a capture (reversed, expired): no money moved, so its slot closes and a receipt
 * that had taken it is matched again from scratch (another charge may be the one it belongs to). Nothing had been
 * announced for a slot link, so nothing is retracted.
 */
export const endAuthorization = async (
  deps: OnlineMatchDeps,
  input: { companyId: string; slotId: string; employeeId: string; status: string; at: string },
): Promise<OnlineMatchResult | { released: null }> => {
  const receiptId = await deps.store.endSlot(input.companyId, input.slotId, {
    status: input.status,
    at: input.at,
    employeeId: input.employeeId,
  });
  if (!receiptId) return { released: null };
  return matchReceipt(deps, { companyId: input.companyId, receiptId });
};

/**
 * A refund without a receipt of its own → its purchase (same employee and currency, similar merchant, earlier,
 * within the refund window, partial refunds never exceeding it), through the batch `linkRefunds` rules. The
 * purchase's receipt is the refund's evidence. Only a confident link is written (score and margin as the batch).
 */
const linkToPurchase = async (
  deps: OnlineMatchDeps,
  refund: OnlineTransaction,
  o: MatchOptions,
): Promise<OnlineMatchResult> => {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const stored = await deps.store.transaction(refund.companyId, refund.id);
    if (stored?.refundOf) return { skipped: `refund already linked to ${stored.refundOf.transactionId}` };
    const purchases = (
      await deps.store.transactionsOf(
        refund.companyId,
        refund.employeeId,
        shift(refund.authorizedAt, -o.refundWindowDays - 1),
        refund.authorizedAt,
      )
    ).filter((p) => p.amount.minor > 0n);
    const plan = planRefund(
      refund,
      purchases.map((p) => ({ transaction: p, refundedMinor: p.refundedMinor ?? 0n })),
      o,
    );
    if (!plan) {
      // Its purchase may not be recorded yet (events are not ordered): the purchase will look for it.
      await deps.store.noteWaitingRefund(refund);
      return { skipped: 'refund: no purchase it may reverse (yet)' };
    }
    if (!plan.auto) return { skipped: `refund: purchase ${plan.purchaseTransactionId} not certain (${plan.score})` };
    const purchase = purchases.find((p) => p.id === plan.purchaseTransactionId) as OnlineTransaction;
    const link = {
      transactionId: purchase.id,
      score: plan.score,
      reasons: plan.reasons,
      by: 'auto',
      at: deps.now().toISOString(),
    };
    if (await deps.store.linkRefund(refund.companyId, refund, purchase, link)) {
      await deps.events.publish([
        {
          name: 'RefundMatched',
          detail: {
            companyId: refund.companyId,
            employeeId: refund.employeeId,
            refundTransactionId: refund.id,
            purchaseTransactionId: purchase.id,
            amount: moneyToJson(refund.amount),
            score: link.score,
            reasons: [...link.reasons],
            by: link.by,
            matchedAt: link.at,
          },
        },
      ]);
      return { refundOf: purchase.id };
    }
  }
  return { skipped: 'refund: its purchase changed meanwhile' };
};

/**
 * Refunds of the employee that came before their purchase: each is tried again now that this purchase is recorded
 * (same rules as on arrival; a refund older than the purchase is not its refund).
 */
const settleWaitingRefunds = async (deps: OnlineMatchDeps, purchase: OnlineTransaction) => {
  const o = { ...defaultMatchOptions, ...deps.options };
  const waiting = await deps.store.waitingRefunds(purchase.companyId, purchase.employeeId);
  for (const refund of waiting.sort((a, b) => a.authorizedAt.localeCompare(b.authorizedAt))) {
    if (refund.refundOf || refund.authorizedAt < purchase.authorizedAt) continue;
    await linkToPurchase(deps, refund, o);
  }
};
