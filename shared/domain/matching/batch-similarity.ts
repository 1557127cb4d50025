import { merchantSimilarity, type NormalizedMerchant } from './merchant.ts';
import { SimilarityCache } from './score.ts';

/** Merchant ids below this are packed with their pair into one exact number (a · 2^26 + b). */
const MAX_ID = 2 ** 26;

/**
 * A SimilarityCache for batch runs: the same similarities (merchantSimilarity of the merchants with these ids, each
 * pair computed once), kept in an open-addressing table of typed arrays instead of a Map per merchant: a batch
 * looks millions of pairs up, and the table neither hashes through Maps nor allocates per entry.
 */
export class BatchSimilarityCache extends SimilarityCache {
  /** Packed pair (a · 2^26 + b) per slot, −1 when empty. */
  private keys = new Float64Array(1 << 16).fill(-1);
  private values = new Float64Array(1 << 16);
  private count = 0;

  override similarityOfIds(a: number, b: number): number {
    if (a >= MAX_ID || b >= MAX_ID) return super.similarityOfIds(a, b);
    const key = a * MAX_ID + b;
    const { keys } = this;
    const mask = keys.length - 1;
    let h = slotOf(a, b) & mask;
    for (;;) {
      const k = keys[h] as number;
      if (k === key) return this.values[h] as number;
      if (k === -1) break;
      h = (h + 1) & mask;
    }
    const sim = merchantSimilarity(this.merchantOf(a) as NormalizedMerchant, this.merchantOf(b) as NormalizedMerchant);
    keys[h] = key;
    this.values[h] = sim;
    this.count++;
    if (this.count * 2 > keys.length) this.rehash();
    return sim;
  }

  private rehash(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const keys = new Float64Array(oldKeys.length * 2).fill(-1);
    const values = new Float64Array(oldKeys.length * 2);
    const mask = keys.length - 1;
    for (let s = 0; s < oldKeys.length; s++) {
      const key = oldKeys[s] as number;
      if (key === -1) continue;
      const a = Math.floor(key / MAX_ID);
      const b = key - a * MAX_ID;
      let h = slotOf(a, b) & mask;
      while (keys[h] !== -1) h = (h + 1) & mask;
      keys[h] = key;
      values[h] = oldValues[s] as number;
    }
    this.keys = keys;
    this.values = values;
  }
}

/** A well-mixed 32-bit hash of a pair of small integers. */
const slotOf = (a: number, b: number): number => {
  let x = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return x >>> 0;
};
