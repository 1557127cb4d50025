import { formatMoney, type Money } from '../money.ts';
import {
  dateEvidence,
  identityEvidence,
  merchantReason,
  type PreparedReceipt,
  type PreparedTransaction,
  type SimilarityMemo,
  similarityOf,
  WEIGHTS,
} from './score.ts';
import type { MatchGroup, MatchOptions } from './types.ts';

/** Sum shapes are exact (no tip tolerance): a coincidental sum is the main risk, so they need every signal. */
const MIN_GROUP_MERCHANT_SIM = 0.75;
/** Members considered per search (the most similar first); C(14,2) + C(14,3) = 455 sums at most. */
const MAX_MEMBERS = 14;
/** Sum options kept per receipt or transaction. */
const MAX_OPTIONS = 3;
/** Amount component of an exact sum (an exact single amount is 1). */
const SUM_AMOUNT_SCORE = 0.95;
/** Penalty per member beyond the first: more parts, more room for coincidence. */
const PER_EXTRA_MEMBER = 0.02;

interface Member<T> {
  readonly item: T;
  readonly value: bigint;
  readonly sim: number;
  readonly dateScore: number;
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Index subsets of size 2 or 3 whose values sum exactly to `target`. */
export const exactSubsets = (values: readonly bigint[], target: bigint): number[][] => {
  const out: number[][] = [];
  const where = new Map<bigint, number[]>();
  values.forEach((v, i) => {
    const l = where.get(v);
    if (l) l.push(i);
    else where.set(v, [i]);
  });
  for (let i = 0; i < values.length; i++) {
    const vi = values[i] as bigint;
    for (const j of where.get(target - vi) ?? []) if (j > i) out.push([i, j]);
    for (let j = i + 1; j < values.length; j++) {
      const rest = target - vi - (values[j] as bigint);
      for (const k of where.get(rest) ?? []) if (k > j) out.push([i, j, k]);
    }
  }
  return out;
};

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** The value of a transaction in the receipt's currency basis (card amount, or merchant amount abroad). */
const valueIn = (t: PreparedTransaction, currency: string): Money | null => {
  const tx = t.transaction;
  if (tx.amount.currency === currency) return tx.amount;
  if (tx.merchantAmount !== null && tx.merchantAmount.currency === currency) return tx.merchantAmount;
  return null;
};

const describeSum = (parts: readonly Money[], total: Money): string =>
  `${parts.map((p) => formatMoney(p)).join(' + ')} = ${formatMoney(total)} ${total.currency}`;

/**
 * One receipt ↔ several transactions: split shipments (charges after the order receipt) and hotel deposit +
 * final (charges before the checkout receipt). Exact sums of 2–3 transactions of a similar merchant.
 */
export const receiptToManyOptions = (
  pr: PreparedReceipt,
  candidates: readonly PreparedTransaction[],
  options: MatchOptions,
  memo?: SimilarityMemo,
): MatchGroup[] => {
  const r = pr.receipt;
  const total = r.total;
  if (total.minor === 0n) return [];
  const members: Member<PreparedTransaction>[] = [];
  for (const pt of candidates) {
    const t = pt.transaction;
    if (r.employeeId !== null && r.employeeId !== t.employeeId) continue;
    if (r.cardLast4 !== null && t.cardLast4 !== null && r.cardLast4 !== t.cardLast4) continue;
    const v = valueIn(pt, total.currency);
    if (v === null || v.minor === 0n || v.minor < 0n !== total.minor < 0n || abs(v.minor) >= abs(total.minor)) continue;
    const date = dateEvidence(pr.day, pt, options, 'group', false);
    if (date === null) continue;
    const sim = similarityOf(pr.merchant, pt.merchant, memo);
    if (sim < MIN_GROUP_MERCHANT_SIM) continue;
    members.push({ item: pt, value: v.minor, sim, dateScore: date.score });
  }
  if (members.length < 2) return [];
  members.sort((a, b) => b.sim - a.sim || b.dateScore - a.dateScore);
  const kept = members.slice(0, MAX_MEMBERS);
  const subsets = exactSubsets(
    kept.map((m) => m.value),
    total.minor,
  );
  const out: MatchGroup[] = [];
  for (const subset of subsets) {
    const ms = subset.map((i) => kept[i] as Member<PreparedTransaction>).sort((a, b) => a.item.authMs - b.item.authMs);
    const first = ms[0] as Member<PreparedTransaction>;
    const id = identityEvidence(r, first.item.transaction);
    if (id.rejected) continue;
    const lodging = ms.every((m) => m.item.lodging);
    const n = ms.length;
    const mean = (f: (m: Member<PreparedTransaction>) => number): number => ms.reduce((s, m) => s + f(m), 0) / n;
    const raw =
      WEIGHTS.amount * SUM_AMOUNT_SCORE +
      WEIGHTS.date * mean((m) => m.dateScore) +
      WEIGHTS.merchant * mean((m) => m.sim) +
      WEIGHTS.card * id.card +
      WEIGHTS.employee * id.employee -
      PER_EXTRA_MEMBER * (n - 1) -
      id.penalty;
    const parts = ms.map((m) => ({ minor: m.value, currency: total.currency }));
    out.push({
      shape: 'receipt-to-many',
      receiptIds: [r.id],
      transactionIds: ms.map((m) => m.item.transaction.id),
      score: round4(Math.max(0, Math.min(1, raw))),
      auto: false,
      reasons: [
        `amount: sum of ${n} transactions = receipt total (${describeSum(parts, total)})`,
        lodging ? 'hotel deposit + final charge' : 'split charges (e.g. split shipment)',
        ...ms.map((m) => `${m.item.transaction.id}: ${dateEvidence(pr.day, m.item, options, 'group')?.reason}`),
        merchantReason(r.vendor, first.item.transaction.merchantName, first.sim),
        ...id.reasons,
      ],
    });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, MAX_OPTIONS);
};

/** Several receipts ↔ one transaction (e.g. two invoices paid in one charge): exact sums of 2–3 receipts. */
export const manyToTransactionOptions = (
  pt: PreparedTransaction,
  candidates: readonly PreparedReceipt[],
  options: MatchOptions,
  memo?: SimilarityMemo,
): MatchGroup[] => {
  const t = pt.transaction;
  const members: Member<PreparedReceipt>[] = [];
  let currency: string | null = null;
  for (const pr of candidates) {
    const r = pr.receipt;
    if (r.employeeId !== null && r.employeeId !== t.employeeId) continue;
    if (r.cardLast4 !== null && t.cardLast4 !== null && r.cardLast4 !== t.cardLast4) continue;
    const basis = valueIn(pt, r.total.currency);
    if (basis === null || basis.minor === 0n) continue;
    if (currency !== null && currency !== basis.currency) continue;
    if (r.total.minor === 0n || r.total.minor < 0n !== basis.minor < 0n || abs(r.total.minor) >= abs(basis.minor)) {
      continue;
    }
    const date = dateEvidence(pr.day, pt, options, 'single', false);
    if (date === null) continue;
    const sim = similarityOf(pr.merchant, pt.merchant, memo);
    if (sim < MIN_GROUP_MERCHANT_SIM) continue;
    currency = basis.currency;
    members.push({ item: pr, value: r.total.minor, sim, dateScore: date.score });
  }
  if (members.length < 2 || currency === null) return [];
  const target = valueIn(pt, currency) as Money;
  members.sort((a, b) => b.sim - a.sim || b.dateScore - a.dateScore);
  const kept = members.slice(0, MAX_MEMBERS);
  const out: MatchGroup[] = [];
  for (const subset of exactSubsets(
    kept.map((m) => m.value),
    target.minor,
  )) {
    const ms = subset.map((i) => kept[i] as Member<PreparedReceipt>).sort((a, b) => a.item.day - b.item.day);
    const first = ms[0] as Member<PreparedReceipt>;
    const id = identityEvidence(first.item.receipt, t);
    if (id.rejected) continue;
    const n = ms.length;
    const mean = (f: (m: Member<PreparedReceipt>) => number): number => ms.reduce((s, m) => s + f(m), 0) / n;
    const raw =
      WEIGHTS.amount * SUM_AMOUNT_SCORE +
      WEIGHTS.date * mean((m) => m.dateScore) +
      WEIGHTS.merchant * mean((m) => m.sim) +
      WEIGHTS.card * id.card +
      WEIGHTS.employee * id.employee -
      PER_EXTRA_MEMBER * (n - 1) -
      id.penalty;
    const parts = ms.map((m) => ({ minor: m.value, currency }));
    out.push({
      shape: 'many-to-transaction',
      receiptIds: ms.map((m) => m.item.receipt.id),
      transactionIds: [t.id],
      score: round4(Math.max(0, Math.min(1, raw))),
      auto: false,
      reasons: [
        `amount: sum of ${n} receipts = transaction amount (${describeSum(parts, target)})`,
        ...ms.map((m) => `${m.item.receipt.id}: ${dateEvidence(m.item.day, pt, options)?.reason}`),
        merchantReason(first.item.receipt.vendor, t.merchantName, first.sim),
        ...id.reasons,
      ],
    });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, MAX_OPTIONS);
};
