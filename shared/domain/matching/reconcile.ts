import { assignKeyed, OptionTable } from './assign.ts';
import { ReceiptIndex, TransactionIndex } from './candidate-index.ts';
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
  /** One line per receipt ↔ transaction pair, grouped by receipt in input order, best first. */
  readonly proposals: MatchProposal[];
  /** The chosen decisions (a group may link several receipts or several transactions). */
  readonly chosen: MatchGroup[];
  /** Refund → purchase links (also reflected in `proposals` when the purchase has a receipt). */
  readonly refunds: RefundLink[];
  readonly stats: {
    readonly receipts: number;
    readonly transactions: number;
    /** Pairs actually scored (after the index lookup). */
    readonly pairsScored: number;
    readonly options: number;
  };
}

export interface ReconcileHooks {
  /** Called after each phase with its duration in milliseconds (for `quittance reconcile --timings`). */
  readonly timing?: (phase: string, ms: number) => void;
}

const SHAPE_ORDER: Readonly<Record<MatchGroup['shape'], number>> = {
  'one-to-one': 0,
  'receipt-to-many': 1,
  'many-to-transaction': 2,
  'refund-of-purchase': 3,
};

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
  const prs = receipts.map((r) => prepareReceiptWith(r, memo.intern(r.vendor)));
  const pts = transactions.map((t) => prepareTransactionWith(t, memo.intern(t.merchantName)));
  const nR = prs.length;
  const txIndex = new TransactionIndex(pts);
  const rIndex = new ReceiptIndex(prs);
  phase('prepare and index');

  // Keys for the assignment: receipt i is key i, transaction j is key nR + j.
  let receiptKey: Map<string, number> | null = null;
  let txKey: Map<string, number> | null = null;
  const keyOfReceipt = (id: string): number => {
    receiptKey ??= new Map(prs.map((p, i) => [p.receipt.id, i]));
    return receiptKey.get(id) as number;
  };
  const keyOfTx = (id: string): number => {
    txKey ??= new Map(pts.map((p, j) => [p.transaction.id, nR + j]));
    return txKey.get(id) as number;
  };
  const ptIndex = new Map<PreparedTransaction, number>();
  pts.forEach((pt, j) => {
    ptIndex.set(pt, j);
  });

  let pairsScored = 0;
  const table = new OptionTable((k) =>
    k < nR ? (prs[k] as PreparedReceipt).receipt.id : (pts[k - nR] as PreparedTransaction).transaction.id,
  );
  /** The MatchGroup of each sum option by option index (one-to-one pairs are explained when printed). */
  const groups = new Map<number, MatchGroup>();
  const addGroup = (g: MatchGroup): void => {
    const keys = [...g.receiptIds.map(keyOfReceipt), ...g.transactionIds.map(keyOfTx)];
    const i = table.pushGroup(g.score, SHAPE_ORDER[g.shape], keys, g.receiptIds.join(','), g.transactionIds.join(','));
    groups.set(i, g);
  };
  for (let i = 0; i < nR; i++) {
    const pr = prs[i] as PreparedReceipt;
    const candidates = txIndex.candidatesFor(pr, options);
    for (const pt of candidates) {
      pairsScored++;
      // scorePrepared rejects a pair whose date evidence is null; checking that first (integer arithmetic, no
      // reason built) spares the amount comparison for most of the 54-day candidate window.
      if (dateEvidence(pr.day, pt, options, 'single', false) === null) continue;
      const score = scorePreparedValue(pr, pt, options, memo);
      if (score === null || score < options.minSuggestionScore) continue;
      table.pushPair(score, i, nR + (ptIndex.get(pt) as number));
    }
    // Sums need a card or an owner to tie the parts together: for a receipt with neither, the candidates are
    // charges anyone made at that merchant, and an exact sum among them would be a coincidence.
    if (pr.receipt.employeeId === null && pr.receipt.cardLast4 === null) continue;
    for (const g of receiptToManyOptions(pr, candidates, options, memo)) {
      if (g.score >= options.minSuggestionScore) addGroup(g);
    }
  }
  phase('score receipts');
  for (const pt of pts) {
    const t = pt.transaction;
    const from = pt.authSpan[0] - options.daysBefore - 1;
    const to = pt.authSpan[1] + options.daysAfter + 1;
    for (const g of manyToTransactionOptions(
      pt,
      rIndex.forEmployee(t.employeeId, from, to, t.cardLast4),
      options,
      memo,
    )) {
      if (g.score >= options.minSuggestionScore) addGroup(g);
    }
  }
  phase('sums of receipts');

  const assignment = assignKeyed(table, nR + pts.length, options);
  phase('assign');

  /** The decision of option `oi` as a MatchGroup (a one-to-one pair is explained here, once). */
  const groupOf = (oi: number, auto: boolean): MatchGroup => {
    const g = groups.get(oi);
    if (g) return { ...g, auto };
    const pr = prs[table.k0[oi] as number] as PreparedReceipt;
    const pt = pts[(table.k1[oi] as number) - nR] as PreparedTransaction;
    return {
      shape: 'one-to-one',
      receiptIds: [pr.receipt.id],
      transactionIds: [pt.transaction.id],
      score: table.score[oi] as number,
      reasons: scorePrepared(pr, pt, options, memo).reasons,
      auto,
    };
  };
  const chosen = assignment.chosen.map((oi, i) => groupOf(oi, assignment.auto[i] as boolean));

  // Refunds not linked to a receipt of their own → their purchase, and through it the purchase's receipt(s).
  const linkedTx = new Set(chosen.flatMap((g) => g.transactionIds));
  const openRefunds = pts.filter((t) => t.transaction.amount.minor < 0n && !linkedTx.has(t.transaction.id));
  const refunds = linkRefunds(openRefunds, txIndex, options, memo);
  const groupOfTx = new Map<string, MatchGroup>();
  for (const g of chosen) for (const id of g.transactionIds) groupOfTx.set(id, g);
  const refundLines = new Map<string, MatchProposal[]>();
  for (const link of refunds) {
    const purchaseGroup = groupOfTx.get(link.purchaseTransactionId);
    if (!purchaseGroup) continue;
    const auto = purchaseGroup.auto && link.score >= options.autoThreshold && link.margin >= options.autoMargin;
    for (const receiptId of purchaseGroup.receiptIds) {
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

  const chosenByReceipt = new Map<string, MatchGroup>();
  for (const g of chosen) for (const id of g.receiptIds) chosenByReceipt.set(id, g);
  const { autoKey, keyStart, byKey } = assignment;
  const proposals: MatchProposal[] = [];
  for (let i = 0; i < nR; i++) {
    const pr = prs[i] as PreparedReceipt;
    const rid = pr.receipt.id;
    const g = chosenByReceipt.get(rid);
    const taken = new Set<string>();
    if (g) {
      for (const tid of g.transactionIds) {
        proposals.push({ receiptId: rid, transactionId: tid, score: g.score, auto: g.auto, reasons: g.reasons });
        taken.add(tid);
      }
    }
    for (const line of refundLines.get(rid) ?? []) {
      proposals.push(line);
      taken.add(line.transactionId);
    }
    if (autoKey[i] === 1) continue;
    // Ranked suggestions: this receipt's one-to-one options in decision order (score desc, then ids).
    let budget = options.suggestionsPerReceipt - (g ? 1 : 0);
    for (let p = keyStart[i] as number; budget > 0 && p < (keyStart[i + 1] as number); p++) {
      const o = byKey[p] as number;
      if (table.shape[o] !== 0) continue;
      const tk = table.k1[o] as number;
      const pt = pts[tk - nR] as PreparedTransaction;
      const tid = pt.transaction.id;
      if (taken.has(tid) || autoKey[tk] === 1) continue;
      const reasons = scorePrepared(pr, pt, options, memo).reasons;
      proposals.push({ receiptId: rid, transactionId: tid, score: table.score[o] as number, auto: false, reasons });
      taken.add(tid);
      budget--;
    }
  }
  phase('proposals');

  return {
    proposals,
    chosen,
    refunds,
    stats: { receipts: nR, transactions: pts.length, pairsScored, options: table.size },
  };
};
