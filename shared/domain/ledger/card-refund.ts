import { type Money, money } from '../money.ts';
import type { ApprovedExpense, ExpenseLineInput } from './build-entry.ts';
import { InvalidExpenseError } from './build-entry.ts';

/** A card refund linked to its purchase (matching's RefundMatched), as the ledger books it. */
export interface CardRefund {
  /** The refund transaction's id ("stripe:ipi_…"): the entry id derives from it (one entry per refund). */
  id: string;
  /** What came back to the card, positive, in the purchase's currency. */
  amount: Money;
  /** Accounting date: the day the refund was posted (YYYY-MM-DD). */
  date: string;
}

/** share × part / whole, rounded half up (whole > 0; amounts in minor units). */
const prorate = (part: bigint, share: bigint, whole: bigint): bigint => {
  const n = part * share;
  const q = n / whole;
  const r = n % whole;
  const twice = (r < 0n ? -r : r) * 2n;
  return twice >= whole ? q + (n < 0n ? -1n : 1n) : q;
};

/**
 * A refund without a credit note of its own reverses its share of the purchase: each line and each VAT amount
 * (and base) scaled by refund ÷ purchase, rounded to the cent, so a full refund gives back exactly the purchase's
 * lines and a partial one the same accounts in proportion (the VAT deducted on the purchase is given back in the
 * same proportion, as French rules require for a price reduction). Line amounts are distributed so they add up to
 * the refund exactly. The piece stays the purchase's receipt (the evidence), dated on the refund.
 */
export const refundOfPurchase = (
  purchase: ApprovedExpense,
  refund: CardRefund,
): ApprovedExpense & { refundId: string } => {
  const whole = purchase.lines.reduce((s, l) => s + l.amount.minor, 0n);
  if (refund.amount.currency !== purchase.currency) {
    throw new InvalidExpenseError(`the refund is in ${refund.amount.currency}, the purchase in ${purchase.currency}`);
  }
  if (whole <= 0n || refund.amount.minor <= 0n || refund.amount.minor > whole) {
    throw new InvalidExpenseError('a refund is positive and at most its purchase');
  }
  const share = refund.amount.minor;
  const scaled = purchase.lines.map((l) => prorate(l.amount.minor, share, whole));
  // The rounding remainder goes to the largest line, so the lines add up to the refund to the cent.
  const rest = share - scaled.reduce((s, x) => s + x, 0n);
  const largest = scaled.reduce((best, x, i) => (x > (scaled[best] ?? 0n) ? i : best), 0);
  scaled[largest] = (scaled[largest] ?? 0n) + rest;
  const lines: ExpenseLineInput[] = purchase.lines.map((l, i) => ({
    ...l,
    amount: money(scaled[i] ?? 0n, l.amount.currency),
    vat: l.vat.map((v) => ({
      rate: v.rate,
      amount: money(prorate(v.amount.minor, share, whole), v.amount.currency),
      ...(v.base ? { base: money(prorate(v.base.minor, share, whole), v.base.currency) } : {}),
    })),
  }));
  return {
    ...purchase,
    refundId: refund.id,
    label: `remboursement ${purchase.label}`,
    bookingDate: refund.date,
    lines,
    piece: { ...purchase.piece, date: refund.date },
  };
};
