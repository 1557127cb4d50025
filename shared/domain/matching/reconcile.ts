import { assignKeyed, OptionTable } from './assign.ts';
import { ReceiptIndex, TransactionIndex } from './candidate-index.ts';
import { epochMs } from './dates.ts';
import { manyToTransactionOptions, receiptToManyOptions } from './groups.ts';
import { linkRefunds, type RefundLink } from './refunds.ts';
import {
  dateEvidence,
  type PreparedReceipt,
  type PreparedTransaction,
  prepareReceiptWith,
  prepareTransactionWith,
  SimilarityCache,
  scorePrepared,
  scorePreparedValue,
} from './score.ts';
import {
  defaultMatchOptions,
  type MatchGroup,
  type MatchOptions,
  type MatchProposal,
  type MatchReceipt,
  type MatchTransaction,
} from './types.ts';

export interface ReconcileResult {
  /** One line per receipt ↔ transaction pair, grouped by receipt in input order, best first (empty with `emit`). */
  readonly proposals: MatchProposal[];
  /** The chosen decisions (a group may link several receipts or several transactions; empty with `emit`). */
  readonly chosen: MatchGroup[];
  /** Refund → purchase links (also reflected in `proposals` when the purchase has a receipt). */
  readonly refunds: RefundLink[];
  readonly stats: {
    readonly receipts: number;
    readonly transactions: number;
    /** Pairs actually scored (after the index lookup). */
    readonly pairsScored: number;
    readonly options: number;
    /** Lines proposed (also when they were emitted instead of collected). */
    readonly proposals: number;
  };
}

export interface ReconcileHooks {
  /** Called after each phase with its duration in milliseconds (for `quittance reconcile --timings`). */
  readonly timing?: (phase: string, ms: number) => void;
  /**
   * Receives the proposals one by one, in output order, instead of collecting them: a large batch then never
   * holds every explained line at once. With `emit`, the result's `proposals` and `chosen` are left empty.
   */
  readonly emit?: (proposal: MatchProposal) => void;
}

const SHAPE_ORDER: Readonly<Record<MatchGroup['shape'], number>> = {
  'one-to-one': 0,
  'receipt-to-many': 1,
  'many-to-transaction': 2,
  'refund-of-purchase': 3,
};

/** One-to-one options kept per receipt (the best ones; see `reconcile`). */
const MAX_PAIRS_PER_RECEIPT = 8;

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Prepared items that know their position (the assignment's integer keys). */
interface BatchReceipt extends PreparedReceipt {
  readonly index: number;
}
interface BatchTransaction extends PreparedTransaction {
  readonly index: number;
}

/**
 * Batch reconciliation: index → candidates → scores → sum shapes → global assignment → refunds → proposals.
 * Pure and deterministic for a given input. The same scoring the online matcher uses: one-to-one pairs are ranked
 * with `scorePreparedValue` (the score of `scorePrepared` without building reasons) and the printed pairs are
 * explained with `scorePrepared`.
 */
export const reconcile = (
  receipts: readonly MatchReceipt[],
  transactions: readonly MatchTransaction[],
  partial: Partial<MatchOptions> = {},
  hooks: ReconcileHooks = {},
): ReconcileResult => {
  let t0 = performance.now();
  const phase = (name: string): void => {
    const t1 = performance.now();
    hooks.timing?.(name, t1 - t0);
    t0 = t1;
  };
  const options: MatchOptions = { ...defaultMatchOptions, ...partial };
  const memo = new SimilarityCache();
  const prs: BatchReceipt[] = receipts.map((r, index) => ({
    ...prepareReceiptWith(r, memo.intern(r.vendor)),
    index,
  }));
  // Transactions are prepared in employee and time order (the prepared objects are allocated in that order): a receipt's
  // candidates are one employee's charges of a few weeks, so they sit next to each other in memory. Their keys
  // follow this order; ids still break every tie, so the decisions do not depend on it.
  phase('prepare receipts');
  const byOwner = transactions.map((t) => ({ t, ms: epochMs(t.authorizedAt) }));
  byOwner.sort((a, b) => compareIds(a.t.employeeId, b.t.employeeId) || a.ms - b.ms || compareIds(a.t.id, b.t.id));
  const pts: BatchTransaction[] = byOwner.map(({ t }, index) => ({
    ...prepareTransactionWith(t, memo.intern(t.merchantName)),
    index,
  }));
  const nR = prs.length;
  const nT = pts.length;
  phase('prepare transactions');
  const txIndex = new TransactionIndex(pts);
  const rIndex = new ReceiptIndex(prs);
  phase('index');

  // Keys for the assignment: receipt i is key i, transaction j is key nR + j.
  const table = new OptionTable((k) =>
    k < nR ? (prs[k] as BatchReceipt).receipt.id : (pts[k - nR] as BatchTransaction).transaction.id,
  );
  /** The MatchGroup of each sum option by option index (one-to-one pairs are explained when printed). */
  const groups = new Map<number, MatchGroup>();
  const addGroup = (g: MatchGroup, rs: readonly PreparedReceipt[], ts: readonly PreparedTransaction[]): void => {
    const rKey = new Map(rs.map((r) => [r.receipt.id, (r as BatchReceipt).index]));
    const tKey = new Map(ts.map((t) => [t.transaction.id, nR + (t as BatchTransaction).index]));
    const keys = [
      ...g.receiptIds.map((id) => rKey.get(id) as number),
      ...g.transactionIds.map((id) => tKey.get(id) as number),
    ];
    const i = table.pushGroup(g.score, SHAPE_ORDER[g.shape], keys, g.receiptIds.join(','), g.transactionIds.join(','));
    groups.set(i, g);
  };

  // One-to-one options kept per receipt, best first. A receipt of a large import without owner nor card can
  // match dozens of same-amount charges across the company: beyond the printed suggestions and a few
  // alternatives for the assignment, those options only slow the assignment down (and it stays quadratic
  // in the options sharing a key).
  const maxPairs = Math.max(MAX_PAIRS_PER_RECEIPT, 2 * options.suggestionsPerReceipt);
  let pairsScored = 0;
  for (let i = 0; i < nR; i++) {
    const pr = prs[i] as BatchReceipt;
    const candidates = txIndex.candidatesFor(pr, options);
    const pairs: { score: number; pt: BatchTransaction }[] = [];
    for (const pt of candidates) {
      pairsScored++;
      // scorePrepared rejects a pair whose date evidence is null; checking that first (integer arithmetic, no
      // reason built) spares the amount comparison for most of the 54-day candidate window.
      if (dateEvidence(pr.day, pt, options, 'single', false) === null) continue;
      const score = scorePreparedValue(pr, pt, options, memo);
      if (score === null || score < options.minSuggestionScore) continue;
      pairs.push({ score, pt: pt as BatchTransaction });
    }
    if (pairs.length > maxPairs) {
      pairs.sort((a, b) => b.score - a.score || compareIds(a.pt.transaction.id, b.pt.transaction.id));
      pairs.length = maxPairs;
    }
    for (const { score, pt } of pairs) table.pushPair(score, i, nR + pt.index);
    // Sums need a card or an owner to tie the parts together: for a receipt with neither, the candidates are
    // charges anyone made at that merchant, and an exact sum among them would be a coincidence.
    if (pr.receipt.employeeId === null && pr.receipt.cardLast4 === null) continue;
    for (const g of receiptToManyOptions(pr, candidates, options, memo)) {
      if (g.score >= options.minSuggestionScore) addGroup(g, [pr], candidates);
    }
  }
  phase('score receipts');
  for (const pt of pts) {
    const t = pt.transaction;
    const from = pt.authSpan[0] - options.daysBefore - 1;
    const to = pt.authSpan[1] + options.daysAfter + 1;
    const candidates = rIndex.forEmployee(t.employeeId, from, to, t.cardLast4);
    for (const g of manyToTransactionOptions(pt, candidates, options, memo)) {
      if (g.score >= options.minSuggestionScore) addGroup(g, candidates, [pt]);
    }
  }
  phase('sums of receipts');

  const assignment = assignKeyed(table, nR + nT, options);
  /** Per key: the index in `assignment.chosen` of the decision that takes it, or −1. */
  const decisionOf = new Int32Array(nR + nT).fill(-1);
  assignment.chosen.forEach((oi, d) => {
    for (const k of table.keysOf(oi)) decisionOf[k] = d;
  });
  phase('assign');

  const receiptIdsOf = (oi: number): readonly string[] =>
    groups.get(oi)?.receiptIds ?? [(prs[table.k0[oi] as number] as BatchReceipt).receipt.id];
  const transactionIdsOf = (oi: number): readonly string[] =>
    groups.get(oi)?.transactionIds ?? [(pts[(table.k1[oi] as number) - nR] as BatchTransaction).transaction.id];
  /** Reasons of option `oi`: a sum's own, or the explanation of a one-to-one pair (built here, on demand). */
  const reasonsOf = (oi: number): readonly string[] => {
    const g = groups.get(oi);
    if (g) return g.reasons;
    const pr = prs[table.k0[oi] as number] as BatchReceipt;
    const pt = pts[(table.k1[oi] as number) - nR] as BatchTransaction;
    return scorePrepared(pr, pt, options, memo).reasons;
  };
  const autoOf = (d: number): boolean => assignment.auto[d] as boolean;

  // Refunds not linked to a receipt of their own → their purchase, and through it the purchase's receipt(s).
  const openRefunds = pts.filter((t) => t.transaction.amount.minor < 0n && decisionOf[nR + t.index] === -1);
  const refunds = linkRefunds(openRefunds, txIndex, options, memo);
  const purchases = new Set(refunds.map((l) => l.purchaseTransactionId));
  const purchaseKey = new Map<string, number>();
  for (const pt of pts) if (purchases.has(pt.transaction.id)) purchaseKey.set(pt.transaction.id, nR + pt.index);
  const refundLines = new Map<string, MatchProposal[]>();
  for (const link of refunds) {
    const d = decisionOf[purchaseKey.get(link.purchaseTransactionId) as number] as number;
    if (d === -1) continue;
    const oi = assignment.chosen[d] as number;
    const auto = autoOf(d) && link.score >= options.autoThreshold && link.margin >= options.autoMargin;
    for (const receiptId of receiptIdsOf(oi)) {
      const line: MatchProposal = {
        receiptId,
        transactionId: link.refundTransactionId,
        score: link.score,
        auto,
        reasons: link.reasons,
      };
      const l = refundLines.get(receiptId);
      if (l) l.push(line);
      else refundLines.set(receiptId, [line]);
    }
  }
  phase('refunds');

  // Without a sink, every decision is explained once and kept (`chosen`), and its lines reuse the reasons.
  const keep = hooks.emit === undefined;
  const chosenGroups: (MatchGroup | undefined)[] = [];
  const decisionGroup = (d: number): MatchGroup => {
    const kept = chosenGroups[d];
    if (kept) return kept;
    const oi = assignment.chosen[d] as number;
    const g = groups.get(oi);
    const group: MatchGroup = g
      ? { ...g, auto: autoOf(d) }
      : {
          shape: 'one-to-one',
          receiptIds: receiptIdsOf(oi),
          transactionIds: transactionIdsOf(oi),
          score: table.score[oi] as number,
          reasons: reasonsOf(oi),
          auto: autoOf(d),
        };
    if (keep) chosenGroups[d] = group;
    return group;
  };
  const chosen = keep ? assignment.chosen.map((_, d) => decisionGroup(d)) : [];

  const proposals: MatchProposal[] = [];
  const emit = hooks.emit ?? ((p: MatchProposal) => proposals.push(p));
  const { autoKey, keyStart, byKey } = assignment;
  let emitted = 0;
  for (let i = 0; i < nR; i++) {
    const pr = prs[i] as BatchReceipt;
    const rid = pr.receipt.id;
    const d = decisionOf[i] as number;
    const g = d === -1 ? null : decisionGroup(d);
    const taken = new Set<string>();
    if (g) {
      for (const tid of g.transactionIds) {
        emit({ receiptId: rid, transactionId: tid, score: g.score, auto: g.auto, reasons: g.reasons });
        emitted++;
        taken.add(tid);
      }
    }
    for (const line of refundLines.get(rid) ?? []) {
      emit(line);
      emitted++;
      taken.add(line.transactionId);
    }
    if (autoKey[i] === 1) continue;
    // Ranked suggestions: this receipt's one-to-one options in decision order (score desc, then ids).
    let budget = options.suggestionsPerReceipt - (g ? 1 : 0);
    for (let p = keyStart[i] as number; budget > 0 && p < (keyStart[i + 1] as number); p++) {
      const o = byKey[p] as number;
      if (table.shape[o] !== 0) continue;
      const tk = table.k1[o] as number;
      const pt = pts[tk - nR] as BatchTransaction;
      const tid = pt.transaction.id;
      if (taken.has(tid) || autoKey[tk] === 1) continue;
      const reasons = scorePrepared(pr, pt, options, memo).reasons;
      emit({ receiptId: rid, transactionId: tid, score: table.score[o] as number, auto: false, reasons });
      emitted++;
      taken.add(tid);
      budget--;
    }
  }
  phase('proposals');

  return {
    proposals,
    chosen,
    refunds,
    stats: { receipts: nR, transactions: nT, pairsScored, options: table.size, proposals: emitted },
  };
};
