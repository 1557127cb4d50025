import type { Money } from '../money.ts';
import { convertMoney, TIP_TOLERANCE_BPS } from './amount.ts';
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

/**
 * Transactions bucketed by a key (that includes the day) and ordered by absolute amount inside the bucket, so a
 * (key, amount range) lookup is a binary search plus the hits. Sorted lazily like DayBuckets.
 */
class ValueBuckets {
  private readonly buckets = new Map<
    string,
    { entries: { t: PreparedTransaction; value: bigint }[]; values: bigint[]; sorted: boolean }
  >();

  add(key: string, t: PreparedTransaction, value: bigint): void {
    const abs = value < 0n ? -value : value;
    const b = this.buckets.get(key);
    if (b) {
      b.entries.push({ t, value: abs });
      b.sorted = false;
    } else this.buckets.set(key, { entries: [{ t, value: abs }], values: [], sorted: false });
  }

  /** Items of `key` with |amount| in [lo, hi], appended to `out`. */
  range(key: string, lo: bigint, hi: bigint, out: PreparedTransaction[]): void {
    const b = this.buckets.get(key);
    if (!b) return;
    if (!b.sorted) {
      b.entries.sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : x.t.authDay - y.t.authDay));
      b.values = b.entries.map((e) => e.value);
      b.sorted = true;
    }
    let a = 0;
    let z = b.values.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if ((b.values[mid] as bigint) < lo) a = mid + 1;
      else z = mid;
    }
    for (let i = a; i < b.values.length && (b.values[i] as bigint) <= hi; i++) {
      out.push((b.entries[i] as { t: PreparedTransaction }).t);
    }
  }

  /** Every item of `key` (when no amount range applies). */
  all(key: string, out: PreparedTransaction[]): void {
    for (const e of this.buckets.get(key)?.entries ?? []) out.push(e.t);
  }
}

/** The widest tip any MCC allows, in basis points (the amount range of a merchant lookup). */
const MAX_TIP_BPS = BigInt(Math.max(...Object.values(TIP_TOLERANCE_BPS)));

const txDay = (t: PreparedTransaction): number => t.authDay;
const receiptDay = (r: PreparedReceipt): number => r.day;

/**
 * Transactions by employee + authorization day (and by card last 4 + day, and by merchant key and amount for
 * receipts whose owner is unknown). The same key shape as the online index (employee#day), so online and batch
 * see the same candidates. A lookup costs O(log n + hits), never a scan.
 */
export class TransactionIndex {
  private readonly byEmployee = new DayBuckets<PreparedTransaction>(txDay);
  private readonly byCard = new DayBuckets<PreparedTransaction>(txDay);
  /**
   * For receipts with neither owner nor card: by merchant key (first 4 letters of the normalized name),
   * currency and authorization day, ordered by amount (card amount, and merchant amount abroad)…
   */
  private readonly byMerchant = new ValueBuckets();
  /** …and by exact absolute amount (card and merchant currency), any merchant. */
  private readonly byAmount = new DayBuckets<PreparedTransaction>(txDay);
  /** Card currencies seen (the currencies a foreign receipt may have to be converted into). */
  private readonly cardCurrencies = new Set<string>();

  private readonly byPerson: boolean;

  /**
   * With `byPerson: false` only the lookups of receipts without owner nor card are indexed (batch code finds the
   * others on its own columns): `forEmployee` and the owner / card candidates then find nothing.
   */
  constructor(transactions: Iterable<PreparedTransaction> = [], scope: { readonly byPerson?: boolean } = {}) {
    this.byPerson = scope.byPerson ?? true;
    for (const t of transactions) this.add(t);
  }

  add(t: PreparedTransaction): void {
    const tx = t.transaction;
    const mk = merchantKey(t.merchant.compact);
    if (this.byPerson) {
      this.byEmployee.add(tx.employeeId, t);
      if (tx.cardLast4 !== null) this.byCard.add(tx.cardLast4, t);
    }
    this.cardCurrencies.add(tx.amount.currency);
    this.byMerchant.add(`${mk}|${tx.amount.currency}|${t.authDay}`, t, tx.amount.minor);
    this.byAmount.add(amountKey(tx.amount), t);
    const ma = tx.merchantAmount;
    if (ma !== null && ma.currency !== tx.amount.currency) {
      this.byAmount.add(amountKey(ma), t);
      this.byMerchant.add(`${mk}|${ma.currency}|${t.authDay}`, t, ma.minor);
    }
  }

  /** Transactions of `employeeId` authorized on UTC days [fromDay, toDay]. */
  forEmployee(employeeId: string, fromDay: number, toDay: number): PreparedTransaction[] {
    return this.byEmployee.range(employeeId, fromDay, toDay);
  }

  /**
   * Candidates for a receipt: by its employee when known, else by its card last 4, else (an import without
   * owner nor card, where nothing narrows the search to one person's spend) the exact amount at any merchant
   * in the window, and charges at a merchant with the same key authorized on the receipt's local day (± 1 UTC
   * day) with an amount `scorePrepared` could accept: within the widest tip (same currency or the merchant
   * amount abroad) or within the card FX fee and tip of the converted total. Without a rate for a card currency
   * every same-day charge of the merchant key in that currency stays a candidate (the amount cannot be compared).
   */
  candidatesFor(pr: PreparedReceipt, options: MatchOptions): PreparedTransaction[] {
    const [from, to] = candidateWindow(pr.day, options);
    const r = pr.receipt;
    if (r.employeeId !== null) return this.byEmployee.range(r.employeeId, from, to);
    if (r.cardLast4 !== null) return this.byCard.range(r.cardLast4, from, to);
    const mk = merchantKey(pr.merchant.compact);
    const found: PreparedTransaction[] = [];
    // Without an exact amount, only a same-day charge at the same merchant is evidence for an unowned receipt: a
    // wider window gathers thousands of same-merchant charges of the whole company in a large import.
    const dayFrom = pr.day - 1;
    const dayTo = pr.day + 1;
    const p = r.total.minor < 0n ? -r.total.minor : r.total.minor;
    const ranges: [currency: string, lo: bigint, hi: bigint][] = [
      [r.total.currency, p, p + (p * MAX_TIP_BPS) / 10_000n + 1n],
    ];
    for (const currency of this.cardCurrencies) {
      if (currency === r.total.currency) continue;
      const rate = options.rateSource?.(r.total.currency, currency, r.date) ?? null;
      const converted: Money | null = rate === null ? null : convertMoney(r.total, rate, currency);
      if (converted === null) {
        for (let day = dayFrom; day <= dayTo; day++) this.byMerchant.all(`${mk}|${currency}|${day}`, found);
        continue;
      }
      const c = converted.minor < 0n ? -converted.minor : converted.minor;
      const over = BigInt(options.maxFxFeeBps) + MAX_TIP_BPS;
      ranges.push([currency, c - c / 100n - 1n, c + (c * over) / 10_000n + 1n]);
    }
    for (const [currency, lo, hi] of ranges) {
      for (let day = dayFrom; day <= dayTo; day++) this.byMerchant.range(`${mk}|${currency}|${day}`, lo, hi, found);
    }
    this.byAmount.range(amountKey(r.total), from, to, found);
    // Day order without duplicates (a charge may be found by merchant and by amount).
    const unique = [...new Set(found)];
    unique.sort((a, b) => a.authDay - b.authDay);
    return unique;
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

/** The merchant key of the lookups of receipts without owner nor card: the first 4 letters of the normalized name. */
export const merchantKey = (compact: string): string => compact.slice(0, 4);
const amountKey = (m: { minor: bigint; currency: string }): string =>
  `${m.currency}${m.minor < 0n ? -m.minor : m.minor}`;
