import type { PreparedReceipt, PreparedTransaction } from './score.ts';
import type { MatchOptions } from './types.ts';

/**
 * Items bucketed by a key (employee, card, merchant key…) and ordered by day inside the bucket, so a
 * (key, day window) lookup is a binary search plus the hits: the in-memory twin of a DynamoDB query on
 * `pk = <key>, sk between <day from> and <day to>`. Buckets are sorted lazily on first lookup after inserts.
 */
export class DayBuckets<T> {
  private readonly buckets = new Map<string, { items: T[]; days: number[]; sorted: boolean }>();

  constructor(private readonly dayOf: (item: T) => number) {}

  add(key: string, item: T): void {
    const b = this.buckets.get(key);
    if (b) {
      b.items.push(item);
      b.sorted = false;
    } else this.buckets.set(key, { items: [item], days: [], sorted: false });
  }

  /** Items of `key` whose day is in [fromDay, toDay], appended to `out` (in day order). */
  range(key: string, fromDay: number, toDay: number, out: T[] = []): T[] {
    const b = this.buckets.get(key);
    if (!b) return out;
    if (!b.sorted) {
      b.items.sort((x, y) => this.dayOf(x) - this.dayOf(y));
      b.days = b.items.map(this.dayOf);
      b.sorted = true;
    }
    let lo = 0;
    let hi = b.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b.days[mid] as number) < fromDay) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < b.days.length && (b.days[i] as number) <= toDay; i++) out.push(b.items[i] as T);
    return out;
  }
}

const txDay = (t: PreparedTransaction): number => t.authDay;
const receiptDay = (r: PreparedReceipt): number => r.day;

/**
 * Transactions by employee + authorization day (and by card last 4 + day, and by merchant key or amount + day
 * for receipts whose owner is unknown). The same key shape as the online index (employee#day), so online and
 * batch see the same candidates. A lookup costs O(log n + hits), never a scan.
 */
export class TransactionIndex {
  private readonly byEmployee = new DayBuckets<PreparedTransaction>(txDay);
  private readonly byCard = new DayBuckets<PreparedTransaction>(txDay);
  /** For receipts with neither owner nor card: by merchant key (first 4 letters of the normalized name)… */
  private readonly byMerchant = new DayBuckets<PreparedTransaction>(txDay);
  /** …and by absolute amount (card and merchant currency). */
  private readonly byAmount = new DayBuckets<PreparedTransaction>(txDay);

  constructor(transactions: Iterable<PreparedTransaction> = []) {
    for (const t of transactions) this.add(t);
  }

  add(t: PreparedTransaction): void {
    const tx = t.transaction;
    this.byEmployee.add(tx.employeeId, t);
    if (tx.cardLast4 !== null) this.byCard.add(tx.cardLast4, t);
    this.byMerchant.add(merchantKey(t.merchant.compact), t);
    this.byAmount.add(amountKey(tx.amount), t);
    const ma = tx.merchantAmount;
    if (ma !== null && ma.currency !== tx.amount.currency) this.byAmount.add(amountKey(ma), t);
  }

  /** Transactions of `employeeId` authorized on UTC days [fromDay, toDay]. */
  forEmployee(employeeId: string, fromDay: number, toDay: number): PreparedTransaction[] {
    return this.byEmployee.range(employeeId, fromDay, toDay);
  }

  /**
   * Candidates for a receipt: by its employee when known, else by its card last 4, else (an import without
   * owner nor card) by merchant key or exact amount, so an unowned receipt never scans a whole day.
   */
  candidatesFor(pr: PreparedReceipt, options: MatchOptions): PreparedTransaction[] {
    const [from, to] = candidateWindow(pr.day, options);
    const r = pr.receipt;
    if (r.employeeId !== null) return this.byEmployee.range(r.employeeId, from, to);
    if (r.cardLast4 !== null) return this.byCard.range(r.cardLast4, from, to);
    const byMerchant = this.byMerchant.range(merchantKey(pr.merchant.compact), from, to);
    const seen = new Set(byMerchant);
    for (const t of this.byAmount.range(amountKey(r.total), from, to)) if (!seen.has(t)) byMerchant.push(t);
    return byMerchant;
  }
}

/** Receipts by employee + day (and unowned receipts printing a card, by card + day), for sum searches. */
export class ReceiptIndex {
  private readonly byEmployee = new DayBuckets<PreparedReceipt>(receiptDay);
  private readonly unownedByCard = new DayBuckets<PreparedReceipt>(receiptDay);

  constructor(receipts: Iterable<PreparedReceipt> = []) {
    for (const r of receipts) this.add(r);
  }

  add(r: PreparedReceipt): void {
    if (r.receipt.employeeId !== null) this.byEmployee.add(r.receipt.employeeId, r);
    else if (r.receipt.cardLast4 !== null) this.unownedByCard.add(r.receipt.cardLast4, r);
  }

  /** Receipts of `employeeId` dated [fromDay, toDay], plus unowned ones printing `cardLast4`. */
  forEmployee(employeeId: string, fromDay: number, toDay: number, cardLast4: string | null = null): PreparedReceipt[] {
    const out = this.byEmployee.range(employeeId, fromDay, toDay);
    return cardLast4 === null ? out : this.unownedByCard.range(cardLast4, fromDay, toDay, out);
  }
}

/**
 * UTC authorization days worth looking at for a receipt dated `day`: from a hotel check-in `hotelMaxNights`
 * before, to split-shipment charges `splitWindowDays` after (one extra day each side for time zones).
 */
export const candidateWindow = (day: number, options: MatchOptions): readonly [number, number] => [
  day - Math.max(options.hotelMaxNights, options.daysAfter) - 1,
  day + Math.max(options.splitWindowDays, options.daysBefore + 5) + 1,
];

const merchantKey = (compact: string): string => compact.slice(0, 4);
const amountKey = (m: { minor: bigint; currency: string }): string =>
  `${m.currency}${m.minor < 0n ? -m.minor : m.minor}`;
