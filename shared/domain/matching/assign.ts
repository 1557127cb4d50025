import type { MatchGroup, MatchOptions } from './types.ts';

const SHAPE_ORDER: Readonly<Record<MatchGroup['shape'], number>> = {
  'one-to-one': 0,
  'receipt-to-many': 1,
  'many-to-transaction': 2,
  'refund-of-purchase': 3,
};

/** Code-unit order (locale-independent, so the same input gives the same decisions on every machine). */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic order: score desc, then simpler shapes, then ids. */
export const compareOptions = (a: MatchGroup, b: MatchGroup): number =>
  b.score - a.score ||
  SHAPE_ORDER[a.shape] - SHAPE_ORDER[b.shape] ||
  compareText(a.receiptIds.join(','), b.receiptIds.join(',')) ||
  compareText(a.transactionIds.join(','), b.transactionIds.join(','));

/**
 * An assignment option on integer keys: receipt i is key i, transaction j is key `receiptCount + j`. The batch
 * reconciler builds these directly (millions of one-to-one pairs without a MatchGroup each); `assign` converts.
 */
export interface KeyedOption {
  readonly score: number;
  /** SHAPE_ORDER of the shape (0 = one-to-one). */
  readonly shape: number;
  /** Receipt keys then transaction keys. */
  readonly keys: readonly number[];
  /** Number of receipt keys at the start of `keys`. */
  readonly receiptKeys: number;
  /** Receipt ids joined with ',' and transaction ids joined with ',' (the tie-breakers of `compareOptions`). */
  readonly receiptText: string;
  readonly transactionText: string;
}

const compareKeyed = (a: KeyedOption, b: KeyedOption): number =>
  b.score - a.score ||
  a.shape - b.shape ||
  compareText(a.receiptText, b.receiptText) ||
  compareText(a.transactionText, b.transactionText);

export interface KeyedAssignment {
  /** Indices into the (unsorted) option list of the chosen options, in decision order. */
  readonly chosen: number[];
  /** Parallel to `chosen`: whether the option is auto-linked. */
  readonly auto: boolean[];
  /** Per key: 1 when consumed by an auto link. */
  readonly autoKey: Uint8Array;
  /** Option indices sorted in decision order (score desc, shape, ids). */
  readonly order: Int32Array;
  /** Options on each key in decision order: `byKey.slice(keyStart[k], keyStart[k + 1])` (indices into the list). */
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
  options: readonly KeyedOption[],
  keyCount: number,
  opts: Pick<MatchOptions, 'autoThreshold' | 'autoMargin'>,
): KeyedAssignment => {
  const n = options.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => compareKeyed(options[a] as KeyedOption, options[b] as KeyedOption) || a - b);
  // Options per key, in decision order (a CSR layout: one Int32Array, offsets per key).
  const keyStart = new Int32Array(keyCount + 1);
  for (const o of options) for (const k of o.keys) keyStart[k + 1] = (keyStart[k + 1] as number) + 1;
  for (let k = 0; k < keyCount; k++) keyStart[k + 1] = (keyStart[k + 1] as number) + (keyStart[k] as number);
  const fill = keyStart.slice(0, keyCount);
  const byKey = new Int32Array(keyStart[keyCount] as number);
  for (let i = 0; i < n; i++) {
    const oi = order[i] as number;
    for (const k of (options[oi] as KeyedOption).keys) {
      byKey[fill[k] as number] = oi;
      fill[k] = (fill[k] as number) + 1;
    }
  }

  const used = new Uint8Array(keyCount);
  const autoKey = new Uint8Array(keyCount);
  const seen = new Int32Array(n).fill(-1);
  const touchesAuto = (o: KeyedOption): boolean => {
    for (const k of o.keys) if (autoKey[k] === 1) return true;
    return false;
  };
  /** Best score among options on key `k`, other than `x` and `y`, not touching `avoid` nor auto-used keys. */
  const bestOn = (k: number, x: number, y: number, avoid: number): number => {
    for (let p = keyStart[k] as number; p < (keyStart[k + 1] as number); p++) {
      const oi = byKey[p] as number;
      if (oi === x || oi === y) continue;
      const o = options[oi] as KeyedOption;
      if (touchesAuto(o) || o.keys.includes(avoid)) continue;
      return o.score; // lists are in descending score order
    }
    return 0;
  };

  const chosen: number[] = [];
  const auto: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const oi = order[i] as number;
    const option = options[oi] as KeyedOption;
    const keys = option.keys;
    let free = true;
    for (const k of keys) if (used[k] === 1) free = false;
    if (!free) continue;
    let competitor = 0;
    seen[oi] = oi;
    for (const k of keys) {
      for (let p = keyStart[k] as number; p < (keyStart[k + 1] as number); p++) {
        const ci = byKey[p] as number;
        if (seen[ci] === oi) continue;
        seen[ci] = oi;
        const c = options[ci] as KeyedOption;
        if (touchesAuto(c)) continue;
        let effective = c.score;
        if (option.shape === 0 && c.shape === 0) {
          const [or, ot] = keys as [number, number];
          const [cr, ct] = c.keys as [number, number];
          if (cr === or) {
            // Same receipt: choosing c frees our transaction and takes c's from its next-best receipt.
            effective += bestOn(ot, oi, ci, or) - bestOn(ct, oi, ci, or);
          } else {
            effective += bestOn(or, oi, ci, ot) - bestOn(cr, oi, ci, ot);
          }
        }
        if (effective > competitor) competitor = effective;
      }
    }
    const isAuto = option.score >= opts.autoThreshold && option.score - competitor >= opts.autoMargin;
    chosen.push(oi);
    auto.push(isAuto);
    for (const k of keys) {
      used[k] = 1;
      if (isAuto) autoKey[k] = 1;
    }
  }
  return { chosen, auto, autoKey, order, keyStart, byKey };
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
  const keyed: KeyedOption[] = options.map((o) => ({
    score: o.score,
    shape: SHAPE_ORDER[o.shape],
    keys: [
      ...o.receiptIds.map((id) => rKeys.get(id) as number),
      ...o.transactionIds.map((id) => rKeys.size + (tKeys.get(id) as number)),
    ],
    receiptKeys: o.receiptIds.length,
    receiptText: o.receiptIds.join(','),
    transactionText: o.transactionIds.join(','),
  }));
  const result = assignKeyed(keyed, rKeys.size + tIds.length, opts);
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
