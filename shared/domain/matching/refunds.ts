import { formatMoney } from '../money.ts';
import type { TransactionIndex } from './candidate-index.ts';
import { DAY_MS } from './dates.ts';
import { merchantReason, type PreparedTransaction, preparedSimilarity, type SimilarityMemo } from './score.ts';
import type { MatchOptions } from './types.ts';

/** A refund transaction linked to the purchase it reverses. */
export interface RefundLink {
  readonly refundTransactionId: string;
  readonly purchaseTransactionId: string;
  readonly score: number;
  /** True when the refund is the full purchase amount. */
  readonly full: boolean;
  readonly reasons: readonly string[];
  /** Lead over the refund's next-best purchase (1 when it has a single candidate). */
  readonly margin: number;
}

const MIN_REFUND_MERCHANT_SIM = 0.75;
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

interface RefundOption {
  readonly refund: PreparedTransaction;
  readonly purchase: PreparedTransaction;
  readonly score: number;
  readonly full: boolean;
  readonly reasons: string[];
}

/**
 * Where the purchases of a refund are looked up: its employee's charges authorized from `fromDay` to `toDay`. A
 * source may leave out charges that cannot be the purchase (a later one, a refund, another currency, a smaller
 * amount, another card): `linkRefunds` checks those rules itself.
 */
export interface RefundCandidates {
  purchasesFor(refund: PreparedTransaction, fromDay: number, toDay: number): Iterable<PreparedTransaction>;
}

/** The purchases of refunds from a TransactionIndex: the employee's charges in the window. */
export const refundCandidatesOf = (index: Pick<TransactionIndex, 'forEmployee'>): RefundCandidates => ({
  purchasesFor: (refund, fromDay, toDay) => index.forEmployee(refund.transaction.employeeId, fromDay, toDay),
});

/**
 * Links refunds (negative amounts) to their purchases: same employee, same currency, a similar merchant, the
 * purchase authorized before the refund within `refundWindowDays`, and refunds never exceeding the purchase
 * (partial refunds of one purchase add up to at most its amount). Greedy by score.
 */
export const linkRefunds = (
  refunds: readonly PreparedTransaction[],
  index: RefundCandidates,
  options: MatchOptions,
  memo?: SimilarityMemo,
): RefundLink[] => {
  const all: RefundOption[] = [];
  const perRefund = new Map<string, number[]>();
  for (const refund of refunds) {
    const rt = refund.transaction;
    if (rt.amount.minor >= 0n) continue;
    const back = -rt.amount.minor;
    for (const purchase of index.purchasesFor(refund, refund.authDay - options.refundWindowDays, refund.authDay)) {
      const pt = purchase.transaction;
      if (pt.amount.minor <= 0n || pt.amount.currency !== rt.amount.currency || pt.amount.minor < back) continue;
      if (purchase.authMs > refund.authMs) continue;
      if (rt.cardLast4 !== null && pt.cardLast4 !== null && rt.cardLast4 !== pt.cardLast4) continue;
      const sim = preparedSimilarity(refund, purchase, memo);
      if (sim < MIN_REFUND_MERCHANT_SIM) continue;
      const days = Math.floor((refund.authMs - purchase.authMs) / DAY_MS);
      const full = pt.amount.minor === back;
      const sameMerchantAmount =
        rt.merchantAmount !== null &&
        pt.merchantAmount !== null &&
        rt.merchantAmount.currency === pt.merchantAmount.currency &&
        -rt.merchantAmount.minor === pt.merchantAmount.minor;
      const score =
        0.45 * (full || sameMerchantAmount ? 1 : 0.7) +
        0.35 * sim +
        0.1 * (rt.cardLast4 !== null && rt.cardLast4 === pt.cardLast4 ? 1 : 0.5) +
        0.1 * (1 - days / options.refundWindowDays);
      const reasons = [
        full
          ? `refund of transaction ${pt.id} (full amount ${formatMoney(pt.amount)} ${pt.amount.currency})`
          : `partial refund of transaction ${pt.id} (${formatMoney(rt.amount)} of ${formatMoney(pt.amount)} ${pt.amount.currency})`,
        `refunded ${days} day${days === 1 ? '' : 's'} after the purchase`,
        merchantReason(pt.merchantName, rt.merchantName, sim),
      ];
      const l = perRefund.get(rt.id);
      if (l) l.push(score);
      else perRefund.set(rt.id, [score]);
      all.push({ refund, purchase, score: round4(score), full, reasons });
    }
  }
  all.sort(
    (a, b) =>
      b.score - a.score ||
      a.refund.transaction.id.localeCompare(b.refund.transaction.id) ||
      a.purchase.transaction.id.localeCompare(b.purchase.transaction.id),
  );
  const remaining = new Map<string, bigint>();
  const done = new Set<string>();
  const out: RefundLink[] = [];
  for (const o of all) {
    const rid = o.refund.transaction.id;
    const pid = o.purchase.transaction.id;
    if (done.has(rid)) continue;
    const cap = remaining.get(pid) ?? o.purchase.transaction.amount.minor;
    const back = -o.refund.transaction.amount.minor;
    if (back > cap) continue;
    remaining.set(pid, cap - back);
    done.add(rid);
    const scores = (perRefund.get(rid) ?? []).sort((a, b) => b - a);
    const margin = scores.length > 1 ? (scores[0] as number) - (scores[1] as number) : 1;
    out.push({
      refundTransactionId: rid,
      purchaseTransactionId: pid,
      score: o.score,
      full: o.full,
      reasons: o.reasons,
      margin,
    });
  }
  return out;
};
