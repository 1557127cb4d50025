import { assign, compareOptions } from './assign.ts';
import { TransactionIndex } from './candidate-index.ts';
import { manyToTransactionOptions, receiptToManyOptions } from './groups.ts';
import { linkRefunds, type RefundLink, refundCandidatesOf } from './refunds.ts';
import {
  type PreparedReceipt,
  type PreparedTransaction,
  prepareReceipt,
  prepareTransaction,
  type SimilarityMemo,
  scorePrepared,
  similarityOf,
} from './score.ts';
import type { MatchGroup, MatchOptions, MatchReceipt, MatchTransaction } from './types.ts';

/**
 * Online matching decides on a neighbourhood: the unlinked receipts and transactions of one employee around the
 * item that just arrived (the focus), read from the DynamoDB indexes. The options are built by the batch code
 * (`scorePrepared`, `receiptToManyOptions`, `manyToTransactionOptions`) and chosen by the batch `assign`, so a
 * split shipment, a hotel deposit + final or two receipts paid in one charge are decided online exactly as the
 * batch would decide them on the same data. Pure: the caller reads and writes.
 */

/** A receipt with the pairs a person refused (unlinked): no option containing such a pair is ever proposed. */
export interface PlanReceipt extends MatchReceipt {
  readonly refusedTransactionIds: readonly string[];
}

export type PlanFocus = { readonly receiptId: string } | { readonly transactionId: string };

export interface OnlinePlan {
  /** What the assignment chose for the focus (null: nothing plausible). Only an `auto` decision is applied. */
  readonly decision: MatchGroup | null;
  /** Ranked options (best first, at most `suggestionsPerReceipt`) for each receipt the focus concerns. */
  readonly suggestions: ReadonlyMap<string, readonly MatchGroup[]>;
  readonly stats: { readonly receipts: number; readonly transactions: number; readonly options: number };
}

const pairKey = (r: string, t: string): string => `${r}\u0000${t}`;
const touches = (g: MatchGroup, focus: PlanFocus): boolean =>
  'receiptId' in focus ? g.receiptIds.includes(focus.receiptId) : g.transactionIds.includes(focus.transactionId);
const groupKey = (g: MatchGroup): string => `${g.receiptIds.join(',')}|${g.transactionIds.join(',')}`;

/** Receipts concerned by a new transaction beyond the one chosen with it: their suggestions change. */
const CONCERNED_RECEIPTS = 3;

/**
 * Every option of the neighbourhood (pairs and sums with score ≥ minSuggestionScore, refused pairs excluded),
 * the batch assignment over them, and the focus's decision and suggestions.
 */
export const planOnline = (
  receipts: readonly PlanReceipt[],
  transactions: readonly MatchTransaction[],
  focus: PlanFocus,
  options: MatchOptions,
): OnlinePlan => {
  const memo: SimilarityMemo = new Map();
  const refused = new Set<string>();
  for (const r of receipts) for (const t of r.refusedTransactionIds) refused.add(pairKey(r.id, t));
  const allowed = (g: MatchGroup): boolean =>
    g.score >= options.minSuggestionScore &&
    g.receiptIds.every((r) => g.transactionIds.every((t) => !refused.has(pairKey(r, t))));

  const prs = dedupe(receipts, (r) => r.id).map(prepareReceipt);
  const pts = dedupe(transactions, (t) => t.id).map(prepareTransaction);
  const all: MatchGroup[] = [];
  for (const pr of prs) {
    const rid = pr.receipt.id;
    const open = pts.filter((pt) => !refused.has(pairKey(rid, pt.transaction.id)));
    for (const pt of open) {
      const s = scorePrepared(pr, pt, options, memo);
      if (s.rejected !== null || s.score < options.minSuggestionScore) continue;
      all.push({
        shape: 'one-to-one',
        receiptIds: [rid],
        transactionIds: [pt.transaction.id],
        score: s.score,
        reasons: s.reasons,
        auto: false,
      });
    }
    for (const g of receiptToManyOptions(pr, open, options, memo)) if (allowed(g)) all.push(g);
  }
  for (const pt of pts) {
    const tid = pt.transaction.id;
    const open = prs.filter((pr) => !refused.has(pairKey(pr.receipt.id, tid)));
    for (const g of manyToTransactionOptions(pt, open, options, memo)) if (allowed(g)) all.push(g);
  }

  const { chosen, autoReceipts, autoTransactions } = assign(all, options);
  const decision = chosen.find((g) => touches(g, focus)) ?? null;

  // Whose suggestions to (re)write: the focus receipt, or the receipts a new transaction concerns (the best few).
  let concerned: string[];
  if ('receiptId' in focus) concerned = [focus.receiptId];
  else {
    const best = new Map<string, number>();
    for (const g of all) {
      if (!touches(g, focus)) continue;
      for (const r of g.receiptIds) best.set(r, Math.max(best.get(r) ?? 0, g.score));
    }
    concerned = [...best.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, CONCERNED_RECEIPTS)
      .map(([r]) => r);
  }
  const chosenOf = new Map<string, MatchGroup>();
  for (const g of chosen) for (const r of g.receiptIds) chosenOf.set(r, g);
  const suggestions = new Map<string, MatchGroup[]>();
  for (const rid of concerned) {
    if (autoReceipts.has(rid)) continue;
    const mine = all.filter((g) => g.receiptIds.includes(rid)).sort(compareOptions);
    const own = chosenOf.get(rid);
    const ranked: MatchGroup[] = [];
    const seen = new Set<string>();
    for (const g of own ? [own, ...mine] : mine) {
      if (ranked.length >= options.suggestionsPerReceipt) break;
      const k = groupKey(g);
      if (seen.has(k)) continue;
      // An item another receipt's auto link takes is not offered here.
      if (g.transactionIds.some((t) => autoTransactions.has(t)) || g.receiptIds.some((r) => autoReceipts.has(r))) {
        continue;
      }
      seen.add(k);
      ranked.push({ ...g, auto: false });
    }
    suggestions.set(rid, ranked);
  }
  return { decision, suggestions, stats: { receipts: prs.length, transactions: pts.length, options: all.length } };
};

/**
 * Whether a receipt and a transaction could take part in one decision: a plausible pair, or a plausible part of a
 * sum (same sign, similar merchant). Used to choose which receipts' candidate windows to read for a transaction.
 */
export const mayRelate = (receipt: MatchReceipt, transaction: MatchTransaction, options: MatchOptions): boolean => {
  const pr = prepareReceipt(receipt);
  const pt = prepareTransaction(transaction);
  const s = scorePrepared(pr, pt, options);
  if (s.rejected === null && s.score >= options.minSuggestionScore) return true;
  if (s.rejected === 'different employee') return false;
  return sumMember(pr, pt);
};

const SUM_MERCHANT_SIM = 0.75;
const sumMember = (pr: PreparedReceipt, pt: PreparedTransaction): boolean => {
  const r = pr.receipt.total.minor;
  const t = pt.transaction.amount.minor;
  if (r === 0n || t === 0n) return false;
  if (r < 0n !== t < 0n) return false;
  return similarityOf(pr.merchant, pt.merchant) >= SUM_MERCHANT_SIM;
};

/** A purchase as refund linking needs it: how much of it earlier refunds already took back. */
export interface RefundablePurchase {
  readonly transaction: MatchTransaction;
  /** Minor units already refunded by refunds linked earlier (0 when none). */
  readonly refundedMinor: bigint;
}

/**
 * A refund (negative amount) without a receipt of its own → the purchase it reverses, with the batch
 * `linkRefunds` rules (same employee and currency, similar merchant, purchase before the refund within the
 * window); purchases whose earlier refunds leave less than this one are not candidates. `auto` like the batch:
 * score ≥ autoThreshold and a lead of autoMargin over the refund's other candidate purchases.
 */
export const planRefund = (
  refund: MatchTransaction,
  purchases: readonly RefundablePurchase[],
  options: MatchOptions,
): (RefundLink & { auto: boolean }) | null => {
  if (refund.amount.minor >= 0n) return null;
  const back = -refund.amount.minor;
  const open = purchases.filter(
    (p) => p.transaction.id !== refund.id && p.transaction.amount.minor - p.refundedMinor >= back,
  );
  const [link] = linkRefunds(
    [prepareTransaction(refund)],
    refundCandidatesOf(new TransactionIndex(open.map((p) => prepareTransaction(p.transaction)))),
    options,
  );
  if (!link) return null;
  return { ...link, auto: link.score >= options.autoThreshold && link.margin >= options.autoMargin };
};

const dedupe = <T>(items: readonly T[], id: (x: T) => string): T[] => {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const x of items) {
    const k = id(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
};
