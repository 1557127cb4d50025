import {
  RECEIPT_WIDTH,
  ReceiptCell,
  type ReceiptColumns,
  type ReceiptExtras,
  Rows,
  receiptColumns,
  receiptExtras,
  type TransactionColumns,
  TX_WIDTH,
  TxCell,
  transactionColumns,
} from '../../shared/domain/matching/batch-input.ts';
import type { MatchReceipt, MatchTransaction } from '../../shared/domain/matching/index.ts';
import { type Money, parseMoney } from '../../shared/domain/money.ts';

/*
 * Byte-level reader of the common shape of a reconcile input line: a flat JSON object whose values are strings
 * without escapes or null, with the contract's keys, each at most once. Such a line is read straight from the
 * file's bytes into a row of the batch (batch-input.ts), without JSON.parse's intermediate object: repeated values
 * (employees, vendors, merchants, dates, instants, amounts, currencies, cards, MCCs) are interned by their bytes,
 * so each distinct value is decoded and validated once, and the row holds its index in the field's table; only
 * the id is decoded per line.
 *
 * A line the reader is unsure about (another key, a number, an escape, a duplicate key, a value that fails a
 * check, anything after the object) is declined, and the caller parses it with JSON.parse and the zod schema,
 * which define what is accepted and word the errors. Whatever this reader reads equals what that path reads (a
 * property test compares the two).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const N = 0x6e;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d;

/**
 * Distinct byte strings → dense ids, each decoded once; a verdict byte per id for the caller's checks. An open-
 * addressing table whose slots hold the hash, the id, and the value's place in a byte arena side by side: a lookup
 * touches one slot and the arena bytes it compares (memory latency, not arithmetic, is the cost at a million lines).
 */
class ByteInterner {
  /** Per slot: hash, id + 1 (0 = empty), arena start, length. */
  private table = new Int32Array(4 << 12);
  private arena = new Uint8Array(1 << 14);
  private used = 0;
  readonly values: string[] = [];
  /** Per id: 0 = not checked yet; the caller's own codes otherwise. */
  verdict = new Uint8Array(1 << 10);

  intern(buf: Uint8Array, s: number, e: number, h: number, ascii: boolean): number {
    const len = e - s;
    let table = this.table;
    let mask = (table.length >> 2) - 1;
    let slot = h & mask;
    for (;;) {
      const at = slot << 2;
      const v = table[at + 1] as number;
      if (v === 0) break;
      if (table[at] === h && table[at + 3] === len) {
        const a = table[at + 2] as number;
        const arena = this.arena;
        let k = 0;
        while (k < len && arena[a + k] === buf[s + k]) k++;
        if (k === len) return v - 1;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.values.length;
    if (this.used + len > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    this.arena.set(buf.subarray(s, e), this.used);
    if (id === this.verdict.length) {
      const verdict = new Uint8Array(id * 2);
      verdict.set(this.verdict);
      this.verdict = verdict;
    }
    this.values.push(decode(buf, s, e, ascii));
    if ((id + 1) * 2 > mask + 1) {
      this.rehash();
      table = this.table;
      mask = (table.length >> 2) - 1;
      slot = h & mask;
      while (table[(slot << 2) + 1] !== 0) slot = (slot + 1) & mask;
    }
    const at = slot << 2;
    table[at] = h;
    table[at + 1] = id + 1;
    table[at + 2] = this.used;
    table[at + 3] = len;
    this.used += len;
    return id;
  }

  /**
   * Loads the home slot of hash `h` and the first arena byte it points to, and returns them summed (meaningless):
   * called for all of a line's values before any lookup, so their cache misses overlap instead of queueing.
   */
  touch(h: number): number {
    const table = this.table;
    const at = (h & ((table.length >> 2) - 1)) << 2;
    return (this.arena[table[at + 2] as number] ?? 0) + (table[at] as number);
  }

  private rehash(): void {
    const old = this.table;
    const table = new Int32Array(old.length * 2);
    const mask = (table.length >> 2) - 1;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] === 0) continue;
      let slot = (old[at] as number) & mask;
      while (table[(slot << 2) + 1] !== 0) slot = (slot + 1) & mask;
      table.set(old.subarray(at, at + 4), slot << 2);
    }
    this.table = table;
  }
}

const decode = (buf: Uint8Array, s: number, e: number, ascii: boolean): string =>
  (buf as Buffer).toString(ascii ? 'latin1' : 'utf8', s, e);

/** A scanned string value: its bytes [s, e), its hash and whether it is ASCII; or null (the JSON null). */
interface Scanned {
  s: number;
  e: number;
  h: number;
  ascii: boolean;
  isNull: boolean;
}

/**
 * Reads one line's flat object into `values` (one slot per key of `keys`, by key index) and returns true, or returns
 * false when the line is not of the simple shape. `present` marks the keys seen (a key seen twice fails).
 */
class FlatObjectScanner {
  readonly values: Scanned[];
  private readonly keyBytes: Uint8Array[];
  present = 0;

  constructor(readonly keys: readonly string[]) {
    this.keyBytes = keys.map((k) => Buffer.from(k, 'latin1'));
    this.values = keys.map(() => ({ s: 0, e: 0, h: 0, ascii: true, isNull: false }));
  }

  scan(buf: Uint8Array, s: number, e: number): boolean {
    this.present = 0;
    let p = s;
    while (p < e && isSpace(buf[p] as number)) p++;
    if (buf[p] !== OPEN) return false;
    p++;
    let hint = 0;
    for (;;) {
      while (p < e && isSpace(buf[p] as number)) p++;
      if (buf[p] !== QUOTE) return false;
      // The key: ASCII letters and digits only (a key needing anything else is not one of ours).
      const ks = ++p;
      while (p < e && buf[p] !== QUOTE) {
        const c = buf[p] as number;
        if (c === BACKSLASH || c < 0x20 || c >= 0x80) return false;
        p++;
      }
      if (p >= e) return false;
      const k = this.keyIndex(buf, ks, p, hint);
      if (k < 0 || (this.present & (1 << k)) !== 0) return false;
      this.present |= 1 << k;
      hint = k + 1;
      p++;
      while (p < e && isSpace(buf[p] as number)) p++;
      if (buf[p] !== COLON) return false;
      p++;
      while (p < e && isSpace(buf[p] as number)) p++;
      const v = this.values[k] as Scanned;
      const c0 = buf[p];
      if (c0 === QUOTE) {
        const vs = ++p;
        let h = 0x811c9dc5 | 0;
        let high = 0;
        for (;;) {
          if (p >= e) return false;
          const c = buf[p] as number;
          if (c === QUOTE) break;
          if (c === BACKSLASH || c < 0x20) return false;
          high |= c;
          h = Math.imul(h ^ c, 0x01000193);
          p++;
        }
        v.s = vs;
        v.e = p;
        v.h = h;
        v.ascii = high < 0x80;
        v.isNull = false;
        p++;
      } else if (c0 === N && buf[p + 1] === 0x75 && buf[p + 2] === 0x6c && buf[p + 3] === 0x6c) {
        v.isNull = true;
        p += 4;
      } else return false;
      while (p < e && isSpace(buf[p] as number)) p++;
      const sep = buf[p];
      p++;
      if (sep === COMMA) continue;
      if (sep !== CLOSE) return false;
      while (p < e && isSpace(buf[p] as number)) p++;
      return p === e;
    }
  }

  has(k: number): boolean {
    return (this.present & (1 << k)) !== 0;
  }

  private keyIndex(buf: Uint8Array, s: number, e: number, hint: number): number {
    const n = this.keyBytes.length;
    for (let t = 0; t < n; t++) {
      const k = (hint + t) % n;
      const key = this.keyBytes[k] as Uint8Array;
      if (key.length !== e - s) continue;
      let same = true;
      for (let q = 0; q < key.length; q++) {
        if (key[q] !== buf[s + q]) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
    return -1;
  }
}

const OK = 1;
const BAD = 2;

/** A string field's values, interned, with a memoized check (`ok`) per distinct value. */
class Field {
  private readonly interner = new ByteInterner();
  constructor(private readonly ok: (v: string) => boolean) {}

  /** The id of the value, or −1 when it fails the check. */
  id(buf: Uint8Array, v: Scanned): number {
    const interner = this.interner;
    const id = interner.intern(buf, v.s, v.e, v.h, v.ascii);
    let verdict = interner.verdict[id] as number;
    if (verdict === 0) {
      verdict = this.ok(interner.values[id] as string) ? OK : BAD;
      interner.verdict[id] = verdict;
    }
    return verdict === OK ? id : -1;
  }

  value(id: number): string {
    return this.interner.values[id] as string;
  }

  touch(v: Scanned): number {
    return this.interner.touch(v.h);
  }

  /** The distinct values by id (the interner's own list: a caller that appends to it must be done interning). */
  values(): string[] {
    return this.interner.values;
  }
}

/** Where the touches' sums go (so the loads are not optimized away). */
let _touched = 0;

/** Money by (amount id, currency id), parsed once, in a list: `index` gives its place (−1 when it does not parse). */
class Monies {
  readonly list: Money[] = [];
  /** Per amount id: 1 + the index of its Money in the currency it was first seen with (most have one currency). */
  private first = new Int32Array(1 << 10);
  private firstCurrency = new Int32Array(1 << 10);
  private readonly byKey = new Map<number, number>();
  constructor(
    private readonly amounts: Field,
    private readonly currencies: Field,
  ) {}

  index(amount: number, currency: number): number {
    if (amount < this.firstCurrency.length && this.firstCurrency[amount] === currency + 1) {
      return (this.first[amount] as number) - 1;
    }
    const key = amount * 4096 + currency;
    let k = this.byKey.get(key);
    if (k === undefined) {
      k = -1;
      try {
        k = this.list.length;
        this.list.push(parseMoney(this.amounts.value(amount), this.currencies.value(currency)));
      } catch {
        k = -1; // e.g. too many decimals: the schema path words the error
      }
      if (this.firstCurrency.length <= amount) {
        const size = Math.max(amount + 1, this.firstCurrency.length * 2);
        const grownCurrency = new Int32Array(size);
        grownCurrency.set(this.firstCurrency);
        this.firstCurrency = grownCurrency;
        const grownFirst = new Int32Array(size);
        grownFirst.set(this.first);
        this.first = grownFirst;
      }
      if (this.firstCurrency[amount] === 0) {
        this.firstCurrency[amount] = currency + 1;
        this.first[amount] = k + 1;
        return k;
      }
      this.byKey.set(key, k);
    }
    return k;
  }

  /** Whether the ids fit the numeric key (always, below 4096 currencies). */
  static fits(currency: number): boolean {
    return currency < 4096;
  }
}

export interface Checks {
  readonly isCalendarDate: (v: string) => boolean;
  readonly isDecimal: (v: string) => boolean;
  readonly isCurrency: (v: string) => boolean;
  readonly isLast4: (v: string) => boolean;
  readonly isMcc: (v: string) => boolean;
  readonly isInstant: (v: string) => boolean;
}

const any = (): boolean => true;
const nonEmpty = (v: string): boolean => v.length > 0;

const R = { id: 0, employeeId: 1, vendor: 2, date: 3, total: 4, currency: 5, cardLast4: 6 } as const;

/**
 * Rows read into columns: `scan` reads a line of the simple shape (see the top of this file) into a new row, or
 * returns false for anything else; `add` appends an item the JSON path parsed, whose values join the value tables
 * when the columns are built (after the interned ones: the interners' value lists are the tables).
 */
abstract class ColumnReader<T extends { id: string }> {
  protected readonly rows: Rows;
  /** The items `add` appended, and their rows. */
  protected added: T[] = [];
  protected addedRows: number[] = [];

  constructor(width: number) {
    this.rows = new Rows(width);
  }

  get size(): number {
    return this.rows.length;
  }

  id(row: number): string {
    return this.rows.ids[row] as string;
  }

  abstract scan(buf: Uint8Array, s: number, e: number): boolean;

  add(item: T): void {
    this.rows.row(item.id);
    this.addedRows.push(this.rows.length - 1);
    this.added.push(item);
  }

  /** Removes the rows at these indices (ascending). */
  drop(rows: readonly number[]): void {
    if (rows.length === 0) return;
    // The added rows' indices shift like the others (each moves down by the dropped rows before it).
    const dropped = new Set(rows);
    let removed = 0;
    let next = 0;
    const kept: number[] = [];
    const keptItems: T[] = [];
    for (let k = 0; k < this.addedRows.length; k++) {
      const row = this.addedRows[k] as number;
      while (next < rows.length && (rows[next] as number) < row) {
        next++;
        removed++;
      }
      if (dropped.has(row)) continue;
      kept.push(row - removed);
      keptItems.push(this.added[k] as T);
    }
    this.addedRows = kept;
    this.added = keptItems;
    this.rows.drop(rows);
  }
}

/** Reads receipt lines into columns (see `ColumnReader`). */
export class ReceiptReader extends ColumnReader<MatchReceipt> {
  private readonly scanner = new FlatObjectScanner([
    'id',
    'employeeId',
    'vendor',
    'date',
    'total',
    'currency',
    'cardLast4',
  ]);
  private readonly employees = new Field(nonEmpty);
  private readonly vendors = new Field(any);
  private readonly dates: Field;
  private readonly amounts: Field;
  private readonly currencies: Field;
  private readonly cards: Field;
  private readonly monies: Monies;

  constructor(checks: Checks) {
    super(RECEIPT_WIDTH);
    this.dates = new Field(checks.isCalendarDate);
    this.amounts = new Field(checks.isDecimal);
    this.currencies = new Field(checks.isCurrency);
    this.cards = new Field(checks.isLast4);
    this.monies = new Monies(this.amounts, this.currencies);
  }

  scan(buf: Uint8Array, s: number, e: number): boolean {
    const scanner = this.scanner;
    const v = scanner.values;
    if (!scanner.scan(buf, s, e) || (scanner.present & REQUIRED_R) !== REQUIRED_R) return false;
    const id = v[R.id] as Scanned;
    if (id.isNull || id.e === id.s) return false;
    const vendor = v[R.vendor] as Scanned;
    const date = v[R.date] as Scanned;
    const total = v[R.total] as Scanned;
    const currency = v[R.currency] as Scanned;
    if (vendor.isNull || date.isNull || total.isNull || currency.isNull) return false;
    const { employees, vendors, dates, amounts, currencies, cards, monies } = this;
    const emp = v[R.employeeId] as Scanned;
    const card = v[R.cardLast4] as Scanned;
    _touched +=
      vendors.touch(vendor) +
      amounts.touch(total) +
      dates.touch(date) +
      (scanner.has(R.employeeId) ? employees.touch(emp) : 0) +
      (scanner.has(R.cardLast4) ? cards.touch(card) : 0);
    let employee = -1;
    if (scanner.has(R.employeeId) && !emp.isNull) {
      employee = employees.id(buf, emp);
      if (employee < 0) return false;
    }
    let cardLast4 = -1;
    if (scanner.has(R.cardLast4) && !card.isNull) {
      cardLast4 = cards.id(buf, card);
      if (cardLast4 < 0) return false;
    }
    const vendorId = vendors.id(buf, vendor);
    const dateId = dates.id(buf, date);
    const amountId = amounts.id(buf, total);
    const currencyId = currencies.id(buf, currency);
    if (vendorId < 0 || dateId < 0 || amountId < 0 || currencyId < 0 || !Monies.fits(currencyId)) return false;
    const money = monies.index(amountId, currencyId);
    if (money < 0) return false;
    const at = this.rows.row(decode(buf, id.s, id.e, id.ascii));
    const cells = this.rows.cells;
    cells[at + ReceiptCell.employee] = employee;
    cells[at + ReceiptCell.vendor] = vendorId;
    cells[at + ReceiptCell.date] = dateId;
    cells[at + ReceiptCell.total] = money;
    cells[at + ReceiptCell.card] = cardLast4;
    return true;
  }

  /** The columns read: the interners' values are the tables, the added rows' values follow them. */
  columns(): ReceiptColumns {
    const cells = this.rows.cells;
    const employees = this.employees.values();
    const vendors = this.vendors.values();
    const dates = this.dates.values();
    const monies = this.monies.list;
    const cards = this.cards.values();
    const extras = new Map<number, ReceiptExtras>();
    for (let k = 0; k < this.added.length; k++) {
      const r = this.added[k] as MatchReceipt;
      const i = this.addedRows[k] as number;
      const at = i * RECEIPT_WIDTH;
      cells[at + ReceiptCell.employee] = r.employeeId === null ? -1 : employees.push(r.employeeId) - 1;
      cells[at + ReceiptCell.vendor] = vendors.push(r.vendor) - 1;
      cells[at + ReceiptCell.date] = dates.push(r.date) - 1;
      cells[at + ReceiptCell.total] = monies.push(r.total) - 1;
      cells[at + ReceiptCell.card] = r.cardLast4 === null ? -1 : cards.push(r.cardLast4) - 1;
      const extra = receiptExtras(r);
      if (extra !== undefined) extras.set(i, extra);
    }
    this.added.length = 0;
    this.addedRows.length = 0;
    return receiptColumns(this.rows, { employees, vendors, dates, monies, cards, extras });
  }
}

const REQUIRED_R = (1 << R.id) | (1 << R.vendor) | (1 << R.date) | (1 << R.total) | (1 << R.currency);

const T = {
  id: 0,
  employeeId: 1,
  merchantName: 2,
  mcc: 3,
  amount: 4,
  currency: 5,
  merchantAmount: 6,
  merchantCurrency: 7,
  authorizedAt: 8,
  postedAt: 9,
  cardLast4: 10,
} as const;

/**
 * Reads transaction lines into columns (see batch-input.ts): `scan` reads a line of the simple shape (see the top of
 * this file) into a new row, or returns false for anything else; `add` appends a transaction the JSON path parsed.
 * The interners' value lists are the columns' tables, so the repeated values of a million lines are handed to the
 * matcher as they were read.
 */
export class TransactionReader extends ColumnReader<MatchTransaction> {
  private readonly scanner = new FlatObjectScanner([
    'id',
    'employeeId',
    'merchantName',
    'mcc',
    'amount',
    'currency',
    'merchantAmount',
    'merchantCurrency',
    'authorizedAt',
    'postedAt',
    'cardLast4',
  ]);
  private readonly employees = new Field(nonEmpty);
  private readonly merchants = new Field(any);
  private readonly mccs: Field;
  private readonly amounts: Field;
  private readonly currencies: Field;
  private readonly instants: Field;
  private readonly cards: Field;
  private readonly monies: Monies;
  /** The 4-digit form of each MCC id. */
  private readonly padded: string[] = [];

  constructor(checks: Checks) {
    super(TX_WIDTH);
    this.mccs = new Field(checks.isMcc);
    this.amounts = new Field(checks.isDecimal);
    this.currencies = new Field(checks.isCurrency);
    this.instants = new Field(checks.isInstant);
    this.cards = new Field(checks.isLast4);
    this.monies = new Monies(this.amounts, this.currencies);
  }

  scan(buf: Uint8Array, s: number, e: number): boolean {
    const scanner = this.scanner;
    const v = scanner.values;
    if (!scanner.scan(buf, s, e) || (scanner.present & REQUIRED_T) !== REQUIRED_T) return false;
    const id = v[T.id] as Scanned;
    if (id.isNull || id.e === id.s) return false;
    const emp = v[T.employeeId] as Scanned;
    const merchant = v[T.merchantName] as Scanned;
    const mcc = v[T.mcc] as Scanned;
    const amount = v[T.amount] as Scanned;
    const currency = v[T.currency] as Scanned;
    const authorizedAt = v[T.authorizedAt] as Scanned;
    if (emp.isNull || merchant.isNull || mcc.isNull || amount.isNull || currency.isNull || authorizedAt.isNull) {
      return false;
    }
    const { employees, merchants, mccs, amounts, currencies, instants, cards, monies } = this;
    // The lookups' cache misses, overlapped (about a sixth of the parse time at a million lines).
    _touched +=
      employees.touch(emp) +
      merchants.touch(merchant) +
      amounts.touch(amount) +
      instants.touch(authorizedAt) +
      (scanner.has(T.postedAt) ? instants.touch(v[T.postedAt] as Scanned) : 0) +
      (scanner.has(T.cardLast4) ? cards.touch(v[T.cardLast4] as Scanned) : 0);
    const empId = employees.id(buf, emp);
    const merchantId = merchants.id(buf, merchant);
    const mccId = mccs.id(buf, mcc);
    const amountId = amounts.id(buf, amount);
    const currencyId = currencies.id(buf, currency);
    const authId = instants.id(buf, authorizedAt);
    if (empId < 0 || merchantId < 0 || mccId < 0 || amountId < 0 || currencyId < 0 || authId < 0) return false;
    if (!Monies.fits(currencyId)) return false;
    const money = monies.index(amountId, currencyId);
    if (money < 0) return false;
    const mAmount = this.optional(T.merchantAmount);
    const mCurrency = this.optional(T.merchantCurrency);
    if ((mAmount === null) !== (mCurrency === null)) return false;
    let merchantAmount = -1;
    if (mAmount !== null && mCurrency !== null) {
      const a = amounts.id(buf, mAmount);
      const c = currencies.id(buf, mCurrency);
      if (a < 0 || c < 0 || !Monies.fits(c)) return false;
      merchantAmount = monies.index(a, c);
      if (merchantAmount < 0) return false;
    }
    const posted = this.optional(T.postedAt);
    let postedAt = -1;
    if (posted !== null) {
      postedAt = instants.id(buf, posted);
      if (postedAt < 0) return false;
    }
    const card = this.optional(T.cardLast4);
    let cardLast4 = -1;
    if (card !== null) {
      cardLast4 = cards.id(buf, card);
      if (cardLast4 < 0) return false;
    }
    if (this.padded[mccId] === undefined) {
      const raw = mccs.value(mccId);
      this.padded[mccId] = raw.length === 4 ? raw : raw.padStart(4, '0');
    }
    const at = this.rows.row(decode(buf, id.s, id.e, id.ascii));
    const cells = this.rows.cells;
    cells[at + TxCell.employee] = empId;
    cells[at + TxCell.merchant] = merchantId;
    cells[at + TxCell.mcc] = mccId;
    cells[at + TxCell.amount] = money;
    cells[at + TxCell.merchantAmount] = merchantAmount;
    cells[at + TxCell.authorizedAt] = authId;
    cells[at + TxCell.postedAt] = postedAt;
    cells[at + TxCell.card] = cardLast4;
    return true;
  }

  /** The columns read: the interners' values are the tables, the added rows' values follow them. */
  columns(): TransactionColumns {
    const cells = this.rows.cells;
    const employees = this.employees.values();
    const merchants = this.merchants.values();
    const mccs = this.padded;
    const monies = this.monies.list;
    const instants = this.instants.values();
    const cards = this.cards.values();
    // Indices past the interned values (MCCs: past the largest interned id).
    const mccEnd = this.mccs.values().length;
    for (let k = 0; k < this.added.length; k++) {
      const t = this.added[k] as MatchTransaction;
      const j = this.addedRows[k] as number;
      const at = j * TX_WIDTH;
      cells[at + TxCell.employee] = employees.push(t.employeeId) - 1;
      cells[at + TxCell.merchant] = merchants.push(t.merchantName) - 1;
      mccs[mccEnd + k] = t.mcc;
      cells[at + TxCell.mcc] = mccEnd + k;
      cells[at + TxCell.amount] = monies.push(t.amount) - 1;
      cells[at + TxCell.merchantAmount] = t.merchantAmount === null ? -1 : monies.push(t.merchantAmount) - 1;
      cells[at + TxCell.authorizedAt] = instants.push(t.authorizedAt) - 1;
      cells[at + TxCell.postedAt] = t.postedAt === null ? -1 : instants.push(t.postedAt) - 1;
      cells[at + TxCell.card] = t.cardLast4 === null ? -1 : cards.push(t.cardLast4) - 1;
    }
    this.added.length = 0;
    this.addedRows.length = 0;
    return transactionColumns(this.rows, { employees, merchants, mccs, monies, instants, cards });
  }

  private optional(k: number): Scanned | null {
    const scanner = this.scanner;
    return scanner.has(k) && !(scanner.values[k] as Scanned).isNull ? (scanner.values[k] as Scanned) : null;
  }
}

const REQUIRED_T =
  (1 << T.id) |
  (1 << T.employeeId) |
  (1 << T.merchantName) |
  (1 << T.mcc) |
  (1 << T.amount) |
  (1 << T.currency) |
  (1 << T.authorizedAt);

/** FNV-1a over the UTF-16 code units of `v` (the key `laterDuplicates` groups ids by). */
export const idHash = (v: string): number => {
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < v.length; k++) h = Math.imul(h ^ v.charCodeAt(k), 0x01000193);
  return h;
};

/**
 * The positions (ascending) of the ids that repeat an earlier one, given each id's `idHash`. A set of a million
 * fresh strings costs a cache miss per lookup; this sorts (hash, position) pairs by hash instead (a stable radix
 * sort, two passes of 16 bits over sequential arrays) and compares the strings only within runs of equal hashes.
 */
export const laterDuplicates = (ids: readonly string[], hashes: Int32Array): number[] => {
  const n = ids.length;
  let keys = new Int32Array(n);
  keys.set(hashes.subarray(0, n));
  let pos = new Int32Array(n);
  for (let i = 0; i < n; i++) pos[i] = i;
  let keys2 = new Int32Array(n);
  let pos2 = new Int32Array(n);
  const count = new Int32Array(65537);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const b = (((keys[i] as number) >>> shift) & 0xffff) + 1;
      count[b] = (count[b] as number) + 1;
    }
    for (let b = 0; b < 65536; b++) count[b + 1] = (count[b + 1] as number) + (count[b] as number);
    for (let i = 0; i < n; i++) {
      const b = ((keys[i] as number) >>> shift) & 0xffff;
      const to = count[b] as number;
      count[b] = to + 1;
      keys2[to] = keys[i] as number;
      pos2[to] = pos[i] as number;
    }
    [keys, keys2] = [keys2, keys];
    [pos, pos2] = [pos2, pos];
  }
  const later: number[] = [];
  for (let p = 0; p < n; ) {
    let q = p + 1;
    while (q < n && keys[q] === keys[p]) q++;
    if (q - p > 1) {
      // Positions ascend within the run (the sort is stable): the first of each id is kept.
      const first = new Set<string>();
      for (let x = p; x < q; x++) {
        const id = ids[pos[x] as number] as string;
        if (first.has(id)) later.push(pos[x] as number);
        else first.add(id);
      }
    }
    p = q;
  }
  return later.sort((a, b) => a - b);
};
