import type { PreparedReceipt, PreparedTransaction } from './score.ts';
import type { MatchOptions } from './types.ts';

/**
 * In-memory index of transactions bucketed by employee + authorization day (and by card last 4 + day, and by
 * day alone, for receipts whose owner is unknown). The same key shape as the online DynamoDB index
 * (employee#day), so online and batch look at the same candidates. Lookups cost O(window days + hits).
 */
export class TransactionIndex {
  private readonly byEmployeeDay = new Map<string, PreparedTransaction[]>();
  private readonly byCardDay = new Map<string, PreparedTransaction[]>();
  private readonly byDay = new Map<number, PreparedTransaction[]>();

  constructor(transactions: Iterable<PreparedTransaction> = []) {
    for (const t of transactions) this.add(t);
  }

  add(t: PreparedTransaction): void {
    push(this.byEmployeeDay, `${t.transaction.employeeId}\u0000${t.authDay}`, t);
    if (t.transaction.cardLast4 !== null) push(this.byCardDay, `${t.transaction.cardLast4}\u0000${t.authDay}`, t);
    push(this.byDay, t.authDay, t);
  }

  /** Transactions of `employeeId` authorized on UTC days [fromDay, toDay]. */
  forEmployee(employeeId: string, fromDay: number, toDay: number): PreparedTransaction[] {
    const out: PreparedTransaction[] = [];
    for (let d = fromDay; d <= toDay; d++) {
      const b = this.byEmployeeDay.get(`${employeeId}\u0000${d}`);
      if (b) for (const t of b) out.push(t);
    }
    return out;
  }

  /** Candidates for a receipt: by its employee when known, else by its card last 4, else every transaction. */
  candidatesFor(pr: PreparedReceipt, options: MatchOptions): PreparedTransaction[] {
    const [from, to] = candidateWindow(pr.day, options);
    const r = pr.receipt;
    if (r.employeeId !== null) return this.forEmployee(r.employeeId, from, to);
    const out: PreparedTransaction[] = [];
    for (let d = from; d <= to; d++) {
      const b = r.cardLast4 !== null ? this.byCardDay.get(`${r.cardLast4}\u0000${d}`) : this.byDay.get(d);
      if (b) for (const t of b) out.push(t);
    }
    return out;
  }
}

/** Receipts bucketed by employee + day, for the several-receipts ↔ one-transaction search. */
export class ReceiptIndex {
  private readonly byEmployeeDay = new Map<string, PreparedReceipt[]>();
  /** Receipts without an owner but with a printed card number, by card + day. */
  private readonly unownedByCardDay = new Map<string, PreparedReceipt[]>();

  constructor(receipts: Iterable<PreparedReceipt> = []) {
    for (const r of receipts) this.add(r);
  }

  add(r: PreparedReceipt): void {
    if (r.receipt.employeeId !== null) push(this.byEmployeeDay, `${r.receipt.employeeId}\u0000${r.day}`, r);
    else if (r.receipt.cardLast4 !== null) push(this.unownedByCardDay, `${r.receipt.cardLast4}\u0000${r.day}`, r);
  }

  /** Receipts of `employeeId` dated [fromDay, toDay], plus unowned ones printing `cardLast4`. */
  forEmployee(employeeId: string, fromDay: number, toDay: number, cardLast4: string | null = null): PreparedReceipt[] {
    const out: PreparedReceipt[] = [];
    for (let d = fromDay; d <= toDay; d++) {
      const b = this.byEmployeeDay.get(`${employeeId}\u0000${d}`);
      if (b) for (const r of b) out.push(r);
      if (cardLast4 !== null) {
        const u = this.unownedByCardDay.get(`${cardLast4}\u0000${d}`);
        if (u) for (const r of u) out.push(r);
      }
    }
    return out;
  }
}

/**
 * UTC authorization days worth looking at for a receipt dated `day`: from a hotel check-in `hotelMaxNights`
 * before, to split-shipment charges `splitWindowDays` after (one extra day each side for time zones).
 */
export const candidateWindow = (day: number, options: MatchOptions): readonly [number, number] => [
  day - Math.max(options.hotelMaxNights, options.daysAfter) - 1,
  day + Math.max(options.splitWindowDays, options.daysBefore + 5) + 1,
];

const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const b = map.get(key);
  if (b) b.push(value);
  else map.set(key, [value]);
};
