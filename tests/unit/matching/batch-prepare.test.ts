import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionOrder, idSortKey, OptionTable } from '../../../shared/domain/matching/assign.ts';
import { CodeInterner, DayGroups, Interner, sortByInstant } from '../../../shared/domain/matching/batch-columns.ts';
import { epochMs, instantMs } from '../../../shared/domain/matching/dates.ts';

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const two = (n: number): string => String(n).padStart(2, '0');

describe('batch preparation fast paths', () => {
  it('instantMs gives what epochMs gives, on the common form and on others', () => {
    const common = fc
      .record({
        y: fc.oneof(fc.integer({ min: 1960, max: 2110 }), fc.integer({ min: 0, max: 9999 })),
        mo: fc.integer({ min: 1, max: 12 }),
        d: fc.integer({ min: 1, max: 31 }),
        h: fc.integer({ min: 0, max: 23 }),
        mi: fc.integer({ min: 0, max: 59 }),
        s: fc.integer({ min: 0, max: 59 }),
      })
      .map(
        ({ y, mo, d, h, mi, s }) =>
          `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}Z`,
      )
      .filter((v) => !Number.isNaN(Date.parse(v)));
    const other = fc.constantFrom(
      '2024-05-01',
      '2024-05-01T12:30Z',
      '2024-05-01T12:30:00.250Z',
      '2024-05-01T12:30:00+02:00',
      '2024-02-29T23:59:59Z',
      '2023-12-31T23:59:59Z',
      '0099-01-05T10:00:00Z',
    );
    fc.assert(
      fc.property(fc.oneof(common, other), (v) => {
        expect(instantMs(v)).toBe(epochMs(v));
      }),
      { numRuns: 2000 },
    );
    expect(() => instantMs('2024-13-45T00:00:00Z')).toThrow(RangeError);
  });

  it('sortByInstant orders each run by instant, then tie, then item', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 12 }), { maxLength: 6 }),
        fc.boolean(),
        (runs, fractional) => {
          const ms: number[] = [];
          const start = [0];
          for (const run of runs) {
            for (const m of run) ms.push(1_700_000_000_000 + m * 60_000 + (fractional && m % 3 === 0 ? 0.5 : 0));
            start.push(ms.length);
          }
          const ids = ms.map((_, j) => ['b', 'a', 'c'][j % 3] as string);
          const instants = Float64Array.from(ms);
          const order = Int32Array.from(ms.map((_, j) => j));
          const tie = (a: number, b: number): number => compareText(ids[a] as string, ids[b] as string);
          const expected = Array.from(order);
          for (let r = 0; r + 1 < start.length; r++) {
            const run = expected.slice(start[r], start[r + 1]);
            run.sort((a, b) => (ms[a] as number) - (ms[b] as number) || tie(a, b) || a - b);
            expected.splice(start[r] as number, run.length, ...run);
          }
          sortByInstant(order, Int32Array.from(start), instants, tie);
          expect(Array.from(order)).toEqual(expected);
        },
      ),
    );
  });

  it('CodeInterner gives the ids an Interner gives', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
            fc.string(),
          ),
          {
            maxLength: 40,
          },
        ),
        (values) => {
          const a = new Interner();
          const b = new CodeInterner();
          for (const v of values) expect(b.id(v)).toBe(a.id(v));
          expect(b.values).toEqual(a.values);
        },
      ),
    );
  });
});

describe('id sort keys', () => {
  const id = fc.oneof(
    fc.stringMatching(/^[rt][0-9]{0,6}$/),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('', 'a', 'a\u0000', 'é', 'r10', 'r9', 'abcdefg', 'abcdefgh'),
  );
  it('two ids with keys compare as their keys; a key is NaN beyond 7 ASCII code units', () => {
    fc.assert(
      fc.property(id, id, (a, b) => {
        const ka = idSortKey(a);
        const kb = idSortKey(b);
        if (Number.isNaN(ka) || Number.isNaN(kb)) return;
        expect(Math.sign(ka - kb)).toBe(compareText(a, b));
      }),
      { numRuns: 3000 },
    );
    expect(idSortKey('abcdefgh')).toBeNaN();
    expect(idSortKey('é')).toBeNaN();
  });

  it('decisionOrder with id keys gives the order without them', () => {
    const option = fc.record({
      score: fc.constantFrom(0.5, 0.8, 0.95),
      shape: fc.integer({ min: 0, max: 1 }),
      r: fc.integer({ min: 0, max: 5 }),
      t: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(option, { maxLength: 60 }), fc.boolean(), (options, long) => {
        const ids = ['r0', 'r1', 'r10', 'r2', long ? 'r2-very-long' : 'r3', 'R3', 't0', 't1', 't10', 't2', 't2x', 'T3'];
        const table = new OptionTable((k) => ids[k] as string);
        for (const o of options) {
          if (o.shape === 0) table.pushPair(o.score, o.r, 6 + o.t);
          else table.pushGroup(o.score, o.shape, [o.r, 6 + o.t], `${ids[o.r]},r9`, ids[6 + o.t] as string);
        }
        const keys = Float64Array.from(ids, idSortKey);
        expect(Array.from(decisionOrder(table, keys))).toEqual(Array.from(decisionOrder(table)));
      }),
    );
  });
});

describe('DayGroups', () => {
  it('visits the items of a key in a day window in (day, index) order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -1, max: 3 }), fc.integer({ min: 19_000, max: 19_040 })), {
          maxLength: 80,
        }),
        fc.integer({ min: 19_000, max: 19_040 }),
        fc.integer({ min: 0, max: 20 }),
        (items, from, width) => {
          const keys = Int32Array.from(items, ([k]) => k);
          const days = Int32Array.from(items, ([, d]) => d);
          const groups = new DayGroups(keys, 4, days);
          for (let key = 0; key < 4; key++) {
            const seen: number[] = [];
            groups.range(key, from, from + width, (i) => seen.push(i));
            const expected = items
              .map(([k, d], i) => ({ k, d, i }))
              .filter(({ k, d }) => k === key && d >= from && d <= from + width)
              .sort((a, b) => a.d - b.d || a.i - b.i)
              .map(({ i }) => i);
            expect(seen).toEqual(expected);
          }
        },
      ),
    );
  });
});
