import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMoney } from '../../../shared/domain/matching/amount.ts';
import { convertedAbs, parseRate } from '../../../shared/domain/matching/batch-fx.ts';
import { BatchSimilarityCache } from '../../../shared/domain/matching/batch-similarity.ts';
import { merchantSimilarity, normalizeMerchant } from '../../../shared/domain/matching/merchant.ts';

describe('batch FX conversion', () => {
  it('convertedAbs gives the absolute value convertMoney gives, or −1', () => {
    const rate = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 500 }), fc.stringMatching(/^[0-9]{0,9}$/))
        .map(([w, f]) => (f === '' ? String(w) : `${w}.${f}`)),
      fc.constantFrom('0.92', '1', '0', '0.0', ' 1.5 ', 'x', '1e3', '163.25', '0.00612345', '99999999999999999999'),
    );
    const currency = fc.constantFrom('EUR', 'JPY', 'KWD', 'USD', 'CLP');
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.constantFrom(0n, 1n, -5n, 2n ** 53n)),
        rate,
        currency,
        currency,
        (minor, r, from, to) => {
          const c = convertMoney({ minor, currency: from }, r, to);
          const expected = c === null ? null : c.minor < 0n ? -c.minor : c.minor;
          const abs = minor < 0n ? -minor : minor;
          const v = convertedAbs(Number(abs), parseRate(r, from, to));
          if (v >= 0) expect(BigInt(v)).toBe(expected);
          const parsed = parseRate(r, from, to);
          if (
            expected !== null &&
            parsed.num > 0 &&
            abs * BigInt(parsed.num) * 10n ** 16n < BigInt(Number.MAX_SAFE_INTEGER)
          ) {
            expect(v).toBeGreaterThanOrEqual(0); // small enough: never left to convertMoney
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('batch similarity cache', () => {
  it('gives merchantSimilarity of the merchants with these ids, before and after growing', () => {
    const names = [
      'Café de Flore',
      'CAFE DE FLORE PARIS',
      'SQ *COFFEE',
      'Ichiran',
      'ICHIRAN SHIBUYA',
      'UBER *TRIP',
      'Uber',
    ];
    const cache = new BatchSimilarityCache();
    const ids = names.map((n) => cache.internId(n));
    for (let round = 0; round < 2; round++) {
      for (const a of ids) {
        for (const b of ids) {
          expect(cache.similarityOfIds(a, b)).toBe(merchantSimilarity(cache.merchantOf(a), cache.merchantOf(b)));
        }
      }
    }
    // Many distinct pairs: the table grows and keeps every value.
    const more = Array.from({ length: 400 }, (_, k) =>
      cache.internId(`SHOP ${String.fromCharCode(65 + (k % 26))}${k}`),
    );
    const seen = new Map<string, number>();
    for (const a of more.slice(0, 200))
      for (const b of more.slice(180, 400)) seen.set(`${a} ${b}`, cache.similarityOfIds(a, b));
    for (const [k, v] of seen) {
      const [a, b] = k.split(' ').map(Number) as [number, number];
      expect(cache.similarityOfIds(a, b)).toBe(v);
      expect(v).toBe(merchantSimilarity(cache.merchantOf(a), cache.merchantOf(b)));
    }
    const fresh = normalizeMerchant('Ichiran');
    expect(cache.similarity(fresh, cache.merchantOf(ids[4] as number))).toBe(
      merchantSimilarity(fresh, cache.merchantOf(ids[4] as number)),
    );
  });
});
