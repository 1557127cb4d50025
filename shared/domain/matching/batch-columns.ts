import { convertMoney, TIP_TOLERANCE_BPS } from './amount.ts';
import { candidateWindow, merchantKey } from './candidate-index.ts';
import type { NormalizedMerchant } from './merchant.ts';
import type { PreparedReceipt } from './score.ts';
import type { MatchOptions } from './types.ts';

/**
 * Columnar helpers for batch reconciliation: integer keys for strings, and items grouped by an integer key in a
 * CSR layout (one Int32Array of item indices, offsets per key), each group ordered by day then index. A batch of a
 * million receipts and transactions scans these typed arrays to find candidates instead of walking objects spread
 * over the heap; the shared scoring then runs only on the pairs that pass a cheap prefilter.
 */

/** Dense integer ids for strings, in first-seen order. */
export class Interner {
  readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(value: string): number {
    const values = this.values;
    if (values.length <= 8) {
      // A handful of values (currencies): comparing them beats hashing the string.
      for (let i = 0; i < values.length; i++) if (values[i] === value) return i;
    }
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  get size(): number {
    return this.values.length;
  }
}

/** An Interner for codes such as a card's last 4 digits: four-digit values are found in a table, not hashed. */
export class CodeInterner extends Interner {
  private readonly byCode = new Int32Array(10_000).fill(-1);

  override id(value: string): number {
    if (value.length === 4) {
      const a = value.charCodeAt(0) - 48;
      const b = value.charCodeAt(1) - 48;
      const c = value.charCodeAt(2) - 48;
      const d = value.charCodeAt(3) - 48;
      if (a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9 && d >= 0 && d <= 9) {
        const code = ((a * 10 + b) * 10 + c) * 10 + d;
        let id = this.byCode[code] as number;
        if (id === -1) {
          id = super.id(value);
          this.byCode[code] = id;
        }
        return id;
      }
    }
    return super.id(value);
  }
}

/**
 * Items grouped by key (−1 = no group), each group in (day, index) order: the order a `DayBuckets` gives when the
 * items are added in index order. Groups are sorted lazily, on their first lookup.
 */
export class DayGroups {
  private readonly start: Int32Array;
  private readonly items: Int32Array;
  private readonly sorted: Uint8Array;
  /** Scratch of sortByDay (reused across groups). */
  private packed = new Float64Array(64);
  private group = new Int32Array(64);

  constructor(
    keys: Int32Array,
    keyCount: number,
    private readonly day: Int32Array,
  ) {
    const start = new Int32Array(keyCount + 1);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k >= 0) start[k + 1] = (start[k + 1] as number) + 1;
    }
    for (let k = 0; k < keyCount; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
    const fill = start.slice(0, keyCount);
    const items = new Int32Array(start[keyCount] as number);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k < 0) continue;
      items[fill[k] as number] = i;
      fill[k] = (fill[k] as number) + 1;
    }
    this.start = start;
    this.items = items;
    this.sorted = new Uint8Array(keyCount);
  }

  /**
   * Sorts `items[from … to − 1]` (in ascending order) by (day of the item, item): on numbers packing the day and
   * the offset when they fit exactly, else with a comparator.
   */
  private sortByDay(from: number, to: number): void {
    const { items, day } = this;
    const m = to - from;
    if (m < 2) return;
    let dMin = Number.POSITIVE_INFINITY;
    let dMax = Number.NEGATIVE_INFINITY;
    for (let x = from; x < to; x++) {
      const d = day[items[x] as number] as number;
      if (d < dMin) dMin = d;
      if (d > dMax) dMax = d;
    }
    const span = 2 ** Math.ceil(Math.log2(m + 1));
    if (!((dMax - dMin + 1) * span <= 2 ** 53)) {
      items.subarray(from, to).sort((a, b) => (day[a] as number) - (day[b] as number) || a - b);
      return;
    }
    if (this.packed.length < m) {
      this.packed = new Float64Array(2 * m);
      this.group = new Int32Array(2 * m);
    }
    const { packed, group } = this;
    for (let x = 0; x < m; x++) {
      const j = items[from + x] as number;
      group[x] = j;
      packed[x] = ((day[j] as number) - dMin) * span + x;
    }
    const sorted = packed.subarray(0, m).sort();
    for (let x = 0; x < m; x++) items[from + x] = group[(sorted[x] as number) % span] as number;
  }

  /**
   * Calls `visit` on the items of `key` whose day is in [fromDay, toDay], in (day, index) order. Returns the
   * number visited.
   */
  range(key: number, fromDay: number, toDay: number, visit: (item: number) => void): number {
    if (key < 0 || key >= this.sorted.length) return 0;
    const s = this.start[key] as number;
    const e = this.start[key + 1] as number;
    const { items, day } = this;
    if (this.sorted[key] === 0) {
      // Items were filled in index order: (day, offset) orders like (day, index).
      this.sortByDay(s, e);
      this.sorted[key] = 1;
    }
    let lo = s;
    let hi = e;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((day[items[mid] as number] as number) < fromDay) lo = mid + 1;
      else hi = mid;
    }
    let n = 0;
    for (let p = lo; p < e; p++) {
      const item = items[p] as number;
      if ((day[item] as number) > toDay) break;
      visit(item);
      n++;
    }
    return n;
  }
}

/** First position in [lo, hi) of the ascending `values` whose value is ≥ `x`. */
export const lowerBound = (values: Int32Array, lo: number, hi: number, x: number): number => {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * Sorts each run `order[start[r] … start[r + 1] − 1]` by (`ms` of the item, `tie`, item), in place. When every
 * instant is an integer and (instant − earliest) · 2^bits + offset in the run stays exact in a float, the runs are
 * sorted on those packed numbers (native numeric sort), then runs of equal instants by `tie`; otherwise with a
 * comparator.
 */
export const sortByInstant = (
  order: Int32Array,
  start: Int32Array,
  ms: Float64Array,
  tie: (a: number, b: number) => number,
): void => {
  const runs = start.length - 1;
  let longest = 0;
  for (let r = 0; r < runs; r++) longest = Math.max(longest, (start[r + 1] as number) - (start[r] as number));
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (let j = 0; j < ms.length; j++) {
    const v = ms[j] as number;
    if (v < min) min = v;
    if (v > max) max = v;
    if (!Number.isInteger(v)) integral = false;
  }
  const span = 2 ** Math.max(1, Math.ceil(Math.log2(longest + 1)));
  const byTie = (a: number, b: number): number => tie(a, b) || a - b;
  if (!integral || !((max - min + 1) * span <= 2 ** 53)) {
    const full = (a: number, b: number): number => (ms[a] as number) - (ms[b] as number) || byTie(a, b);
    for (let r = 0; r < runs; r++) {
      const from = start[r] as number;
      const to = start[r + 1] as number;
      if (to - from > 1) order.subarray(from, to).sort(full);
    }
    return;
  }
  const keys = new Float64Array(longest);
  const items = new Int32Array(longest);
  for (let r = 0; r < runs; r++) {
    const from = start[r] as number;
    const n = (start[r + 1] as number) - from;
    if (n < 2) continue;
    for (let k = 0; k < n; k++) {
      const j = order[from + k] as number;
      items[k] = j;
      keys[k] = ((ms[j] as number) - min) * span + k;
    }
    const sorted = keys.subarray(0, n).sort();
    for (let k = 0; k < n; k++) order[from + k] = items[(sorted[k] as number) % span] as number;
    // Equal instants: by tie, then item.
    for (let k = 0; k < n; ) {
      const v = ms[order[from + k] as number] as number;
      let e = k + 1;
      while (e < n && ms[order[from + e] as number] === v) e++;
      if (e - k > 1) order.subarray(from + k, from + e).sort(byTie);
      k = e;
    }
  }
};

/**
 * Whether 2 or 3 of `values[0 … n − 1]` (positive integers, not all distinct) add up exactly to `target`: a
 * necessary condition for `exactSubsets` to find a sum among any subset of them. Sorts the prefix in place.
 */
export const hasSubsetSum = (values: Float64Array, n: number, target: number): boolean => {
  if (n < 2) return false;
  const v = values.subarray(0, n).sort();
  for (let i = 0; i < n - 1; i++) {
    const a = v[i] as number;
    if (a + (v[i + 1] as number) > target) break;
    // Pairs: a + b = target with b after a.
    const rest = target - a;
    let lo = i + 1;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((v[mid] as number) < rest) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && (v[lo] as number) === rest) return true;
    // Triples: a + b + c = target with i < j < k (two pointers).
    let j = i + 1;
    let k = n - 1;
    while (j < k) {
      const s = a + (v[j] as number) + (v[k] as number);
      if (s === target) return true;
      if (s < target) j++;
      else k--;
    }
  }
  return false;
};

/** The widest tip any MCC allows, in basis points. */
const MAX_TIP_BPS = BigInt(Math.max(...Object.values(TIP_TOLERANCE_BPS)));

/**
 * The candidates `TransactionIndex.candidatesFor` gives a receipt with neither owner nor card, found on the
 * columns: the charges at a merchant with the same key authorized on the receipt's local day (± 1 UTC day) with an
 * amount within the widest tip (same currency, or the merchant amount abroad) or within the card FX fee and tip of
 * the converted total (every one when a card currency has no rate), and the charges of exactly the receipt's
 * amount (card or merchant amount) in its candidate window. Only the merchant keys and amounts these receipts ask
 * for are indexed. The candidates come without duplicates, in no particular order (the batch ranks them by score
 * and id).
 */
export class UnownedLookup {
  /** Charges by merchant key (of the keys asked for), each key in (day, index) order. */
  private readonly byMerchant: MerchantRuns | null = null;
  private readonly merchantKeyOf = new Map<string, number>();
  /** Charges by exact (currency, absolute amount) asked for: card amount, or merchant amount abroad. */
  private readonly byAmount = new Map<number, number[]>();
  private readonly sortedAmount = new Set<number>();
  /** Card currency ids (the currencies a foreign receipt may be converted into). */
  private readonly cardCurrencies: number[] = [];
  /** Per currency id, the amount range of the receipt being looked up. */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  /** Per transaction: the receipt it was last found for + 1 (no duplicates). */
  private readonly stamp: Int32Array;

  constructor(
    /** The receipts: count, and whether each has neither owner nor card, with its currency id and absolute total. */
    receipts: {
      readonly length: number;
      readonly unowned: (i: number) => boolean;
      rCur: Int32Array;
      rAbs: Float64Array;
    },
    /** The prepared receipt at an index (built on demand). */
    private readonly receiptAt: (i: number) => PreparedReceipt,
    /** The id of each transaction's normalized merchant (by position). */
    merchantIds: Int32Array,
    /** The normalized merchant with an id. */
    merchantOf: (id: number) => NormalizedMerchant,
    private readonly tDay: Int32Array,
    tAbs: Float64Array,
    tCur: Int32Array,
    tMAbs: Float64Array,
    tMCur: Int32Array,
    private readonly currencies: Interner,
    private readonly options: MatchOptions,
  ) {
    this.stamp = new Int32Array(merchantIds.length);
    this.lo = new Float64Array(currencies.size);
    this.hi = new Float64Array(currencies.size);
    const wantedAmounts = new Set<number>();
    let any = false;
    for (let i = 0; i < receipts.length; i++) {
      if (!receipts.unowned(i)) continue;
      any = true;
      const mk = merchantKey(this.receiptAt(i).merchant.compact);
      if (!this.merchantKeyOf.has(mk)) this.merchantKeyOf.set(mk, this.merchantKeyOf.size);
      const key = amountKey(receipts.rCur[i] as number, receipts.rAbs[i] as number);
      if (key !== null) wantedAmounts.add(key);
    }
    if (!any) return;
    const n = merchantIds.length;
    const keys = new Int32Array(n);
    const seenCard = new Uint8Array(currencies.size);
    /** Per merchant id: its merchant key's index (−1: not asked for), or undefined before its first charge. */
    const mkOfMerchant: (number | undefined)[] = [];
    for (let j = 0; j < n; j++) {
      const id = merchantIds[j] as number;
      let k = mkOfMerchant[id];
      if (k === undefined) {
        k = this.merchantKeyOf.get(merchantKey(merchantOf(id).compact)) ?? -1;
        mkOfMerchant[id] = k;
      }
      keys[j] = k;
      const cur = tCur[j] as number;
      if (seenCard[cur] === 0) {
        seenCard[cur] = 1;
        this.cardCurrencies.push(cur);
      }
      this.addAmount(wantedAmounts, amountKey(cur, tAbs[j] as number), j);
      const mCur = tMCur[j] as number;
      if (mCur !== -1 && mCur !== cur) this.addAmount(wantedAmounts, amountKey(mCur, tMAbs[j] as number), j);
    }
    this.byMerchant = new MerchantRuns(keys, this.merchantKeyOf.size, tDay, tAbs, tCur, tMAbs, tMCur);
  }

  private addAmount(wanted: Set<number>, key: number | null, j: number): void {
    if (key === null || !wanted.has(key)) return;
    const l = this.byAmount.get(key);
    if (l) l.push(j);
    else this.byAmount.set(key, [j]);
  }

  /** Calls `visit` once on each candidate transaction of receipt `i` (which has neither owner nor card). */
  candidates(i: number, visit: (j: number) => void): void {
    const pr = this.receiptAt(i);
    const r = pr.receipt;
    const { stamp, tDay, options } = this;
    const mark = i + 1;
    const found = (j: number): void => {
      if (stamp[j] === mark) return;
      stamp[j] = mark;
      visit(j);
    };
    // Amount ranges per currency id: [lo, hi] (NaN: none), or [−∞, +∞] for a card currency without a rate.
    const rCur = this.currencies.id(r.total.currency);
    const p = r.total.minor < 0n ? -r.total.minor : r.total.minor;
    const { lo, hi } = this;
    lo.fill(Number.NaN);
    hi.fill(Number.NaN);
    lo[rCur] = Number(p);
    hi[rCur] = Number(p + (p * MAX_TIP_BPS) / 10_000n + 1n);
    for (const cur of this.cardCurrencies) {
      if (cur === rCur) continue;
      const currency = this.currencies.values[cur] as string;
      const rate = options.rateSource?.(r.total.currency, currency, r.date) ?? null;
      const converted = rate === null ? null : convertMoney(r.total, rate, currency);
      if (converted === null) {
        lo[cur] = Number.NEGATIVE_INFINITY;
        hi[cur] = Number.POSITIVE_INFINITY;
        continue;
      }
      const c = converted.minor < 0n ? -converted.minor : converted.minor;
      const over = BigInt(options.maxFxFeeBps) + MAX_TIP_BPS;
      lo[cur] = Number(c - c / 100n - 1n);
      hi[cur] = Number(c + (c * over) / 10_000n + 1n);
    }
    const mk = this.merchantKeyOf.get(merchantKey(pr.merchant.compact)) ?? -1;
    this.byMerchant?.inRanges(mk, pr.day - 1, pr.day + 1, lo, hi, found);
    const key = amountKey(rCur, Number(p));
    const list = key === null ? undefined : this.byAmount.get(key);
    if (list !== undefined && key !== null) {
      if (!this.sortedAmount.has(key)) {
        list.sort((a, b) => (tDay[a] as number) - (tDay[b] as number) || a - b);
        this.sortedAmount.add(key);
      }
      const [from, to] = candidateWindow(pr.day, options);
      let a = 0;
      let z = list.length;
      while (a < z) {
        const mid = (a + z) >>> 1;
        if ((tDay[list[mid] as number] as number) < from) a = mid + 1;
        else z = mid;
      }
      for (let x = a; x < list.length; x++) {
        const j = list[x] as number;
        if ((tDay[j] as number) > to) break;
        found(j);
      }
    }
  }
}

/**
 * Transactions grouped by merchant key, as two lists of entries: (day, card amount) for every charge and (day,
 * merchant amount) for charges abroad, each group sorted by day then amount, with days, amounts and currencies copied
 * in that order. A lookup binary-searches each day's entries for each currency's amount range.
 */
class MerchantRuns {
  private readonly card: EntryRuns;
  private readonly abroad: EntryRuns;

  constructor(
    keys: Int32Array,
    keyCount: number,
    tDay: Int32Array,
    tAbs: Float64Array,
    tCur: Int32Array,
    tMAbs: Float64Array,
    tMCur: Int32Array,
  ) {
    this.card = new EntryRuns(keys, keyCount, () => true, tDay, tAbs, tCur);
    // A merchant amount in the card currency is no second entry.
    this.abroad = new EntryRuns(keys, keyCount, (j) => tMCur[j] !== -1 && tMCur[j] !== tCur[j], tDay, tMAbs, tMCur);
  }

  /**
   * Calls `visit` on the transactions of key `k` authorized on [fromDay, toDay] whose card amount, or merchant
   * amount abroad, is within the range of its currency ([lo, hi] per currency id; NaN bounds match nothing). A
   * transaction may be visited twice (once per amount).
   */
  inRanges(
    k: number,
    fromDay: number,
    toDay: number,
    lo: Float64Array,
    hi: Float64Array,
    visit: (j: number) => void,
  ): void {
    if (k < 0) return;
    this.card.inRanges(k, fromDay, toDay, lo, hi, visit);
    this.abroad.inRanges(k, fromDay, toDay, lo, hi, visit);
  }
}

/** Entries (day, amount, currency) of transactions grouped by key, each group sorted by day, amount, index. */
class EntryRuns {
  private readonly start: Int32Array;
  private readonly items: Int32Array;
  private readonly day: Int32Array;
  private readonly value: Float64Array;
  private readonly cur: Int32Array;
  /** Currency ids present. */
  private readonly currencies: number[] = [];

  constructor(
    keys: Int32Array,
    keyCount: number,
    has: (j: number) => boolean,
    tDay: Int32Array,
    tValue: Float64Array,
    tCur: Int32Array,
  ) {
    const start = new Int32Array(keyCount + 1);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j] as number;
      if (k >= 0 && has(j)) start[k + 1] = (start[k + 1] as number) + 1;
    }
    for (let k = 0; k < keyCount; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number);
    const fill = start.slice(0, keyCount);
    const n = start[keyCount] as number;
    const items = new Int32Array(n);
    const seen = new Set<number>();
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j] as number;
      if (k < 0 || !has(j)) continue;
      items[fill[k] as number] = j;
      fill[k] = (fill[k] as number) + 1;
      seen.add(tCur[j] as number);
    }
    this.currencies = [...seen];
    const byDayValue = (a: number, b: number): number =>
      (tDay[a] as number) - (tDay[b] as number) || (tValue[a] as number) - (tValue[b] as number) || a - b;
    let packed = new Float64Array(64);
    let group = new Int32Array(64);
    for (let k = 0; k < keyCount; k++) {
      const from = start[k] as number;
      const to = start[k + 1] as number;
      const m = to - from;
      if (m < 2) continue;
      // (day, value, offset) packed into one exact number when it fits (items are in index order: the offset
      // orders like the index), sorted natively; else the comparator.
      let dMin = Number.POSITIVE_INFINITY;
      let dMax = Number.NEGATIVE_INFINITY;
      let vMax = 0;
      let integral = true;
      for (let x = from; x < to; x++) {
        const j = items[x] as number;
        const d = tDay[j] as number;
        const v = tValue[j] as number;
        if (d < dMin) dMin = d;
        if (d > dMax) dMax = d;
        if (v > vMax) vMax = v;
        if (!(v >= 0 && Number.isInteger(v))) integral = false;
      }
      const span = 2 ** Math.ceil(Math.log2(m + 1));
      if (!integral || !((dMax - dMin + 1) * (vMax + 1) * span <= 2 ** 53)) {
        items.subarray(from, to).sort(byDayValue);
        continue;
      }
      if (packed.length < m) {
        packed = new Float64Array(2 * m);
        group = new Int32Array(2 * m);
      }
      for (let x = 0; x < m; x++) {
        const j = items[from + x] as number;
        group[x] = j;
        packed[x] = (((tDay[j] as number) - dMin) * (vMax + 1) + (tValue[j] as number)) * span + x;
      }
      const sorted = packed.subarray(0, m).sort();
      for (let x = 0; x < m; x++) items[from + x] = group[(sorted[x] as number) % span] as number;
    }
    this.day = new Int32Array(n);
    this.value = new Float64Array(n);
    this.cur = new Int32Array(n);
    for (let x = 0; x < n; x++) {
      const j = items[x] as number;
      this.day[x] = tDay[j] as number;
      this.value[x] = tValue[j] as number;
      this.cur[x] = tCur[j] as number;
    }
    this.start = start;
    this.items = items;
  }

  inRanges(
    k: number,
    fromDay: number,
    toDay: number,
    lo: Float64Array,
    hi: Float64Array,
    visit: (j: number) => void,
  ): void {
    const { day, value, cur, items } = this;
    const end = this.start[k + 1] as number;
    let d0 = lowerBound(day, this.start[k] as number, end, fromDay);
    for (let d = fromDay; d <= toDay && d0 < end; d++) {
      // This day's entries: [d0, d1).
      const d1 = lowerBound(day, d0, end, d + 1);
      if (d1 > d0) {
        for (const c of this.currencies) {
          const a = lo[c] as number;
          const b = hi[c] as number;
          if (!(a <= b)) continue; // NaN: no range for this currency
          // First entry of the day with a value ≥ a, then up to b (other currencies' entries in between skipped).
          let x = d0;
          let z = d1;
          while (x < z) {
            const mid = (x + z) >>> 1;
            if ((value[mid] as number) < a) x = mid + 1;
            else z = mid;
          }
          for (; x < d1 && (value[x] as number) <= b; x++) if (cur[x] === c) visit(items[x] as number);
        }
      }
      d0 = d1;
    }
  }
}

/** A number for (currency id, absolute amount), or null when it does not fit exactly. */
const amountKey = (cur: number, abs: number): number | null => (abs < 2 ** 42 && cur < 1024 ? abs * 1024 + cur : null);
