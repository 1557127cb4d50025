import type { Money } from '../money.ts';
import type { MatchReceipt, MatchTransaction } from './types.ts';

/**
 * A batch of card transactions as columns: per transaction, indices into tables of distinct values. A batch repeats
 * its employees, merchants, MCCs, amounts and cards many times; a reader that interns them hands its tables over as
 * they are, and `reconcile` then prepares each distinct value once instead of once per line, without a million
 * objects for the garbage collector to copy and mark. `transactionAt` builds the object of one transaction when a
 * step needs it (explaining a printed pair, refunds, sums).
 *
 * A table may hold a value twice (the columns only need each index to name a value).
 */
export interface TransactionColumns {
  readonly length: number;
  readonly ids: readonly string[];
  /** Index into `employees`. */
  readonly employee: Int32Array;
  /** Index into `merchants` (the card descriptors). */
  readonly merchant: Int32Array;
  /** Index into `mccs` (4 digits). */
  readonly mcc: Int32Array;
  /** Index into `monies`; `merchantAmount` −1 for none. */
  readonly amount: Int32Array;
  readonly merchantAmount: Int32Array;
  /** Index into `instants`; `postedAt` −1 for not posted. */
  readonly authorizedAt: Int32Array;
  readonly postedAt: Int32Array;
  /** Index into `cards` (last 4 digits); −1 for none. */
  readonly card: Int32Array;
  readonly employees: readonly string[];
  readonly merchants: readonly string[];
  readonly mccs: readonly string[];
  readonly monies: readonly Money[];
  readonly instants: readonly string[];
  readonly cards: readonly string[];
}

/** The value tables of transaction columns. */
export type TransactionTables = Pick<
  TransactionColumns,
  'employees' | 'merchants' | 'mccs' | 'monies' | 'instants' | 'cards'
>;

/** The transaction at index j of the columns. */
export const transactionAt = (c: TransactionColumns, j: number): MatchTransaction => {
  const ma = c.merchantAmount[j] as number;
  const posted = c.postedAt[j] as number;
  const card = c.card[j] as number;
  return {
    id: c.ids[j] as string,
    employeeId: c.employees[c.employee[j] as number] as string,
    merchantName: c.merchants[c.merchant[j] as number] as string,
    mcc: c.mccs[c.mcc[j] as number] as string,
    amount: c.monies[c.amount[j] as number] as Money,
    merchantAmount: ma < 0 ? null : (c.monies[ma] as Money),
    authorizedAt: c.instants[c.authorizedAt[j] as number] as string,
    postedAt: posted < 0 ? null : (c.instants[posted] as string),
    cardLast4: card < 0 ? null : (c.cards[card] as string),
  };
};

/** The index columns of a batch, grown as rows are added: `row(id)` adds one and the caller sets its cells. */
export class Rows<K extends string> {
  length = 0;
  readonly ids: string[] = [];
  readonly cells: Record<K, Int32Array>;

  constructor(private readonly names: readonly K[]) {
    this.cells = Object.fromEntries(names.map((name) => [name, new Int32Array(1024)])) as Record<K, Int32Array>;
  }

  /** Adds a row for this id and returns its index. */
  row(id: string): number {
    const j = this.length;
    if (j === (this.cells[this.names[0] as K] as Int32Array).length) {
      for (const name of this.names) {
        const b = new Int32Array(j * 2);
        b.set(this.cells[name]);
        this.cells[name] = b;
      }
    }
    this.ids.push(id);
    this.length = j + 1;
    return j;
  }

  /** Removes the rows at these indices (ascending), keeping the others in order. */
  drop(rows: readonly number[]): void {
    if (rows.length === 0) return;
    const columns = this.names.map((name) => this.cells[name]);
    let to = 0;
    let next = 0;
    for (let from = 0; from < this.length; from++) {
      if (next < rows.length && rows[next] === from) {
        next++;
        continue;
      }
      for (const c of columns) c[to] = c[from] as number;
      this.ids[to] = this.ids[from] as string;
      to++;
    }
    this.ids.length = to;
    this.length = to;
  }

  /** The filled part of each column. */
  view(): Record<K, Int32Array> {
    return Object.fromEntries(this.names.map((name) => [name, this.cells[name].subarray(0, this.length)])) as Record<
      K,
      Int32Array
    >;
  }
}

export const TRANSACTION_CELLS = [
  'employee',
  'merchant',
  'mcc',
  'amount',
  'merchantAmount',
  'authorizedAt',
  'postedAt',
  'card',
] as const;
export type TransactionCell = (typeof TRANSACTION_CELLS)[number];

/** Transaction columns from rows and value tables. */
export const transactionColumns = (rows: Rows<TransactionCell>, tables: TransactionTables): TransactionColumns => ({
  length: rows.length,
  ids: rows.ids,
  ...rows.view(),
  ...tables,
});

/** Distinct values numbered in the order they are first seen. */
class Distinct<V> {
  readonly values: V[] = [];
  private readonly ids = new Map<V, number>();
  id(value: V): number {
    let k = this.ids.get(value);
    if (k === undefined) {
      k = this.values.length;
      this.values.push(value);
      this.ids.set(value, k);
    }
    return k;
  }
}

/** Columns of transaction objects (what `reconcile` does with an array). */
export const toTransactionColumns = (items: readonly MatchTransaction[]): TransactionColumns => {
  const rows = new Rows(TRANSACTION_CELLS);
  const c = rows.cells;
  const strings = new Distinct<string>();
  const monies = new Distinct<Money>();
  const s = (v: string): number => strings.id(v);
  const m = (v: Money): number => monies.id(v);
  for (const t of items) {
    const j = rows.row(t.id);
    c.employee[j] = s(t.employeeId);
    c.merchant[j] = s(t.merchantName);
    c.mcc[j] = s(t.mcc);
    c.amount[j] = m(t.amount);
    c.merchantAmount[j] = t.merchantAmount === null ? -1 : m(t.merchantAmount);
    c.authorizedAt[j] = s(t.authorizedAt);
    c.postedAt[j] = t.postedAt === null ? -1 : s(t.postedAt);
    c.card[j] = t.cardLast4 === null ? -1 : s(t.cardLast4);
  }
  // One table for every string column: an index names the same value whichever column holds it.
  const t = strings.values;
  return transactionColumns(rows, {
    employees: t,
    merchants: t,
    mccs: t,
    monies: monies.values,
    instants: t,
    cards: t,
  });
};

/** The optional fields of a receipt (rare in a batch: kept by index for the receipts that have them). */
export type ReceiptExtras = Pick<MatchReceipt, 'mccHints' | 'category'>;

/** A batch of receipts as columns (see `TransactionColumns`). */
export interface ReceiptColumns {
  readonly length: number;
  readonly ids: readonly string[];
  /** Index into `employees`; −1 for a receipt without owner. */
  readonly employee: Int32Array;
  /** Index into `vendors`. */
  readonly vendor: Int32Array;
  /** Index into `dates` (YYYY-MM-DD). */
  readonly date: Int32Array;
  /** Index into `monies`. */
  readonly total: Int32Array;
  /** Index into `cards` (last 4 digits printed); −1 for none. */
  readonly card: Int32Array;
  readonly employees: readonly string[];
  readonly vendors: readonly string[];
  readonly dates: readonly string[];
  readonly monies: readonly Money[];
  readonly cards: readonly string[];
  /** The MCC hints and category of the receipts that have any, by index. */
  readonly extras: ReadonlyMap<number, ReceiptExtras>;
}

export type ReceiptTables = Pick<ReceiptColumns, 'employees' | 'vendors' | 'dates' | 'monies' | 'cards' | 'extras'>;

export const RECEIPT_CELLS = ['employee', 'vendor', 'date', 'total', 'card'] as const;
export type ReceiptCell = (typeof RECEIPT_CELLS)[number];

/** Receipt columns from rows and value tables. */
export const receiptColumns = (rows: Rows<ReceiptCell>, tables: ReceiptTables): ReceiptColumns => ({
  length: rows.length,
  ids: rows.ids,
  ...rows.view(),
  ...tables,
});

/** The receipt at index i of the columns. */
export const receiptAt = (c: ReceiptColumns, i: number): MatchReceipt => {
  const employee = c.employee[i] as number;
  const card = c.card[i] as number;
  const receipt: MatchReceipt = {
    id: c.ids[i] as string,
    employeeId: employee < 0 ? null : (c.employees[employee] as string),
    vendor: c.vendors[c.vendor[i] as number] as string,
    date: c.dates[c.date[i] as number] as string,
    total: c.monies[c.total[i] as number] as Money,
    cardLast4: card < 0 ? null : (c.cards[card] as string),
  };
  const extras = c.extras.size === 0 ? undefined : c.extras.get(i);
  return extras === undefined ? receipt : { ...receipt, ...extras };
};

/** The optional fields a receipt object carries (undefined when none). */
export const receiptExtras = (r: MatchReceipt): ReceiptExtras | undefined =>
  r.mccHints === undefined && r.category === undefined
    ? undefined
    : {
        ...(r.mccHints === undefined ? {} : { mccHints: r.mccHints }),
        ...(r.category === undefined ? {} : { category: r.category }),
      };

/** Columns of receipt objects (what `reconcile` does with an array). */
export const toReceiptColumns = (items: readonly MatchReceipt[]): ReceiptColumns => {
  const rows = new Rows(RECEIPT_CELLS);
  const c = rows.cells;
  const strings = new Distinct<string>();
  const monies = new Distinct<Money>();
  const extras = new Map<number, ReceiptExtras>();
  const s = (v: string): number => strings.id(v);
  for (const r of items) {
    const i = rows.row(r.id);
    c.employee[i] = r.employeeId === null ? -1 : s(r.employeeId);
    c.vendor[i] = s(r.vendor);
    c.date[i] = s(r.date);
    c.total[i] = monies.id(r.total);
    c.card[i] = r.cardLast4 === null ? -1 : s(r.cardLast4);
    const extra = receiptExtras(r);
    if (extra !== undefined) extras.set(i, extra);
  }
  const t = strings.values;
  return receiptColumns(rows, { employees: t, vendors: t, dates: t, monies: monies.values, cards: t, extras });
};
