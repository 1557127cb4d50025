import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  type ReceiptColumns,
  receiptAt,
  type TransactionColumns,
  toReceiptColumns,
  toTransactionColumns,
  transactionAt,
} from '../../shared/domain/matching/batch-input.ts';
import { isPlainInstant } from '../../shared/domain/matching/dates.ts';
import {
  defaultMatchOptions,
  type MatchOptions,
  type MatchProposal,
  type MatchReceipt,
  type MatchTransaction,
  type RateSource,
  type ReconcileResult,
  reconcile,
} from '../../shared/domain/matching/index.ts';
import { type Money, parseMoney } from '../../shared/domain/money.ts';
import { type Command, UsageError } from '../command.ts';
import { type Checks, idHash, laterDuplicates, ReceiptReader, TransactionReader } from './reconcile-scan.ts';

/*
 * Input contract (JSON Lines, one object a line; blank lines ignored):
 *   receipt:     {"id", "employeeId" (or null), "vendor", "date": "YYYY-MM-DD", "total": "12.34", "currency",
 *                 "cardLast4" (or null)}  (+ optional "mccHints": ["5812"], "category": "restaurant")
 *   transaction: {"id", "employeeId", "merchantName", "mcc", "amount": "12.34", "currency", "merchantAmount",
 *                 "merchantCurrency", "authorizedAt", "postedAt", "cardLast4"}  (negative amount = refund)
 * Amounts are decimal strings (a JSON number is accepted when it prints as a plain decimal).
 * A bad line is reported on stderr as `<file>:<line>: field "<f>": <reason>` and skipped; the others are
 * reconciled and printed; the exit code is then 1 (0 when every line was valid).
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const decimal = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .refine((v) => DECIMAL.test(v), { message: 'expected a decimal string such as "12.34"' });
const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as "EUR"');
const calendarDate = z
  .string()
  .regex(ISO_DATE, 'expected a date YYYY-MM-DD')
  .refine(
    (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    {
      message: 'not a calendar date',
    },
  );
const instant = z
  .string()
  .regex(ISO_INSTANT, 'expected an ISO 8601 instant such as "2024-05-01T12:30:00Z"')
  .refine((v) => !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)), { message: 'not a valid instant' });
const last4 = z.string().regex(/^\d{4}$/, 'expected 4 digits');
const id = z.union([z.string().min(1), z.number().int()]).transform(String);

export const receiptLineSchema = z.object({
  id,
  employeeId: id.nullable().optional(),
  vendor: z.string(),
  date: calendarDate,
  total: decimal,
  currency,
  cardLast4: last4.nullable().optional(),
  mccHints: z.array(z.string()).optional(),
  category: z.string().nullable().optional(),
});

export const transactionLineSchema = z.object({
  id,
  employeeId: id,
  merchantName: z.string(),
  mcc: z
    .union([z.string().regex(/^\d{1,4}$/, 'expected a 4-digit MCC'), z.number().int().min(0).max(9999)])
    .transform((v) => String(v).padStart(4, '0')),
  amount: decimal,
  currency,
  merchantAmount: decimal.nullable().optional(),
  merchantCurrency: currency.nullable().optional(),
  authorizedAt: instant,
  postedAt: instant.nullable().optional(),
  cardLast4: last4.nullable().optional(),
});

export interface LineError {
  readonly file: string;
  readonly line: number;
  readonly field: string | null;
  readonly message: string;
}

export const formatLineError = (e: LineError): string =>
  `${e.file}:${e.line}: ${e.field === null ? '' : `field "${e.field}": `}${e.message}`;

/**
 * What `parseLines` reads: a text, its bytes, or an open file read in chunks of a few megabytes (the CLI's inputs:
 * hundreds of megabytes are then never held at once, and the bytes are scanned while still in the cache).
 */
export type LineInput = string | Uint8Array | { readonly fd: number; readonly chunkBytes?: number };

/** Bytes read from a file per chunk by default (a line longer than a chunk grows the buffer). */
const CHUNK_BYTES = 4 << 20;

/** Where `parseLines` puts what it reads: an array of items, or the rows of a column reader. */
interface LineSink<T> {
  readonly size: number;
  /** Reads a line of the common shape as a new entry; false leaves the line to JSON.parse and the schema. */
  scan(buf: Uint8Array, start: number, end: number): boolean;
  /** Appends an item the JSON path parsed. */
  add(item: T): void;
  id(at: number): string;
  /** Removes the entries at these indices (ascending). */
  drop(at: readonly number[]): void;
}

/** Items in an array, every line through JSON.parse (the reference the column readers are tested against). */
class ItemSink<T extends { id: string }> implements LineSink<T> {
  items: T[] = [];
  get size(): number {
    return this.items.length;
  }
  scan(): boolean {
    return false;
  }
  add(item: T): void {
    this.items.push(item);
  }
  id(at: number): string {
    return (this.items[at] as T).id;
  }
  drop(at: readonly number[]): void {
    const dropped = new Set(at);
    this.items = this.items.filter((_, k) => !dropped.has(k));
  }
}

/**
 * Parses JSONL line by line into `sink`; bad lines become errors, never exceptions. Each line goes through the
 * sink's `scan` first (a byte-level reader of the common shape, see reconcile-scan.ts), then through JSON.parse and
 * `fast` (a hand-written check of the common shape that returns null when in doubt), and through the zod schema
 * otherwise, so the schema stays the definition of what is accepted and the source of the error messages. Lines
 * are counted from 1; blank lines are skipped; a repeated id is an error on the later line (the first is kept).
 */
const parseLines = <S extends z.ZodType, T extends { id: string }>(
  input: LineInput,
  file: string,
  schema: S,
  convert: (v: z.output<S>) => T,
  fast: (json: unknown) => T | null,
  sink: LineSink<T>,
): LineError[] => {
  const fd = typeof input === 'object' && 'fd' in input ? input.fd : -1;
  let buf =
    fd >= 0
      ? Buffer.allocUnsafe(Math.max(1, (input as { chunkBytes?: number }).chunkBytes ?? CHUNK_BYTES))
      : typeof input === 'string'
        ? Buffer.from(input, 'utf8')
        : Buffer.isBuffer(input)
          ? input
          : Buffer.from(
              (input as Uint8Array).buffer,
              (input as Uint8Array).byteOffset,
              (input as Uint8Array).byteLength,
            );
  /** The bytes of `buf` read so far; `ended` once the input has no more. */
  let size = fd >= 0 ? 0 : buf.length;
  let ended = fd < 0;
  const errors: LineError[] = [];
  const parseRaw = (raw: string, line: number): T | null => {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      errors.push({ file, line, field: null, message: `invalid JSON (${(error as Error).message})` });
      return null;
    }
    let item: T | null;
    try {
      item = fast(json);
    } catch {
      item = null; // e.g. an amount with too many decimals: let the slow path word the error
    }
    if (item !== null) return item;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue && issue.path.length > 0 ? issue.path.join('.') : null;
      errors.push({ file, line, field, message: issue?.message ?? 'invalid line' });
      return null;
    }
    try {
      return convert(parsed.data);
    } catch (error) {
      const e = error as Error & { field?: string };
      errors.push({ file, line, field: e.field ?? null, message: e.message });
      return null;
    }
  };
  let lines = new Int32Array(1 << 16);
  let hashes = new Int32Array(1 << 16);
  let line = 0;
  for (let from = 0; ; ) {
    let to = buf.indexOf(10, from);
    if (to < 0 || to >= size) {
      if (!ended) {
        // The rest is a partial line: moved to the start of the buffer, then the next chunk read after it.
        buf.copyWithin(0, from, size);
        size -= from;
        from = 0;
        if (size === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, size);
          buf = bigger;
        }
        const n = readSync(fd, buf, size, buf.length - size, null);
        if (n === 0) ended = true;
        size += n;
        continue;
      }
      if (from >= size) break;
      to = size;
    }
    line++;
    if (to > from) {
      const n = sink.size;
      let added = sink.scan(buf, from, to);
      if (!added) {
        const raw = buf.toString('utf8', from, to).trim();
        const item = raw === '' ? null : parseRaw(raw, line);
        if (item !== null) {
          sink.add(item);
          added = true;
        }
      }
      if (added) {
        if (n === lines.length) {
          lines = grown(lines);
          hashes = grown(hashes);
        }
        lines[n] = line;
        hashes[n] = idHash(sink.id(n));
      }
    }
    from = to + 1;
  }
  const n = sink.size;
  const ids: string[] = new Array(n);
  for (let k = 0; k < n; k++) ids[k] = sink.id(k);
  const later = laterDuplicates(ids, hashes);
  if (later.length === 0) return errors;
  for (const at of later) {
    errors.push({
      file,
      line: lines[at] as number,
      field: 'id',
      message: `duplicate id "${ids[at]}" (first occurrence kept)`,
    });
  }
  errors.sort((a, b) => a.line - b.line);
  sink.drop(later);
  return errors;
};

const grown = (a: Int32Array): Int32Array<ArrayBuffer> => {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
};

// Fast path: accepts only lines the zod schemas accept, and converts them exactly as `convert` does. Anything
// unusual (numbers for ids or amounts, missing fields, bad values) returns null and takes the zod path.

const CURRENCY = /^[A-Z]{3}$/;
const LAST4 = /^\d{4}$/;
const MCC = /^\d{1,4}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A YYYY-MM-DD string that is a real calendar date (what `calendarDate` accepts). */
const isCalendarDate = (v: string): boolean => {
  if (v.length !== 10 || !ISO_DATE.test(v)) return false;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] as number));
};
const isInstant = (v: unknown): v is string =>
  typeof v === 'string' &&
  (isPlainInstant(v) || (ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v))));
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isDecimal = (v: unknown): v is string => typeof v === 'string' && DECIMAL.test(v);
const isCurrency = (v: unknown): v is string => typeof v === 'string' && CURRENCY.test(v);
const isOptionalLast4 = (v: unknown): v is string | null | undefined =>
  v === null || v === undefined || (typeof v === 'string' && LAST4.test(v));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const fastReceipt = (json: unknown, cache: LineCache): MatchReceipt | null => {
  if (!isRecord(json)) return null;
  const { id, employeeId, vendor, date, total, currency, cardLast4, mccHints, category } = json;
  if (!isId(id) || !(employeeId === null || employeeId === undefined || isId(employeeId))) return null;
  if (typeof vendor !== 'string' || typeof date !== 'string' || !isCalendarDate(date)) return null;
  if (!isDecimal(total) || !isCurrency(currency) || !isOptionalLast4(cardLast4)) return null;
  if (mccHints !== undefined || (category !== undefined && category !== null)) return null;
  return {
    id,
    employeeId: employeeId === null || employeeId === undefined ? null : cache.string(employeeId),
    vendor: cache.string(vendor),
    date,
    total: cache.money(total, currency, 'total'),
    cardLast4: cardLast4 === null || cardLast4 === undefined ? null : cache.string(cardLast4),
  };
};

const fastTransaction = (json: unknown, cache: LineCache): MatchTransaction | null => {
  if (!isRecord(json)) return null;
  const { id, employeeId, merchantName, mcc, amount, currency, merchantAmount, merchantCurrency } = json;
  const { authorizedAt, postedAt, cardLast4 } = json;
  if (!isId(id) || !isId(employeeId) || typeof merchantName !== 'string') return null;
  if (typeof mcc !== 'string' || !MCC.test(mcc) || !isDecimal(amount) || !isCurrency(currency)) return null;
  const hasAmount = merchantAmount !== null && merchantAmount !== undefined;
  const hasCurrency = merchantCurrency !== null && merchantCurrency !== undefined;
  if (hasAmount !== hasCurrency || (hasAmount && (!isDecimal(merchantAmount) || !isCurrency(merchantCurrency)))) {
    return null;
  }
  if (!isInstant(authorizedAt) || !(postedAt === null || postedAt === undefined || isInstant(postedAt))) return null;
  if (!isOptionalLast4(cardLast4)) return null;
  return {
    id,
    employeeId: cache.string(employeeId),
    merchantName: cache.string(merchantName),
    mcc: cache.string(mcc.length === 4 ? mcc : mcc.padStart(4, '0')),
    amount: cache.money(amount, currency, 'amount'),
    merchantAmount: hasAmount
      ? cache.money(merchantAmount as string, merchantCurrency as string, 'merchantAmount')
      : null,
    authorizedAt,
    postedAt: postedAt ?? null,
    cardLast4: cardLast4 === null || cardLast4 === undefined ? null : cache.string(cardLast4),
  };
};

/**
 * Money and repeated strings shared across the lines of one parse (fast path only): a batch has far fewer
 * distinct amounts, employees, merchants and cards than lines, and each shared value is one object instead of
 * one per line (less to allocate, less for the garbage collector to copy, and a string's hash computed once for
 * the later lookups). Money is immutable; sharing it changes no value.
 */
class LineCache {
  /** Per currency: Money by amount text (no key to build per line). */
  private readonly monies = new Map<string, Map<string, Money>>();
  private moneyCount = 0;
  private readonly strings = new Map<string, string>();

  money(amount: string, cur: string, field: string): Money {
    let byAmount = this.monies.get(cur);
    if (byAmount === undefined) {
      byAmount = new Map();
      this.monies.set(cur, byAmount);
    }
    let m = byAmount.get(amount);
    if (m === undefined) {
      m = money(amount, cur, field);
      if (this.moneyCount >= CACHE_LIMIT) {
        for (const kept of this.monies.values()) kept.clear();
        this.moneyCount = 0;
      }
      byAmount.set(amount, m);
      this.moneyCount++;
    }
    return m;
  }

  string(value: string): string {
    const kept = this.strings.get(value);
    if (kept !== undefined) return kept;
    if (this.strings.size >= CACHE_LIMIT) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }
}

/** Entries a LineCache keeps before starting over (bounds its memory on a batch of unique values). */
const CACHE_LIMIT = 1 << 20;

const fieldError = (field: string, message: string): Error & { field: string } =>
  Object.assign(new Error(message), { field });

const money = (amount: string, cur: string, field: string) => {
  try {
    return parseMoney(amount, cur);
  } catch (error) {
    throw fieldError(field, (error as Error).message);
  }
};

/** The checks the byte-level readers memoize per distinct value (the fast path's own). */
const checks: Checks = {
  isCalendarDate,
  isDecimal: (v) => DECIMAL.test(v),
  isCurrency: (v) => CURRENCY.test(v),
  isLast4: (v) => LAST4.test(v),
  isMcc: (v) => MCC.test(v),
  isInstant,
};

/**
 * How lines are read: `bytes` tries the byte-level reader first (the default), `json` parses every line with
 * JSON.parse (the reference the byte-level reader is tested against; same items, same errors).
 */
export type LineReader = 'bytes' | 'json';

const convertReceipt = (r: z.output<typeof receiptLineSchema>): MatchReceipt => ({
  id: r.id,
  employeeId: r.employeeId ?? null,
  vendor: r.vendor,
  date: r.date,
  total: money(r.total, r.currency, 'total'),
  cardLast4: r.cardLast4 ?? null,
  ...(r.mccHints ? { mccHints: r.mccHints } : {}),
  ...(r.category ? { category: r.category } : {}),
});

/**
 * Receipt lines as columns (what the batch reconciles: see batch-input.ts). With the `json` reader every line goes
 * through JSON.parse, and the columns are built from the objects.
 */
export const readReceipts = (
  text: LineInput,
  file = 'receipts',
  reader: LineReader = 'bytes',
): { columns: ReceiptColumns; errors: LineError[] } => {
  const cache = new LineCache();
  const fast = (json: unknown) => fastReceipt(json, cache);
  if (reader === 'json') {
    const sink = new ItemSink<MatchReceipt>();
    const errors = parseLines(text, file, receiptLineSchema, convertReceipt, fast, sink);
    return { columns: toReceiptColumns(sink.items), errors };
  }
  const sink = new ReceiptReader(checks);
  const errors = parseLines(text, file, receiptLineSchema, convertReceipt, fast, sink);
  return { columns: sink.columns(), errors };
};

/** Receipt lines as objects (the columns of `readReceipts`, one object per receipt). */
export const parseReceipts = (
  text: LineInput,
  file = 'receipts',
  reader: LineReader = 'bytes',
): { items: MatchReceipt[]; errors: LineError[] } => {
  const { columns, errors } = readReceipts(text, file, reader);
  return { items: Array.from({ length: columns.length }, (_, i) => receiptAt(columns, i)), errors };
};

const convertTransaction = (t: z.output<typeof transactionLineSchema>): MatchTransaction => {
  const hasAmount = t.merchantAmount !== null && t.merchantAmount !== undefined;
  const hasCurrency = t.merchantCurrency !== null && t.merchantCurrency !== undefined;
  if (hasAmount !== hasCurrency) {
    throw fieldError(
      hasAmount ? 'merchantCurrency' : 'merchantAmount',
      'merchantAmount and merchantCurrency go together (both or neither)',
    );
  }
  return {
    id: t.id,
    employeeId: t.employeeId,
    merchantName: t.merchantName,
    mcc: t.mcc,
    amount: money(t.amount, t.currency, 'amount'),
    merchantAmount: hasAmount
      ? money(t.merchantAmount as string, t.merchantCurrency as string, 'merchantAmount')
      : null,
    authorizedAt: t.authorizedAt,
    postedAt: t.postedAt ?? null,
    cardLast4: t.cardLast4 ?? null,
  };
};

/**
 * Transaction lines as columns (what the batch reconciles: see batch-input.ts). With the `json` reader every line
 * goes through JSON.parse, and the columns are built from the objects.
 */
export const readTransactions = (
  text: LineInput,
  file = 'transactions',
  reader: LineReader = 'bytes',
): { columns: TransactionColumns; errors: LineError[] } => {
  const cache = new LineCache();
  if (reader === 'json') {
    const sink = new ItemSink<MatchTransaction>();
    const errors = parseLines(
      text,
      file,
      transactionLineSchema,
      convertTransaction,
      (json) => fastTransaction(json, cache),
      sink,
    );
    return { columns: toTransactionColumns(sink.items), errors };
  }
  const sink = new TransactionReader(checks);
  const errors = parseLines(
    text,
    file,
    transactionLineSchema,
    convertTransaction,
    (json) => fastTransaction(json, cache),
    sink,
  );
  return { columns: sink.columns(), errors };
};

/** Transaction lines as objects (the columns of `readTransactions`, one object per transaction). */
export const parseTransactions = (
  text: LineInput,
  file = 'transactions',
  reader: LineReader = 'bytes',
): { items: MatchTransaction[]; errors: LineError[] } => {
  const { columns, errors } = readTransactions(text, file, reader);
  return { items: Array.from({ length: columns.length }, (_, j) => transactionAt(columns, j)), errors };
};

/** Rates file: {"USD:EUR": "0.92", "USD:EUR:2024-05-01": "0.9231"} (date-specific keys win). */
export const rateSourceFromJson = (json: unknown): RateSource => {
  const table = z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).parse(json);
  return (from, to, date) => table[`${from}:${to}:${date}`] ?? table[`${from}:${to}`] ?? null;
};

/** One proposal as a JSON line (the benchmark contract: exactly these five fields, in this order). */
export const formatProposal = (p: MatchProposal): string =>
  // One native serialization of a fresh five-field object: faster than writing the line field by field
  // (millions of lines in a batch), and the same text whatever else `p` carries.
  JSON.stringify({
    receiptId: p.receiptId,
    transactionId: p.transactionId,
    score: p.score,
    auto: p.auto,
    reasons: p.reasons,
  });

export interface ReconcileRun {
  readonly result: ReconcileResult;
  readonly errors: LineError[];
  /** The JSONL output; empty when a `line` sink received it instead. */
  readonly output: string;
}

export interface RunHooks {
  /** Receives the output line by line, each without its newline (the CLI streams it to stdout). */
  readonly line?: (line: string) => void;
  /** Called after each phase with its duration in milliseconds (`--timings`). */
  readonly timing?: (phase: string, ms: number) => void;
}

/** The whole batch path from JSONL texts to JSONL output (the CLI and the benchmark both call this). */
export const runReconcile = (
  receiptsText: LineInput,
  transactionsText: LineInput,
  options: Partial<MatchOptions> = {},
  files: { receipts: string; transactions: string } = { receipts: 'receipts', transactions: 'transactions' },
  hooks: RunHooks = {},
): ReconcileRun => {
  let t0 = performance.now();
  const phase = (name: string): void => {
    const t1 = performance.now();
    hooks.timing?.(name, t1 - t0);
    t0 = t1;
  };
  const r = readReceipts(receiptsText, files.receipts);
  receiptsText = ''; // drop the input (hundreds of MB at scale) once parsed
  phase('parse receipts');
  const t = readTransactions(transactionsText, files.transactions);
  transactionsText = '';
  phase('parse transactions');
  const { line } = hooks;
  if (line) {
    // Streamed: each proposal is formatted as it is decided and handed over (the CLI's path; the 'proposals' phase
    // then includes formatting and writing).
    const emit = (p: MatchProposal): void => line(formatProposal(p));
    const result = reconcile(r.columns, t.columns, options, {
      emit,
      ...(hooks.timing ? { timing: hooks.timing } : {}),
    });
    return { result, errors: [...r.errors, ...t.errors], output: '' };
  }
  const result = reconcile(r.columns, t.columns, options, hooks.timing ? { timing: hooks.timing } : {});
  t0 = performance.now();
  const output = result.proposals.map((p) => `${formatProposal(p)}\n`).join('');
  phase('format output');
  return { result, errors: [...r.errors, ...t.errors], output };
};

/**
 * Synchronous, buffered line writes to a file descriptor (stdout may be a file or a pipe; EAGAIN on a pipe is
 * retried). Lines are encoded straight into one reused buffer: no joined string, no buffer per flush.
 */
class LineWriter {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private size = 0;
  constructor(private readonly fd: number) {}
  line(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; + 1 for the newline.
    const most = text.length * 3 + 1;
    if (this.size + most > this.buffer.length) {
      this.flush();
      if (most > this.buffer.length) this.buffer = Buffer.allocUnsafe(most);
    }
    this.size += this.buffer.write(text, this.size, 'utf8');
    this.buffer[this.size++] = 10;
  }
  flush(): void {
    let off = 0;
    while (off < this.size) {
      try {
        off += writeSync(this.fd, this.buffer, off, this.size - off);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    }
    this.size = 0;
  }
  close(): void {
    this.flush();
  }
}

const numberOption = (value: string | undefined, name: string, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}]`);
  return n;
};

export const reconcileCommand: Command = {
  name: 'reconcile',
  usage: [
    'Usage: quittance reconcile --receipts R.jsonl --transactions T.jsonl [options]',
    '',
    'Prints one proposed receipt ↔ transaction pair a line:',
    '  {"receiptId": "…", "transactionId": "…", "score": 0.97, "auto": true, "reasons": ["amount exact", …]}',
    'grouped by receipt in input order: the chosen link first (auto = confident), then ranked suggestions.',
    'A receipt split over several transactions (or several receipts paid at once) gives one line per pair.',
    '',
    'Receipt line:     {"id", "employeeId" (or null), "vendor", "date": "YYYY-MM-DD", "total": "12.34",',
    '                   "currency", "cardLast4" (or null)}',
    'Transaction line: {"id", "employeeId", "merchantName", "mcc", "amount": "12.34", "currency",',
    '                   "merchantAmount", "merchantCurrency", "authorizedAt", "postedAt", "cardLast4"}',
    '                   (a negative amount is a refund)',
    '',
    'Options:',
    `  --auto-threshold <x>  minimum score for an auto link (default ${defaultMatchOptions.autoThreshold})`,
    `  --margin <x>          lead over the best competitor for an auto link (default ${defaultMatchOptions.autoMargin})`,
    `  --min-score <x>       drop proposals below this score (default ${defaultMatchOptions.minSuggestionScore})`,
    `  --suggestions <n>     lines per receipt that is not auto-linked (default ${defaultMatchOptions.suggestionsPerReceipt})`,
    '  --timings             phase durations in milliseconds on stderr',
    '  --rates <file.json>   FX rates {"USD:EUR": "0.92", "USD:EUR:2024-05-01": "0.9231"} for charges without',
    '                        a merchant amount (the card fee is allowed on top)',
    '',
    'Invalid lines are reported on stderr as <file>:<line>: field "<name>": <reason> and skipped; the valid',
    'lines are still reconciled and printed, and the exit code is then 1 (0 when every line was valid).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        receipts: { type: 'string' },
        transactions: { type: 'string' },
        'auto-threshold': { type: 'string' },
        margin: { type: 'string' },
        'min-score': { type: 'string' },
        suggestions: { type: 'string' },
        rates: { type: 'string' },
        timings: { type: 'boolean' },
      },
    });
    if (!values.receipts) throw new UsageError('--receipts is required');
    if (!values.transactions) throw new UsageError('--transactions is required');
    const options: Partial<MatchOptions> = {};
    const threshold = numberOption(values['auto-threshold'], 'auto-threshold', 0, 1);
    const margin = numberOption(values.margin, 'margin', 0, 1);
    const minScore = numberOption(values['min-score'], 'min-score', 0, 1);
    const suggestions = numberOption(values.suggestions, 'suggestions', 1, 100);
    if (threshold !== undefined) Object.assign(options, { autoThreshold: threshold });
    if (margin !== undefined) Object.assign(options, { autoMargin: margin });
    if (minScore !== undefined) Object.assign(options, { minSuggestionScore: minScore });
    if (suggestions !== undefined) Object.assign(options, { suggestionsPerReceipt: Math.floor(suggestions) });
    if (values.rates) {
      const json: unknown = JSON.parse(await readFile(values.rates, 'utf8'));
      Object.assign(options, { rateSource: rateSourceFromJson(json) });
    }
    const t0 = performance.now();
    // CPU time (user + sys) next to each phase's wall time: on a shared machine the wall time includes waiting.
    let cpu0 = process.cpuUsage();
    const cpuStart = cpu0;
    const timing = values.timings
      ? (name: string, ms: number): void => {
          const mb = (n: number): string => `${Math.round(n / 1048576)} MB`;
          const m = process.memoryUsage();
          const cpu = process.cpuUsage(name === 'total in process' ? cpuStart : cpu0);
          cpu0 = process.cpuUsage();
          const cpuMs = (cpu.user + cpu.system) / 1000;
          process.stderr.write(
            `timing ${name}: ${ms.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms, heap ${mb(m.heapUsed)}, rss ${mb(m.rss)})\n`,
          );
        }
      : undefined;
    const out = new LineWriter(1);
    // The files are read in chunks as they are parsed (their reading time is part of the parse phases).
    const receipts = openSync(values.receipts, 'r');
    const transactions = openSync(values.transactions, 'r');
    let run: ReconcileRun;
    try {
      run = runReconcile(
        { fd: receipts },
        { fd: transactions },
        options,
        { receipts: values.receipts, transactions: values.transactions },
        { line: (text) => out.line(text), ...(timing ? { timing } : {}) },
      );
    } finally {
      closeSync(receipts);
      closeSync(transactions);
    }
    out.close();
    timing?.('total in process', performance.now() - t0);
    if (values.timings) {
      const { stats } = run.result;
      process.stderr.write(
        `stats receipts ${stats.receipts}, transactions ${stats.transactions}, pairs scored ${stats.pairsScored} (${stats.pairsExact} past the prefilter), options ${stats.options}, proposals ${stats.proposals}\n`,
      );
    }
    for (const e of run.errors) process.stderr.write(`${formatLineError(e)}\n`);
    if (run.errors.length > 0) {
      process.stderr.write(`quittance reconcile: ${run.errors.length} invalid line(s) skipped\n`);
      return 1;
    }
    return 0;
  },
};
