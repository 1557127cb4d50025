import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../shared/runtime/csv.ts';

/** A minimal RFC 4180 reader, to check what toCsv writes reads back the same. */
const parse = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
};

describe('CSV exports', () => {
  it('round-trips any text, commas, quotes and line breaks included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 20 }), (pairs) => {
        const csv = toCsv(pairs, [
          ['a', (p) => p[0]],
          ['b', (p) => p[1]],
        ]);
        expect(parse(csv)).toEqual([['a', 'b'], ...pairs.map(([a, b]) => [a, b])]);
      }),
    );
  });
});
