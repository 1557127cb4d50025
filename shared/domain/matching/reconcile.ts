import { assign } from './assign.ts';
import { ReceiptIndex, TransactionIndex } from './candidate-index.ts';
import { manyToTransactionOptions, receiptToManyOptions } from './groups.ts';
import { linkRefunds, type RefundLink } from './refunds.ts';
import {
  type PreparedTransaction,
  prepareReceipt,
  prepareTransaction,
  type SimilarityMemo,
  scorePrepared,
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

/**
 * Batch reconciliation: index → candidates → scores → sum shapes → global assignment → refunds → proposals.
 * Pure and deterministic for a given input order. The same scoring the online matcher uses.
 */
export const reconcile = (
  receipts: readonly MatchReceipt[],
  transactions: readonly MatchTransaction[],
  partial: Partial<MatchOptions> = {},
): ReconcileResult => {
  const options: MatchOptions = { ...defaultMatchOptions, ...partial };
  const memo: SimilarityMemo = new Map();
  const prs = receipts.map(prepareReceipt);
  const pts = transactions.map(prepareTransaction);
  const txIndex = new TransactionIndex(pts);
  const rIndex = new ReceiptIndex(prs);
  const txById = new Map<string, PreparedTransaction>(pts.map((t) => [t.transaction.id, t]));

  let pairsScored = 0;
  const all: MatchGroup[] = [];
  const singles = new Map<string, MatchGroup[]>();
  for (const pr of prs) {
    const candidates = txIndex.candidatesFor(pr, options);
    const mine: MatchGroup[] = [];
    for (const pt of candidates) {
      pairsScored++;
      const s = scorePrepared(pr, pt, options, memo);
      if (s.rejected !== null || s.score < options.minSuggestionScore) continue;
      mine.push({
        shape: 'one-to-one',
        receiptIds: [pr.receipt.id],
        transactionIds: [pt.transaction.id],
        score: s.score,
        reasons: s.reasons,
        auto: false,
      });
    }
    mine.sort(
      (a, b) => b.score - a.score || (a.transactionIds[0] as string).localeCompare(b.transactionIds[0] as string),
    );
    singles.set(pr.receipt.id, mine);
    all.push(...mine);
    for (const g of receiptToManyOptions(pr, candidates, options, memo)) {
      if (g.score >= options.minSuggestionScore) all.push(g);
    }
  }
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
      if (g.score >= options.minSuggestionScore) all.push(g);
    }
  }

  const { chosen, autoTransactions, autoReceipts } = assign(all, options);

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
    const refund = txById.get(link.refundTransactionId) as PreparedTransaction;
    const auto = purchaseGroup.auto && link.score >= options.autoThreshold && link.margin >= options.autoMargin;
    for (const receiptId of purchaseGroup.receiptIds) {
      const line: MatchProposal = {
        receiptId,
        transactionId: refund.transaction.id,
        score: link.score,
        auto,
        reasons: link.reasons,
      };
      const l = refundLines.get(receiptId);
      if (l) l.push(line);
      else refundLines.set(receiptId, [line]);
    }
  }

  const chosenByReceipt = new Map<string, MatchGroup>();
  for (const g of chosen) for (const id of g.receiptIds) chosenByReceipt.set(id, g);
  const proposals: MatchProposal[] = [];
  for (const pr of prs) {
    const rid = pr.receipt.id;
    const lines: MatchProposal[] = [];
    const g = chosenByReceipt.get(rid);
    const taken = new Set<string>();
    if (g) {
      for (const tid of g.transactionIds) {
        lines.push({ receiptId: rid, transactionId: tid, score: g.score, auto: g.auto, reasons: g.reasons });
        taken.add(tid);
      }
    }
    for (const line of refundLines.get(rid) ?? []) {
      lines.push(line);
      taken.add(line.transactionId);
    }
    if (!autoReceipts.has(rid)) {
      let budget = options.suggestionsPerReceipt - (g ? 1 : 0);
      for (const s of singles.get(rid) ?? []) {
        if (budget <= 0) break;
        const tid = s.transactionIds[0] as string;
        if (taken.has(tid) || autoTransactions.has(tid)) continue;
        lines.push({ receiptId: rid, transactionId: tid, score: s.score, auto: false, reasons: s.reasons });
        taken.add(tid);
        budget--;
      }
    }
    proposals.push(...lines);
  }

  return {
    proposals,
    chosen,
    refunds,
    stats: { receipts: prs.length, transactions: pts.length, pairsScored, options: all.length },
  };
};
