import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReceipts, parseTransactions, readTransactions } from '../../../cli/commands/reconcile.ts';
import { idHash, laterDuplicates } from '../../../cli/commands/reconcile-scan.ts';
import { transactionAt } from '../../../shared/domain/matching/batch-input.ts';

// The byte-level reader must read every line exactly as JSON.parse + the fast path + the zod schema do: the same
// items (values, interned or not) and the same errors, for valid lines, odd-but-valid lines and broken lines.

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const ws = pick('', '', '', ' ', '  ', '\t', ' \r');
const oddValue = fc.oneof(
  pick<unknown>(null, 12, 1.5, true, [], {}),
  fc.string({ maxLength: 6 }),
  pick('é', 'Café Œuvre', 'a"b', 'a\\b', 'tab\there', 'line\u0001', '😀', '\u2028', ''),
);
/** A field: values the contract accepts, and values it may not. */
const field = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>) => ({ valid, invalid });

const receiptFields = {
  id: field(pick('r1', 'r2', 'r3', 'receipt-é'), fc.oneof(pick(''), fc.integer({ min: 0, max: 3 }))),
  employeeId: field(pick('emp-1', 'emp-2', null), fc.oneof(pick(''), fc.integer({ min: 1, max: 2 }))),
  vendor: field(pick('Café de Flore', 'SQ *COFFEE', '', 'Ichiran', 'a"b', 'tab\there'), pick(null)),
  date: field(pick('2024-05-01', '2024-02-29', '2024-05-31'), pick('2023-02-29', '2024-13-01', '2024-5-1')),
  total: field(pick('12.34', '-3.00', '0', '007.50', '12.30', '1500'), pick('12.345', '1e3', ' 4.00')),
  currency: field(pick('EUR', 'JPY', 'USD'), pick('eur', 'EURO')),
  cardLast4: field(pick(null, '1234'), pick('123', '12345')),
};
const receiptExtras = {
  mccHints: pick<unknown>(['5812'], 'x'),
  category: pick(null, 'restaurant', ''),
  extra: pick('x', null),
};

const transactionFields = {
  id: field(pick('t1', 't2', 't3', 'tx-ü'), fc.oneof(pick(''), fc.integer({ min: 0, max: 3 }))),
  employeeId: field(pick('emp-1', 'emp-2'), pick('', null)),
  merchantName: field(pick('BRASSERIE #12', 'AMZN Mktp FR*2B4', '', 'Ünïcode'), pick(null)),
  mcc: field(pick('5812', '742', '0742', '1'), fc.oneof(pick('58120', 'abcd'), fc.integer({ min: 0, max: 9999 }))),
  amount: field(pick('50.09', '-12.00', '1234.5', '0.10'), pick('12.345', '0.1e1', 'x')),
  currency: field(pick('EUR', 'JPY', 'GBP'), pick('eu')),
  merchantAmount: field(pick(null, '46.40', '9000'), pick('1.234')),
  merchantCurrency: field(pick(null, 'GBP', 'JPY'), pick('usd')),
  authorizedAt: field(
    pick('2024-04-04T17:58:00Z', '2024-02-29T23:59:59Z', '2024-04-04', '2024-04-04T17:58+02:00'),
    pick('2024-04-31T10:00:00Z', 'soon', '2024-04-04T25:00:00Z'),
  ),
  postedAt: field(pick(null, '2024-04-07T05:58:00Z', '2024-01-31T00:00:00.5Z'), pick('2024-04-04T25:00:00Z')),
  cardLast4: field(pick(null, '2622'), pick('26a2')),
};
const transactionExtras = { extra: pick(1) };

/**
 * A line built by hand, keys in any order with optional whitespace: the contract's shape (the required keys, some
 * optional ones, valid values), half the time with one thing broken: a bad or odd value, a missing, unknown or
 * repeated key, a raw character inserted anywhere, a broken start or end.
 */
const lineOf = (
  fields: Record<string, { valid: fc.Arbitrary<unknown>; invalid: fc.Arbitrary<unknown> }>,
  extras: Record<string, fc.Arbitrary<unknown>>,
  required: string[],
) => {
  const names = Object.keys(fields);
  const keys = [...names, ...Object.keys(extras)];
  const breakage = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.record({
      kind: fc.constant('value' as const),
      key: pick(...names),
      value: fc.oneof(...Object.values(fields).map((f) => f.invalid)),
    }),
    fc.record({ kind: fc.constant('invalid' as const), key: pick(...names) }),
    fc.record({ kind: fc.constant('odd' as const), key: pick(...names), value: oddValue }),
    fc.record({ kind: fc.constant('missing' as const), key: pick(...required) }),
    fc.record({ kind: fc.constant('extra' as const), key: pick(...Object.keys(extras)) }),
    fc.record({
      kind: fc.constant('repeat' as const),
      key: pick(...names),
      value: fc.oneof(...Object.values(fields).map((f) => f.valid)),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      char: pick('\t', '\u0001', '"', '\\', 'é', ' ', '}', ','),
    }),
    fc.record({ kind: fc.constant('start' as const), text: pick('[', 'x{', '{{', '') }),
    fc.record({ kind: fc.constant('end' as const), text: pick(',', 'x', '}', ']', ' 1') }),
  );
  return fc
    .record({
      present: fc.subarray(names),
      order: fc.array(fc.nat(), { minLength: keys.length, maxLength: keys.length }),
      valid: fc.record(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.valid]))),
      invalid: fc.record(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.invalid]))),
      extra: fc.record(extras),
      spaces: fc.array(ws, { minLength: 4 * keys.length + 6, maxLength: 4 * keys.length + 6 }),
      broken: fc.oneof(
        { weight: 4, arbitrary: breakage },
        { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
      ),
    })
    .map(({ present, order, valid, invalid, extra, spaces, broken }) => {
      const values: Record<string, unknown> = { ...valid, ...extra };
      let chosen = [...new Set([...required, ...present])];
      if (broken.kind === 'value' || broken.kind === 'odd') values[broken.key] = broken.value;
      if (broken.kind === 'invalid') values[broken.key] = (invalid as Record<string, unknown>)[broken.key];
      if (broken.kind === 'value' || broken.kind === 'odd' || broken.kind === 'invalid') chosen.push(broken.key);
      if (broken.kind === 'missing') chosen = chosen.filter((k) => k !== broken.key);
      if (broken.kind === 'extra') chosen.push(broken.key);
      const sorted = [...new Set(chosen)]
        .map((k) => ({ k, o: order[keys.indexOf(k)] ?? 0 }))
        .sort((a, b) => a.o - b.o)
        .map((x) => x.k);
      let sp = 0;
      const s = () => spaces[sp++ % spaces.length] as string;
      const entry = (k: string, v: unknown) => `${s()}${JSON.stringify(k)}${s()}:${s()}${JSON.stringify(v)}${s()}`;
      const entries = sorted.map((k) => entry(k, values[k]));
      if (broken.kind === 'repeat')
        entries.splice(order[0] ?? 0 % (entries.length + 1), 0, entry(broken.key, broken.value));
      const open = broken.kind === 'start' ? broken.text : '{';
      const close = broken.kind === 'end' ? `}${broken.text}` : '}';
      const text = `${s()}${open}${entries.join(',')}${close}${s()}`;
      if (broken.kind !== 'insert') return text;
      // A raw character anywhere: inside a string a tab or a control character is invalid JSON.
      const at = broken.at % (text.length + 1);
      return text.slice(0, at) + broken.char + text.slice(at);
    });
};

const receiptLine = lineOf(receiptFields, receiptExtras, ['id', 'vendor', 'date', 'total', 'currency']);
const transactionLine = lineOf(transactionFields, transactionExtras, [
  'id',
  'employeeId',
  'merchantName',
  'mcc',
  'amount',
  'currency',
  'authorizedAt',
]);
const file = (line: fc.Arbitrary<string>) =>
  fc
    .array(fc.oneof({ weight: 8, arbitrary: line }, { weight: 1, arbitrary: pick('', '  ', '\r') }), {
      maxLength: 12,
    })
    .chain((lines) => fc.constantFrom(lines.join('\n'), `${lines.join('\n')}\n`, lines.join('\r\n')));

describe('byte-level JSONL reader', () => {
  it('reads receipt files exactly as JSON.parse and the schema do', () => {
    fc.assert(
      fc.property(file(receiptLine), (text) => {
        expect(parseReceipts(text, 'R', 'bytes')).toEqual(parseReceipts(text, 'R', 'json'));
        expect(parseReceipts(Buffer.from(text), 'R', 'bytes')).toEqual(parseReceipts(text, 'R', 'json'));
      }),
      { numRuns: 1500 },
    );
  });

  it('reads transaction files exactly as JSON.parse and the schema do', () => {
    fc.assert(
      fc.property(file(transactionLine), (text) => {
        expect(parseTransactions(text, 'T', 'bytes')).toEqual(parseTransactions(text, 'T', 'json'));
      }),
      { numRuns: 1500 },
    );
  });

  it('takes the byte path for the contract shape (values shared between lines)', () => {
    const line = (id: string) =>
      JSON.stringify({
        id,
        employeeId: 'emp-1',
        merchantName: 'CAFÉ #1',
        mcc: '742',
        amount: '12.30',
        currency: 'EUR',
        merchantAmount: null,
        merchantCurrency: null,
        authorizedAt: '2024-04-04T17:58:00Z',
        postedAt: null,
        cardLast4: '2622',
      });
    const { items, errors } = parseTransactions(`${line('a')}\n${line('b')}\n${line('a')}\n`);
    expect(errors).toEqual([
      { file: 'transactions', line: 3, field: 'id', message: 'duplicate id "a" (first occurrence kept)' },
    ]);
    expect(items.map((t) => t.id)).toEqual(['a', 'b']);
    expect(items[0]).toEqual({
      id: 'a',
      employeeId: 'emp-1',
      merchantName: 'CAFÉ #1',
      mcc: '0742',
      amount: { minor: 1230n, currency: 'EUR' },
      merchantAmount: null,
      authorizedAt: '2024-04-04T17:58:00Z',
      postedAt: null,
      cardLast4: '2622',
    });
    expect(items[1]?.amount).toBe(items[0]?.amount);
  });

  it('keeps the rows of both paths in line order when repeated ids are dropped', () => {
    const base = {
      employeeId: 'emp-1',
      merchantName: 'CAFÉ #1',
      mcc: '742',
      amount: '12.30',
      currency: 'EUR',
      authorizedAt: '2024-04-04T17:58:00Z',
      cardLast4: '2622',
    };
    // A number (id, MCC) or an escape sends a line to the JSON path; the others take the byte path.
    const lines = [
      { ...base, id: 'a' },
      { ...base, id: 7, merchantName: 'SQ *\u00c9', postedAt: '2024-04-05T01:00:00Z' },
      { ...base, id: 'a', amount: '1.00' },
      { ...base, id: '7', mcc: 5812, merchantAmount: '10.00', merchantCurrency: 'USD' },
      { ...base, id: 'c', cardLast4: null },
      { ...base, id: 'd', mcc: 4121, employeeId: 'emp-2' },
      { ...base, id: 'e', authorizedAt: '2024-04-06T10:00:00+02:00' },
    ];
    const text = lines.map((l) => JSON.stringify(l).replace('É"', '\\u00c9"')).join('\n');
    const bytes = parseTransactions(text, 'T', 'bytes');
    expect(bytes).toEqual(parseTransactions(text, 'T', 'json'));
    expect(bytes.items.map((t) => [t.id, t.merchantName, t.mcc, t.postedAt])).toEqual([
      ['a', 'CAFÉ #1', '0742', null],
      ['7', 'SQ *É', '0742', '2024-04-05T01:00:00Z'],
      ['c', 'CAFÉ #1', '0742', null],
      ['d', 'CAFÉ #1', '4121', null],
      ['e', 'CAFÉ #1', '0742', null],
    ]);
    expect(bytes.errors.map((e) => e.line)).toEqual([3, 4]);
  });

  it('drops a repeated id among a large number of JSON-path lines', () => {
    // An escape sends every line to the JSON path: 150 000 rows to shift when the repeat is dropped.
    const n = 150_000;
    const lines: string[] = [];
    for (let k = 0; k < n; k++) {
      lines.push(
        `{"id":"t${k % (n - 1)}","employeeId":"e","merchantName":"CAF\\u00c9","mcc":"5812","amount":"1.00","currency":"EUR","authorizedAt":"2024-04-04T17:58:00Z"}`,
      );
    }
    const { columns, errors } = readTransactions(lines.join('\n'));
    expect(errors.map((e) => e.line)).toEqual([n]);
    expect(columns.length).toBe(n - 1);
    expect(transactionAt(columns, n - 2).merchantName).toBe('CAFÉ');
  });

  it('keeps receipts of both paths, with their MCC hints and category, in line order', () => {
    const base = { employeeId: 'emp-1', vendor: 'Café', date: '2024-04-04', total: '12.30', currency: 'EUR' };
    const lines = [
      { ...base, id: 'a' },
      { ...base, id: 2, mccHints: ['5812'] },
      { ...base, id: 'a', employeeId: null },
      { ...base, id: 'b', category: 'taxi', cardLast4: '1234' },
      { ...base, id: '2' },
      { ...base, id: 'c', employeeId: null, cardLast4: '1234' },
    ];
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    const bytes = parseReceipts(text, 'R', 'bytes');
    expect(bytes).toEqual(parseReceipts(text, 'R', 'json'));
    expect(bytes.items).toEqual([
      {
        id: 'a',
        employeeId: 'emp-1',
        vendor: 'Café',
        date: '2024-04-04',
        total: bytes.items[0]?.total,
        cardLast4: null,
      },
      { ...bytes.items[0], id: '2', mccHints: ['5812'] },
      { ...bytes.items[0], id: 'b', category: 'taxi', cardLast4: '1234' },
      { ...bytes.items[0], id: 'c', employeeId: null, cardLast4: '1234' },
    ]);
    expect(bytes.errors.map((e) => e.line)).toEqual([3, 5]);
  });
});

describe('laterDuplicates', () => {
  it('finds every repeat of an earlier id, whatever the hashes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'é', 'aa'), { maxLength: 40 }),
        fc.boolean(),
        (ids, collide) => {
          // With `collide`, every id gets the same hash: the strings alone must decide.
          const hashes = Int32Array.from(ids, (id) => (collide ? 7 : idHash(id)));
          const seen = new Set<string>();
          const expected: number[] = [];
          ids.forEach((id, at) => {
            if (seen.has(id)) expected.push(at);
            seen.add(id);
          });
          expect(laterDuplicates(ids, hashes)).toEqual(expected);
        },
      ),
    );
  });
});
