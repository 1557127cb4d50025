import type { Money } from '../money.ts';
import type { MatchTransaction } from './types.ts';

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

const COLUMNS = [
  'employee',
  'merchant',
  'mcc',
  'amount',
  'merchantAmount',
  'authorizedAt',
  'postedAt',
  'card',
] as const;

/** The index columns, grown as rows are added: `row(id)` adds one and the caller sets its cells. */
export class TransactionRows {
  length = 0;
  readonly ids: string[] = [];
  employee = new Int32Array(1024);
  merchant = new Int32Array(1024);
  mcc = new Int32Array(1024);
  amount = new Int32Array(1024);
  merchantAmount = new Int32Array(1024);
  authorizedAt = new Int32Array(1024);
  postedAt = new Int32Array(1024);
  card = new Int32Array(1024);

  /** Adds a row for this id and returns its index. */
  row(id: string): number {
    const j = this.length;
    if (j === this.employee.length) {
      for (const name of COLUMNS) {
        const b = new Int32Array(j * 2);
        b.set(this[name]);
        this[name] = b;
      }
    }
    this.ids.push(id);
    this.length = j + 1;
    return j;
  }

  /** Removes the rows at these indices (ascending), keeping the others in order. */
  drop(rows: readonly number[]): void {
    if (rows.length === 0) return;
    let to = 0;
    let next = 0;
    for (let from = 0; from < this.length; from++) {
      if (next < rows.length && rows[next] === from) {
        next++;
        continue;
      }
      for (const name of COLUMNS) this[name][to] = this[name][from] as number;
      this.ids[to] = this.ids[from] as string;
      to++;
    }
    this.ids.length = to;
    this.length = to;
  }

  columns(tables: TransactionTables): TransactionColumns {
    const n = this.length;
    return {
      length: n,
      ids: this.ids,
      employee: this.employee.subarray(0, n),
      merchant: this.merchant.subarray(0, n),
      mcc: this.mcc.subarray(0, n),
      amount: this.amount.subarray(0, n),
      merchantAmount: this.merchantAmount.subarray(0, n),
      authorizedAt: this.authorizedAt.subarray(0, n),
      postedAt: this.postedAt.subarray(0, n),
      card: this.card.subarray(0, n),
      ...tables,
    };
  }
}

/** Columns of transaction objects (what `reconcile` does with an array). */
export const toTransactionColumns = (items: readonly MatchTransaction[]): TransactionColumns => {
  const rows = new TransactionRows();
  const strings: string[] = [];
  const monies: Money[] = [];
  const stringIds = new Map<string, number>();
  const moneyIds = new Map<Money, number>();
  const s = (v: string): number => {
    let k = stringIds.get(v);
    if (k === undefined) {
      k = strings.length;
      strings.push(v);
      stringIds.set(v, k);
    }
    return k;
  };
  const m = (v: Money): number => {
    let k = moneyIds.get(v);
    if (k === undefined) {
      k = monies.length;
      monies.push(v);
      moneyIds.set(v, k);
    }
    return k;
  };
  for (const t of items) {
    const j = rows.row(t.id);
    rows.employee[j] = s(t.employeeId);
    rows.merchant[j] = s(t.merchantName);
    rows.mcc[j] = s(t.mcc);
    rows.amount[j] = m(t.amount);
    rows.merchantAmount[j] = t.merchantAmount === null ? -1 : m(t.merchantAmount);
    rows.authorizedAt[j] = s(t.authorizedAt);
    rows.postedAt[j] = t.postedAt === null ? -1 : s(t.postedAt);
    rows.card[j] = t.cardLast4 === null ? -1 : s(t.cardLast4);
  }
  // One table for every string column: an index names the same value whichever column holds it.
  return rows.columns({
    employees: strings,
    merchants: strings,
    mccs: strings,
    monies,
    instants: strings,
    cards: strings,
  });
};
