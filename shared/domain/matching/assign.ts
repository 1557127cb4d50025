import type { MatchGroup, MatchOptions } from './types.ts';

const SHAPE_ORDER: Readonly<Record<MatchGroup['shape'], number>> = {
  'one-to-one': 0,
  'receipt-to-many': 1,
  'many-to-transaction': 2,
  'refund-of-purchase': 3,
};

/** Code-unit order (locale-independent, so the same input gives the same decisions on every machine). */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A number in the code-unit order of an id, or NaN when the id has no such number: an id of up to 7 code units,
 * each in 1–127, read as 7 base-128 digits (shorter ids padded with zeros, below every code unit). Two ids with
 * numbers compare as their numbers (equal numbers: equal ids); otherwise as strings.
 */
export const idSortKey = (id: string): number => {
  const n = id.length;
  if (n > 7) return Number.NaN;
  let key = 0;
  for (let i = 0; i < 7; i++) {
    let c = 0;
    if (i < n) {
      c = id.charCodeAt(i);
      if (c < 1 || c > 127) return Number.NaN;
    }
    key = key * 128 + c;
  }
  return key;
};

/** Deterministic order: score desc, then simpler shapes, then ids. */
export const compareOptions = (a: MatchGroup, b: MatchGroup): number =>
  b.score - a.score ||
  SHAPE_ORDER[a.shape] - SHAPE_ORDER[b.shape] ||
  compareText(a.receiptIds.join(','), b.receiptIds.join(',')) ||
  compareText(a.transactionIds.join(','), b.transactionIds.join(','));

/**
 * Assignment options on integer keys (receipt i is key i, transaction j is key `receiptCount + j`), stored as
 * columns: a batch holds millions of one-to-one pairs, 17 bytes each here instead of an object each.
 * A one-to-one option is (score, receipt key, transaction key); a sum option also carries its key list and the
 * joined ids used as tie-breakers.
 */
export class OptionTable {
  size = 0;
  score: Float64Array;
  shape: Uint8Array;
  /** One-to-one: the receipt key and the transaction key. */
  k0: Int32Array;
  k1: Int32Array;
  /** Sum options by index: their keys (receipt keys first) and joined ids. */
  readonly groups = new Map<number, { keys: number[]; receiptText: string; transactionText: string }>();

  /** @param idOfKey the id of a receipt or transaction key (tie-breaker between equal scores). */
  constructor(
    readonly idOfKey: (key: number) => string,
    /** Options expected (the columns grow past it by doubling). */
    capacity = 1024,
  ) {
    const n = Math.max(16, Math.ceil(capacity));
    this.score = new Float64Array(n);
    this.shape = new Uint8Array(n);
    this.k0 = new Int32Array(n);
    this.k1 = new Int32Array(n);
  }

  private grow(): void {
    const n = this.score.length * 2;
    const copy = <A extends Float64Array | Uint8Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.score = copy(this.score, (m) => new Float64Array(m));
    this.shape = copy(this.shape, (m) => new Uint8Array(m));
    this.k0 = copy(this.k0, (m) => new Int32Array(m));
    this.k1 = copy(this.k1, (m) => new Int32Array(m));
  }

  pushPair(score: number, receiptKey: number, transactionKey: number): number {
    if (this.size === this.score.length) this.grow();
    const i = this.size++;
    this.score[i] = score;
    this.shape[i] = 0;
    this.k0[i] = receiptKey;
    this.k1[i] = transactionKey;
    return i;
  }

  pushGroup(score: number, shape: number, keys: number[], receiptText: string, transactionText: string): number {
    if (this.size === this.score.length) this.grow();
    const i = this.size++;
    this.score[i] = score;
    this.shape[i] = shape;
    this.groups.set(i, { keys, receiptText, transactionText });
    return i;
  }

  keysOf(i: number): readonly number[] {
    return this.shape[i] === 0 ? [this.k0[i] as number, this.k1[i] as number] : (this.groups.get(i)?.keys ?? []);
  }

  receiptText(i: number): string {
    return this.shape[i] === 0 ? this.idOfKey(this.k0[i] as number) : (this.groups.get(i)?.receiptText ?? '');
  }

  transactionText(i: number): string {
    return this.shape[i] === 0 ? this.idOfKey(this.k1[i] as number) : (this.groups.get(i)?.transactionText ?? '');
  }
}

/**
 * The decision order of `assignKeyed` (score desc, shape, receipt ids, transaction ids, index), computed for a large
 * batch: when every score is a multiple of 0.0001 in [0, 1] (scores are rounded so), score and shape are packed
 * with the index into one number and sorted natively, and only runs of equal score and shape are compared on their
 * ids. Otherwise the comparison sort of `assignKeyed`.
 */
export const decisionOrder = (
  table: OptionTable,
  /** Per key, `idSortKey` of its id (optional: one-to-one ties are then compared on numbers, not strings). */
  idKeys: Float64Array | null = null,
): Int32Array => {
  const n = table.size;
  const { score, shape } = table;
  const order = new Int32Array(n);
  const bits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const span = 2 ** bits;
  const packed = new Float64Array(n);
  let exact = bits <= 30;
  for (let i = 0; i < n && exact; i++) {
    const s = score[i] as number;
    const sk = Math.round(s * 10_000);
    if (!(sk >= 0 && sk <= 10_000 && sk / 10_000 === s)) exact = false;
    packed[i] = ((10_000 - sk) * 4 + (shape[i] as number)) * span + i;
  }
  const byIds = (a: number, b: number): number =>
    compareText(table.receiptText(a), table.receiptText(b)) ||
    compareText(table.transactionText(a), table.transactionText(b)) ||
    a - b;
  if (!exact) {
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort(
      (a, b) =>
        (score[b] as number) - (score[a] as number) || (shape[a] as number) - (shape[b] as number) || byIds(a, b),
    );
    return order;
  }
  packed.sort();
  for (let x = 0; x < n; x++) order[x] = (packed[x] as number) % span;
  // Runs of equal (score, shape): ordered by ids, then index. Each option's id keys (one-to-one options whose ids
  // all have one) or else texts are read once, by offset in the run, and the offsets sorted on them.
  const rt: string[] = [];
  const tt: string[] = [];
  let rk = new Float64Array(64);
  let tk = new Float64Array(64);
  let at = new Int32Array(64);
  let base = 0;
  const byTexts = (a: number, b: number): number =>
    compareText(rt[a] as string, rt[b] as string) ||
    compareText(tt[a] as string, tt[b] as string) ||
    (order[base + a] as number) - (order[base + b] as number);
  const byKeys = (a: number, b: number): number =>
    (rk[a] as number) - (rk[b] as number) ||
    (tk[a] as number) - (tk[b] as number) ||
    (order[base + a] as number) - (order[base + b] as number);
  const { k0, k1 } = table;
  let from = 0;
  while (from < n) {
    const run = Math.floor((packed[from] as number) / span);
    let to = from + 1;
    while (to < n && Math.floor((packed[to] as number) / span) === run) to++;
    const m = to - from;
    if (m > 1) {
      if (at.length < m) {
        at = new Int32Array(2 * m);
        rk = new Float64Array(2 * m);
        tk = new Float64Array(2 * m);
      }
      let keyed = idKeys !== null && shape[order[from] as number] === 0;
      for (let k = 0; k < m && keyed; k++) {
        const o = order[from + k] as number;
        const a = idKeys?.[k0[o] as number] as number;
        const b = idKeys?.[k1[o] as number] as number;
        if (Number.isNaN(a) || Number.isNaN(b)) keyed = false;
        rk[k] = a;
        tk[k] = b;
        at[k] = k;
      }
      if (!keyed) {
        rt.length = 0;
        tt.length = 0;
        for (let k = 0; k < m; k++) {
          const o = order[from + k] as number;
          rt.push(table.receiptText(o));
          tt.push(table.transactionText(o));
          at[k] = k;
        }
      }
      base = from;
      const sorted = at.subarray(0, m).sort(keyed ? byKeys : byTexts);
      const options = Array.from(order.subarray(from, to));
      for (let k = 0; k < m; k++) order[from + k] = options[sorted[k] as number] as number;
    }
    from = to;
  }
  return order;
};

export interface KeyedAssignment {
  /** Indices of the chosen options, in decision order. */
  readonly chosen: number[];
  /** Parallel to `chosen`: whether the option is auto-linked. */
  readonly auto: boolean[];
  /** Per key: 1 when consumed by an auto link. */
  readonly autoKey: Uint8Array;
  /** Options on each key in decision order (score desc, shape, ids): `byKey[keyStart[k] … keyStart[k + 1] − 1]`. */
  readonly keyStart: Int32Array;
  readonly byKey: Int32Array;
}

/**
 * Global assignment, greedy by score with conflicts: options are taken in descending score when all their
 * receipts and transactions are still free. An option is auto-linked when its score is at least
 * `autoThreshold` and it leads every competing option (one sharing a receipt or a transaction, not already
 * displaced by an auto link) by `autoMargin`. For one-to-one competitors the lead is measured on the swap:
 * choosing competitor (r, t2) instead of (r, t1) also frees t1 for its next-best receipt and takes t2 from
 * its next-best receipt, so two receipts and two charges of the same amount on neighbouring days resolve by
 * date instead of both falling back to suggestions.
 */
export const assignKeyed = (
  table: OptionTable,
  keyCount: number,
  opts: Pick<MatchOptions, 'autoThreshold' | 'autoMargin'>,
  /** The options in decision order when the caller computed it (batch code: see `decisionOrder`). */
  sorted: Int32Array | null = null,
): KeyedAssignment => {
  const n = table.size;
  const { score, shape, k0, k1 } = table;
  const order = sorted ?? new Int32Array(n);
  if (sorted === null) {
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort(
      (a, b) =>
        (score[b] as number) - (score[a] as number) ||
        (shape[a] as number) - (shape[b] as number) ||
        compareText(table.receiptText(a), table.receiptText(b)) ||
        compareText(table.transactionText(a), table.transactionText(b)) ||
        a - b,
    );
  }
  // Options per key, in decision order (a CSR layout: one Int32Array, offsets per key).
  // One-to-one options (most of them) are read on k0 / k1 directly: no key array per option and pass.
  const keyStart = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) {
    if (shape[i] === 0) {
      keyStart[(k0[i] as number) + 1] = (keyStart[(k0[i] as number) + 1] as number) + 1;
      keyStart[(k1[i] as number) + 1] = (keyStart[(k1[i] as number) + 1] as number) + 1;
    } else for (const k of table.keysOf(i)) keyStart[k + 1] = (keyStart[k + 1] as number) + 1;
  }
  for (let k = 0; k < keyCount; k++) keyStart[k + 1] = (keyStart[k + 1] as number) + (keyStart[k] as number);
  const fill = keyStart.slice(0, keyCount);
  const entries = keyStart[keyCount] as number;
  const byKey = new Int32Array(entries);
  // Two simple passes instead of one: the (key, option) entries in decision order, then each entry placed in its
  // key's list. The keys are at random places; with little work per iteration and none depending on the one
  // before, the processor overlaps many of those cache misses.
  const entryKey = new Int32Array(entries);
  const entryOption = new Int32Array(entries);
  let e = 0;
  for (let i = 0; i < n; i++) {
    const oi = order[i] as number;
    if (shape[oi] === 0) {
      entryKey[e] = k0[oi] as number;
      entryOption[e++] = oi;
      entryKey[e] = k1[oi] as number;
      entryOption[e++] = oi;
    } else {
      for (const k of table.keysOf(oi)) {
        entryKey[e] = k;
        entryOption[e++] = oi;
      }
    }
  }
  for (let x = 0; x < entries; x++) {
    const k = entryKey[x] as number;
    byKey[fill[k] as number] = entryOption[x] as number;
    fill[k] = (fill[k] as number) + 1;
  }

  const used = new Uint8Array(keyCount);
  const autoKey = new Uint8Array(keyCount);
  const seen = new Int32Array(n).fill(-1);
  const touchesAuto = (o: number): boolean => {
    if (shape[o] === 0) return autoKey[k0[o] as number] === 1 || autoKey[k1[o] as number] === 1;
    for (const k of table.keysOf(o)) if (autoKey[k] === 1) return true;
    return false;
  };
  const hasKey = (o: number, key: number): boolean =>
    shape[o] === 0 ? k0[o] === key || k1[o] === key : table.keysOf(o).includes(key);
  /** Best score among options on key `k`, other than `x` and `y`, not touching `avoid` nor auto-used keys. */
  const bestOn = (k: number, x: number, y: number, avoid: number): number => {
    for (let p = keyStart[k] as number; p < (keyStart[k + 1] as number); p++) {
      const o = byKey[p] as number;
      if (o === x || o === y || touchesAuto(o) || hasKey(o, avoid)) continue;
      return score[o] as number; // lists are in descending score order
    }
    return 0;
  };

  const chosen: number[] = [];
  const auto: boolean[] = [];
  let keys = new Int32Array(8);
  for (let i = 0; i < n; i++) {
    const oi = order[i] as number;
    // This option's keys in `keys[0 … nk − 1]`.
    let nk = 2;
    if (shape[oi] === 0) {
      keys[0] = k0[oi] as number;
      keys[1] = k1[oi] as number;
    } else {
      const list = table.keysOf(oi);
      nk = list.length;
      if (nk > keys.length) keys = new Int32Array(2 * nk);
      keys.set(list);
    }
    let free = true;
    for (let x = 0; x < nk; x++) if (used[keys[x] as number] === 1) free = false;
    if (!free) continue;
    let competitor = 0;
    seen[oi] = oi;
    for (let x = 0; x < nk; x++) {
      const k = keys[x] as number;
      for (let p = keyStart[k] as number; p < (keyStart[k + 1] as number); p++) {
        const ci = byKey[p] as number;
        if (seen[ci] === oi) continue;
        seen[ci] = oi;
        if (touchesAuto(ci)) continue;
        const own = score[ci] as number;
        let effective = own;
        if (shape[oi] === 0 && shape[ci] === 0) {
          const or = k0[oi] as number;
          const ot = k1[oi] as number;
          if (k0[ci] === or) {
            // Same receipt: choosing c frees our transaction and takes c's from its next-best receipt.
            effective += bestOn(ot, oi, ci, or) - bestOn(k1[ci] as number, oi, ci, or);
          } else {
            effective += bestOn(or, oi, ci, ot) - bestOn(k0[ci] as number, oi, ci, ot);
          }
          // A competitor that could not be linked on its own (below the threshold) never outweighs us through
          // the swap: two weak pairs (a tip-tolerance guess each) are not a reason to doubt a certain one. Seen
          // online: a receipt with its exact charge stayed a suggestion while another receipt's charge was late.
          if (own < opts.autoThreshold) effective = Math.min(effective, own);
        }
        if (effective > competitor) competitor = effective;
      }
    }
    const s = score[oi] as number;
    const isAuto = s >= opts.autoThreshold && s - competitor >= opts.autoMargin;
    chosen.push(oi);
    auto.push(isAuto);
    for (let x = 0; x < nk; x++) {
      const k = keys[x] as number;
      used[k] = 1;
      if (isAuto) autoKey[k] = 1;
    }
  }
  return { chosen, auto, autoKey, keyStart, byKey };
};

export interface Assignment {
  /** Chosen options, each receipt and each transaction in at most one; `auto` set on confident ones. */
  readonly chosen: MatchGroup[];
  /** Receipt / transaction ids consumed by an auto link (no suggestion should offer them elsewhere). */
  readonly autoReceipts: ReadonlySet<string>;
  readonly autoTransactions: ReadonlySet<string>;
}

/** `assignKeyed` on MatchGroups (ids mapped to keys). */
export const assign = (
  options: readonly MatchGroup[],
  opts: Pick<MatchOptions, 'autoThreshold' | 'autoMargin'>,
): Assignment => {
  const rKeys = new Map<string, number>();
  const tIds: string[] = [];
  const tKeys = new Map<string, number>();
  for (const o of options) {
    for (const id of o.receiptIds) if (!rKeys.has(id)) rKeys.set(id, rKeys.size);
    for (const id of o.transactionIds) {
      if (!tKeys.has(id)) {
        tKeys.set(id, tIds.length);
        tIds.push(id);
      }
    }
  }
  const nR = rKeys.size;
  const rIds = [...rKeys.keys()];
  const table = new OptionTable((k) => (k < nR ? (rIds[k] as string) : (tIds[k - nR] as string)));
  for (const o of options) {
    const keys = [
      ...o.receiptIds.map((id) => rKeys.get(id) as number),
      ...o.transactionIds.map((id) => nR + (tKeys.get(id) as number)),
    ];
    if (o.shape === 'one-to-one') table.pushPair(o.score, keys[0] as number, keys[1] as number);
    else table.pushGroup(o.score, SHAPE_ORDER[o.shape], keys, o.receiptIds.join(','), o.transactionIds.join(','));
  }
  const result = assignKeyed(table, nR + tIds.length, opts);
  const chosen = result.chosen.map((oi, i) => ({ ...(options[oi] as MatchGroup), auto: result.auto[i] as boolean }));
  const autoReceipts = new Set<string>();
  const autoTransactions = new Set<string>();
  for (const g of chosen) {
    if (!g.auto) continue;
    for (const id of g.receiptIds) autoReceipts.add(id);
    for (const id of g.transactionIds) autoTransactions.add(id);
  }
  return { chosen, autoReceipts, autoTransactions };
};
