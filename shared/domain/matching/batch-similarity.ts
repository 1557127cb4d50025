import { merchantSimilarity, type NormalizedMerchant } from './merchant.ts';
import { type BatchNames, merchantReason, SimilarityCache } from './score.ts';

/** Ids below this are packed with their pair into one exact number (a · 2^26 + b). */
const MAX_ID = 2 ** 26;

/**
 * Numbers by pair of small ids, in an open-addressing table of typed arrays: a batch looks millions of pairs up,
 * and the table neither hashes through Maps nor allocates per entry.
 */
class PairTable {
  /** Packed pair (a · 2^26 + b) per slot, −1 when empty. */
  private keys = new Float64Array(1 << 16).fill(-1);
  private values = new Float64Array(1 << 16);
  private count = 0;

  /** The slot of the pair (ids below MAX_ID) when kept, else −1 − the empty slot where `put` keeps it. */
  find(a: number, b: number): number {
    const key = a * MAX_ID + b;
    const { keys } = this;
    const mask = keys.length - 1;
    let h = slotOf(a, b) & mask;
    for (;;) {
      const k = keys[h] as number;
      if (k === key) return h;
      if (k === -1) return -1 - h;
      h = (h + 1) & mask;
    }
  }

  value(slot: number): number {
    return this.values[slot] as number;
  }

  /** Keeps the value of a pair that `find` did not find (`found` is what it returned), and returns the value. */
  put(found: number, a: number, b: number, value: number): number {
    const h = -1 - found;
    this.keys[h] = a * MAX_ID + b;
    this.values[h] = value;
    this.count++;
    if (this.count * 2 > this.keys.length) this.rehash();
    return value;
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

/**
 * A SimilarityCache for batch runs: the same similarities (merchantSimilarity of the merchants with these ids, each
 * pair computed once), and the merchant reasons of the pairs of names it explains, kept in pair tables.
 */
export class BatchSimilarityCache extends SimilarityCache implements BatchNames {
  private readonly similarities = new PairTable();
  /** Index in `reasons` by pair of name ids (vendor, descriptor). */
  private readonly reasonIndex = new PairTable();
  private readonly reasons: string[] = [];

  override similarityOfIds(a: number, b: number): number {
    if (a >= MAX_ID || b >= MAX_ID) return super.similarityOfIds(a, b);
    const found = this.similarities.find(a, b);
    if (found >= 0) return this.similarities.value(found);
    const sim = merchantSimilarity(this.merchantOf(a) as NormalizedMerchant, this.merchantOf(b) as NormalizedMerchant);
    return this.similarities.put(found, a, b, sim);
  }

  merchantReasonOfIds(vendorId: number, descriptorId: number, vendor: string, descriptor: string, sim: number): string {
    if (vendorId >= MAX_ID || descriptorId >= MAX_ID) return merchantReason(vendor, descriptor, sim);
    const found = this.reasonIndex.find(vendorId, descriptorId);
    if (found >= 0) return this.reasons[this.reasonIndex.value(found)] as string;
    // A pair of names always has the same similarity, so the same reason (serializing it flattens it once).
    const reason = merchantReason(vendor, descriptor, sim);
    this.reasonIndex.put(found, vendorId, descriptorId, this.reasons.push(reason) - 1);
    return reason;
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
