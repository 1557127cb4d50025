import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasSubsetSum } from '../../../shared/domain/matching/batch-columns.ts';
import { decisionOrder, OptionTable } from '../../../shared/domain/matching/index.ts';

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('batch fast paths', () => {
  it('decisionOrder gives the order of the comparison sort (score desc, shape, ids, index)', () => {
    const option = fc.record({
      score: fc.oneof(
        fc.integer({ min: 0, max: 10_000 }).map((k) => k / 10_000),
        fc.constantFrom(0.5, 0.8, 0.95),
        fc.double({ min: 0, max: 1, noNaN: true }),
      ),
      shape: fc.integer({ min: 0, max: 3 }),
      r: fc.integer({ min: 0, max: 5 }),
      t: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(option, { maxLength: 60 }), (options) => {
        const ids = ['r0', 'r1', 'r10', 'r2', 'r2', 'R3', 't0', 't1', 't10', 't2', 't2', 'T3'];
        const table = new OptionTable((k) => ids[k] as string);
        for (const o of options) {
          if (o.shape === 0) table.pushPair(o.score, o.r, 6 + o.t);
          else table.pushGroup(o.score, o.shape, [o.r, 6 + o.t], `${ids[o.r]},r9`, ids[6 + o.t] as string);
        }
        const expected = Array.from({ length: table.size }, (_, i) => i).sort(
          (a, b) =>
            (table.score[b] as number) - (table.score[a] as number) ||
            (table.shape[a] as number) - (table.shape[b] as number) ||
            compareText(table.receiptText(a), table.receiptText(b)) ||
            compareText(table.transactionText(a), table.transactionText(b)) ||
            a - b,
        );
        expect(Array.from(decisionOrder(table))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('hasSubsetSum is true exactly when 2 or 3 of the values add up to the target', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 9 }),
        fc.integer({ min: 1, max: 100 }),
        (values, target) => {
          let brute = false;
          for (let i = 0; i < values.length; i++) {
            for (let j = i + 1; j < values.length; j++) {
              const vi = values[i] as number;
              const vj = values[j] as number;
              if (vi + vj === target) brute = true;
              for (let k = j + 1; k < values.length; k++) if (vi + vj + (values[k] as number) === target) brute = true;
            }
          }
          expect(hasSubsetSum(Float64Array.from(values), values.length, target)).toBe(brute);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
