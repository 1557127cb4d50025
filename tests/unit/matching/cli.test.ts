import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseTransactions, runReconcile } from '../../../cli/commands/reconcile.ts';

const root = resolve(import.meta.dirname, '../../..');
const fixtures = resolve(root, 'tests/fixtures/matching');
const run = promisify(execFile);

const cli = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [resolve(root, 'bin/quittance.js'), 'reconcile', ...args], {
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('quittance reconcile', () => {
  it('prints one JSON proposal a line with exactly the contract fields', async () => {
    const { code, stdout, stderr } = await cli(
      '--receipts',
      `${fixtures}/receipts.jsonl`,
      '--transactions',
      `${fixtures}/transactions.jsonl`,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['receiptId', 'transactionId', 'score', 'auto', 'reasons']);
      expect(typeof l.score).toBe('number');
      expect(Array.isArray(l.reasons)).toBe(true);
    }
    const auto = lines.filter((l) => l.auto).map((l) => `${l.receiptId}→${l.transactionId}`);
    expect(auto).toEqual(
      expect.arrayContaining([
        'r-coffee→t-coffee',
        'r-dinner→t-dinner',
        'r-nyc→t-nyc',
        'r-amazon→t-amz-1',
        'r-amazon→t-amz-2',
        'r-amazon→t-amz-refund',
        'r-hotel→t-hotel-dep',
        'r-hotel→t-hotel-fin',
        'r-taxi→t-taxi',
      ]),
    );
    expect(lines.some((l) => l.receiptId === 'r-orphan' || l.transactionId === 't-nomatch')).toBe(false);
  }, 30_000);

  it('reports bad lines with file, line, field and reason, keeps the others, exits 1', async () => {
    const { code, stdout, stderr } = await cli(
      '--receipts',
      `${fixtures}/bad-receipts.jsonl`,
      '--transactions',
      `${fixtures}/transactions.jsonl`,
    );
    expect(code).toBe(1);
    expect(stderr).toContain('bad-receipts.jsonl:2: field "total": expected a decimal string such as "12.34"');
    expect(stderr).toContain('bad-receipts.jsonl:3: invalid JSON');
    expect(stderr).toContain('bad-receipts.jsonl:4: field "date": not a calendar date');
    expect(stderr).toContain('bad-receipts.jsonl:5: field "total": amount "1.001" has more than 2 decimals for EUR');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout).receiptId).toBe('r-ok');
  }, 30_000);

  it('usage errors exit 2', async () => {
    const { code, stderr } = await cli('--receipts', `${fixtures}/receipts.jsonl`);
    expect(code).toBe(2);
    expect(stderr).toContain('--transactions is required');
  }, 30_000);
});

describe('line validation', () => {
  it('names the field and the line for transactions', () => {
    const text = [
      JSON.stringify({
        id: 't',
        employeeId: 'e',
        merchantName: 'X',
        mcc: '5812',
        amount: '1.00',
        currency: 'EUR',
        authorizedAt: 'yesterday',
        postedAt: null,
        cardLast4: null,
      }),
      JSON.stringify({
        id: 'u',
        employeeId: 'e',
        merchantName: 'X',
        mcc: 5812,
        amount: '1.00',
        currency: 'EUR',
        merchantAmount: '2.00',
        merchantCurrency: null,
        authorizedAt: '2024-05-01T10:00:00Z',
        postedAt: null,
        cardLast4: '12345',
      }),
      JSON.stringify({
        id: 'v',
        employeeId: 'e',
        merchantName: 'X',
        mcc: 5812,
        amount: '-1.00',
        currency: 'EUR',
        merchantAmount: '2.00',
        merchantCurrency: 'USD',
        authorizedAt: '2024-05-01T10:00:00Z',
        postedAt: null,
        cardLast4: '1234',
      }),
      JSON.stringify({
        id: 'v',
        employeeId: 'e',
        merchantName: 'X',
        mcc: 5812,
        amount: '-1.00',
        currency: 'EUR',
        authorizedAt: '2024-05-01T10:00:00Z',
        postedAt: null,
        cardLast4: '1234',
      }),
    ].join('\n');
    const { items, errors } = parseTransactions(text, 'T.jsonl');
    expect(items.map((t) => t.id)).toEqual(['v']);
    expect(items[0]?.mcc).toBe('5812');
    expect(errors.map((e) => `${e.line}:${e.field}`)).toEqual(['1:authorizedAt', '2:cardLast4', '4:id']);
  });

  it('runs the same path the benchmark uses', () => {
    const r = readFileSync(`${fixtures}/receipts.jsonl`, 'utf8');
    const t = readFileSync(`${fixtures}/transactions.jsonl`, 'utf8');
    const out = runReconcile(r, t);
    expect(out.errors).toEqual([]);
    expect(out.output.split('\n').filter(Boolean).length).toBe(out.result.proposals.length);
  });
});
