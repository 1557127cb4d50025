import type { Money } from '../money.ts';
import type { MatchReceipt, MatchTransaction } from './types.ts';

/**
 * A batch of card transactions as rows of indices into tables of distinct values. A batch repeats its employees,
 * merchants, MCCs, amounts and cards many times; a reader that interns them hands its tables over as they are, and
 * `reconcile` then prepares each distinct value once instead of once per line, without a million objects for the
 * garbage collector to copy and mark. `transactionAt` builds the object of one transaction when a step needs it
 * (explaining a printed pair, refunds, sums).
 *
 * The cells are row-major (transaction j's cell c is `cells[j * TX_WIDTH + c]`): a step that reads one transaction
 * at a random index reads one cache line, not one per column. A table may hold a value twice (each index only has
 * to name a value).
 */
export interface TransactionColumns {
  readonly length: number;
  readonly ids: readonly string[];
  /** Per transaction, the cells of `TxCell`. */
  readonly cells: Int32Array;
  readonly employees: readonly string[];
  /** The card descriptors. */
  readonly merchants: readonly string[];
  /** 4 digits. */
  readonly mccs: readonly string[];
  readonly monies: readonly Money[];
  readonly instants: readonly string[];
  /** Last 4 digits. */
  readonly cards: readonly string[];
}

/** The cells of a transaction row: indices into the tables (−1: none, for the optional ones). */
export const TxCell = {
  employee: 0,
  merchant: 1,
  mcc: 2,
  amount: 3,
  /** Into `monies`; −1 for no merchant amount. */
  merchantAmount: 4,
  authorizedAt: 5,
  /** Into `instants`; −1 for not posted. */
  postedAt: 6,
  /** −1 for no card. */
  card: 7,
} as const;
export const TX_WIDTH = 8;

/** The value tables of transaction columns. */
export type TransactionTables = Pick<
  TransactionColumns,
  'employees' | 'merchants' | 'mccs' | 'monies' | 'instants' | 'cards'
>;

/** The transaction at index j. */
export const transactionAt = (c: TransactionColumns, j: number): MatchTransaction => {
  const { cells } = c;
  const at = j * TX_WIDTH;
  const ma = cells[at + TxCell.merchantAmount] as number;
  const posted = cells[at + TxCell.postedAt] as number;
  const card = cells[at + TxCell.card] as number;
  return {
    id: c.ids[j] as string,
    employeeId: c.employees[cells[at + TxCell.employee] as number] as string,
    merchantName: c.merchants[cells[at + TxCell.merchant] as number] as string,
    mcc: c.mccs[cells[at + TxCell.mcc] as number] as string,
    amount: c.monies[cells[at + TxCell.amount] as number] as Money,
    merchantAmount: ma < 0 ? null : (c.monies[ma] as Money),
    authorizedAt: c.instants[cells[at + TxCell.authorizedAt] as number] as string,
    postedAt: posted < 0 ? null : (c.instants[posted] as string),
    cardLast4: card < 0 ? null : (c.cards[card] as string),
  };
};

/** Rows of `width` cells, grown as rows are added: `row(id)` adds one and returns where its cells start. */
export class Rows {
  length = 0;
  readonly ids: string[] = [];
  cells: Int32Array;

  constructor(readonly width: number) {
    this.cells = new Int32Array(1024 * width);
  }

  /** Adds a row for this id and returns the index of its first cell. */
  row(id: string): number {
    const at = this.length * this.width;
    if (at === this.cells.length) {
      const grown = new Int32Array(at * 2);
      grown.set(this.cells);
      this.cells = grown;
    }
    this.ids.push(id);
    this.length++;
    return at;
  }

  /** Removes the rows at these indices (ascending), keeping the others in order. */
  drop(rows: readonly number[]): void {
    if (rows.length === 0) return;
    const { cells, width } = this;
    let to = 0;
    let next = 0;
    for (let from = 0; from < this.length; from++) {
      if (next < rows.length && rows[next] === from) {
        next++;
        continue;
      }
      cells.copyWithin(to * width, from * width, (from + 1) * width);
      this.ids[to] = this.ids[from] as string;
      to++;
    }
    this.ids.length = to;
    this.length = to;
  }

  /** The filled cells. */
  filled(): Int32Array {
    return this.cells.subarray(0, this.length * this.width);
  }
}

/** Transaction columns from rows and value tables. */
export const transactionColumns = (rows: Rows, tables: TransactionTables): TransactionColumns => ({
  length: rows.length,
  ids: rows.ids,
  cells: rows.filled(),
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
  const rows = new Rows(TX_WIDTH);
  const strings = new Distinct<string>();
  const monies = new Distinct<Money>();
  const s = (v: string): number => strings.id(v);
  for (const t of items) {
    const at = rows.row(t.id);
    const c = rows.cells;
    c[at + TxCell.employee] = s(t.employeeId);
    c[at + TxCell.merchant] = s(t.merchantName);
    c[at + TxCell.mcc] = s(t.mcc);
    c[at + TxCell.amount] = monies.id(t.amount);
    c[at + TxCell.merchantAmount] = t.merchantAmount === null ? -1 : monies.id(t.merchantAmount);
    c[at + TxCell.authorizedAt] = s(t.authorizedAt);
    c[at + TxCell.postedAt] = t.postedAt === null ? -1 : s(t.postedAt);
    c[at + TxCell.card] = t.cardLast4 === null ? -1 : s(t.cardLast4);
  }
  // One table for every string cell: an index names the same value whichever cell holds it.
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

/** A batch of receipts as rows of indices into tables of distinct values (see `TransactionColumns`). */
export interface ReceiptColumns {
  readonly length: number;
  readonly ids: readonly string[];
  /** Per receipt, the cells of `ReceiptCell` (row-major: receipt i's cell c is `cells[i * RECEIPT_WIDTH + c]`). */
  readonly cells: Int32Array;
  readonly employees: readonly string[];
  readonly vendors: readonly string[];
  /** YYYY-MM-DD. */
  readonly dates: readonly string[];
  readonly monies: readonly Money[];
  /** Last 4 digits printed. */
  readonly cards: readonly string[];
  /** The MCC hints and category of the receipts that have any, by index. */
  readonly extras: ReadonlyMap<number, ReceiptExtras>;
}

/** The cells of a receipt row: indices into the tables (−1: none, for the optional ones). */
export const ReceiptCell = {
  /** −1 for a receipt without owner. */
  employee: 0,
  vendor: 1,
  date: 2,
  total: 3,
  /** −1 for none printed. */
  card: 4,
} as const;
export const RECEIPT_WIDTH = 5;

export type ReceiptTables = Pick<ReceiptColumns, 'employees' | 'vendors' | 'dates' | 'monies' | 'cards' | 'extras'>;

/** Receipt columns from rows and value tables. */
export const receiptColumns = (rows: Rows, tables: ReceiptTables): ReceiptColumns => ({
  length: rows.length,
  ids: rows.ids,
  cells: rows.filled(),
  ...tables,
});

/** The receipt at index i. */
export const receiptAt = (c: ReceiptColumns, i: number): MatchReceipt => {
  const { cells } = c;
  const at = i * RECEIPT_WIDTH;
  const employee = cells[at + ReceiptCell.employee] as number;
  const card = cells[at + ReceiptCell.card] as number;
  const receipt: MatchReceipt = {
    id: c.ids[i] as string,
    employeeId: employee < 0 ? null : (c.employees[employee] as string),
    vendor: c.vendors[cells[at + ReceiptCell.vendor] as number] as string,
    date: c.dates[cells[at + ReceiptCell.date] as number] as string,
    total: c.monies[cells[at + ReceiptCell.total] as number] as Money,
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
  const rows = new Rows(RECEIPT_WIDTH);
  const strings = new Distinct<string>();
  const monies = new Distinct<Money>();
  const extras = new Map<number, ReceiptExtras>();
  const s = (v: string): number => strings.id(v);
  for (const r of items) {
    const at = rows.row(r.id);
    const c = rows.cells;
    c[at + ReceiptCell.employee] = r.employeeId === null ? -1 : s(r.employeeId);
    c[at + ReceiptCell.vendor] = s(r.vendor);
    c[at + ReceiptCell.date] = s(r.date);
    c[at + ReceiptCell.total] = monies.id(r.total);
    c[at + ReceiptCell.card] = r.cardLast4 === null ? -1 : s(r.cardLast4);
    const extra = receiptExtras(r);
    if (extra !== undefined) extras.set(rows.length - 1, extra);
  }
  const t = strings.values;
  return receiptColumns(rows, { employees: t, vendors: t, dates: t, monies: monies.values, cards: t, extras });
};
