import type { MatchGroup, MatchOptions } from './types.ts';

const SHAPE_ORDER: Readonly<Record<MatchGroup['shape'], number>> = {
  'one-to-one': 0,
  'receipt-to-many': 1,
  'many-to-transaction': 2,
  'refund-of-purchase': 3,
};

const rKey = (id: string): string => `r\u0000${id}`;
const tKey = (id: string): string => `t\u0000${id}`;
const keyCache = new WeakMap<MatchGroup, string[]>();
const keysOf = (g: MatchGroup): string[] => {
  let k = keyCache.get(g);
  if (!k) {
    k = [...g.receiptIds.map(rKey), ...g.transactionIds.map(tKey)];
    keyCache.set(g, k);
  }
  return k;
};

/** Deterministic order: score desc, then simpler shapes, then ids. */
export const compareOptions = (a: MatchGroup, b: MatchGroup): number =>
  b.score - a.score ||
  SHAPE_ORDER[a.shape] - SHAPE_ORDER[b.shape] ||
  a.receiptIds.join(',').localeCompare(b.receiptIds.join(',')) ||
  a.transactionIds.join(',').localeCompare(b.transactionIds.join(','));

export interface Assignment {
  /** Chosen options, each receipt and each transaction in at most one; `auto` set on confident ones. */
  readonly chosen: MatchGroup[];
  /** Receipt / transaction ids consumed by an auto link (no suggestion should offer them elsewhere). */
  readonly autoReceipts: ReadonlySet<string>;
  readonly autoTransactions: ReadonlySet<string>;
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
export const assign = (
  options: readonly MatchGroup[],
  opts: Pick<MatchOptions, 'autoThreshold' | 'autoMargin'>,
): Assignment => {
  const sorted = [...options].sort(compareOptions);
  const byKey = new Map<string, MatchGroup[]>();
  for (const o of sorted) {
    for (const k of keysOf(o)) {
      const l = byKey.get(k);
      if (l) l.push(o);
      else byKey.set(k, [o]);
    }
  }
  const used = new Set<string>();
  const autoUsed = new Set<string>();
  const chosen: MatchGroup[] = [];
  const touchesAuto = (g: MatchGroup): boolean => keysOf(g).some((k) => autoUsed.has(k));

  /** Best score among options on key `k`, other than `excluding`, not touching `avoid` nor auto-used keys. */
  const bestOn = (k: string, excluding: readonly MatchGroup[], avoid: string): number => {
    for (const o of byKey.get(k) ?? []) {
      if (excluding.includes(o) || touchesAuto(o) || keysOf(o).includes(avoid)) continue;
      return o.score; // lists are in descending score order
    }
    return 0;
  };

  for (const option of sorted) {
    const keys = keysOf(option);
    if (keys.some((k) => used.has(k))) continue;
    let competitor = 0;
    const seen = new Set<MatchGroup>([option]);
    for (const k of keys) {
      for (const c of byKey.get(k) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (touchesAuto(c)) continue;
        let effective = c.score;
        if (option.shape === 'one-to-one' && c.shape === 'one-to-one') {
          const sharedReceipt = c.receiptIds[0] === option.receiptIds[0];
          if (sharedReceipt) {
            const freed = tKey(option.transactionIds[0] as string);
            const taken = tKey(c.transactionIds[0] as string);
            const shared = rKey(option.receiptIds[0] as string);
            effective += bestOn(freed, [option, c], shared) - bestOn(taken, [option, c], shared);
          } else {
            const freed = rKey(option.receiptIds[0] as string);
            const taken = rKey(c.receiptIds[0] as string);
            const shared = tKey(option.transactionIds[0] as string);
            effective += bestOn(freed, [option, c], shared) - bestOn(taken, [option, c], shared);
          }
        }
        if (effective > competitor) competitor = effective;
      }
    }
    const auto = option.score >= opts.autoThreshold && option.score - competitor >= opts.autoMargin;
    const picked: MatchGroup = { ...option, auto };
    chosen.push(picked);
    for (const k of keys) {
      used.add(k);
      if (auto) autoUsed.add(k);
    }
  }
  const autoReceipts = new Set<string>();
  const autoTransactions = new Set<string>();
  for (const g of chosen) {
    if (!g.auto) continue;
    for (const id of g.receiptIds) autoReceipts.add(id);
    for (const id of g.transactionIds) autoTransactions.add(id);
  }
  return { chosen, autoReceipts, autoTransactions };
};
