import type { Money } from '../money.ts';
import { AMOUNT_EXACT, convertMoney, TIP_TOLERANCE_BPS, tipReason } from './amount.ts';
import { assignKeyed, decisionOrder, idSortKey, OptionTable } from './assign.ts';
import {
  CodeInterner,
  DayGroups,
  hasSubsetSum,
  Interner,
  lowerBound,
  sortByInstant,
  UnownedLookup,
} from './batch-columns.ts';
import { convertedAbs, type ParsedRate, parseRate } from './batch-fx.ts';
import {
  RECEIPT_WIDTH,
  ReceiptCell,
  type ReceiptColumns,
  receiptAt,
  type TransactionColumns,
  TX_WIDTH,
  TxCell,
  toReceiptColumns,
  toTransactionColumns,
  transactionAt,
} from './batch-input.ts';
import { BatchSimilarityCache } from './batch-similarity.ts';
import { DAY_MS, epochDay, HOUR_MS, instantMs } from './dates.ts';
import { manyToTransactionOptions, receiptToManyOptions } from './groups.ts';
import { linkRefunds, type RefundCandidates, type RefundLink } from './refunds.ts';
import {
  dateEvidenceAt,
  identityEvidenceOf,
  isLodgingMcc,
  type PreparedReceipt,
  type PreparedTransaction,
  pairAmountEvidence,
  pairReasons,
  scorePrepared,
  scorePreparedValue,
  WEIGHTS,
} from './score.ts';
import {
  defaultMatchOptions,
  type MatchGroup,
  type MatchOptions,
  type MatchProposal,
  type MatchReceipt,
  type MatchTransaction,
} from './types.ts';

export interface ReconcileResult {
  /** One line per receipt ↔ transaction pair, grouped by receipt in input order, best first (empty with `emit`). */
  readonly proposals: MatchProposal[];
  /** The chosen decisions (a group may link several receipts or several transactions; empty with `emit`). */
  readonly chosen: MatchGroup[];
  /** Refund → purchase links (also reflected in `proposals` when the purchase has a receipt). */
  readonly refunds: RefundLink[];
  readonly stats: {
    readonly receipts: number;
    readonly transactions: number;
    /** Candidate pairs looked at (after the index lookup). */
    readonly pairsScored: number;
    /** Candidate pairs that passed the column prefilter (date and amount) and went through the shared scoring. */
    readonly pairsExact: number;
    readonly options: number;
    /** Lines proposed (also when they were emitted instead of collected). */
    readonly proposals: number;
  };
}

export interface ReconcileHooks {
  /** Called after each phase with its duration in milliseconds (for `quittance reconcile --timings`). */
  readonly timing?: (phase: string, ms: number) => void;
  /**
   * Receives the proposals one by one, in output order, instead of collecting them: a large batch then never
   * holds every explained line at once. With `emit`, the result's `proposals` and `chosen` are left empty.
   */
  readonly emit?: (proposal: MatchProposal) => void;
}

const SHAPE_ORDER: Readonly<Record<MatchGroup['shape'], number>> = {
  'one-to-one': 0,
  'receipt-to-many': 1,
  'many-to-transaction': 2,
  'refund-of-purchase': 3,
};

/** One-to-one options kept per receipt (the best ones; see `reconcile`). */
const MAX_PAIRS_PER_RECEIPT = 8;

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Amounts (minor units) below this are compared and scaled exactly as floats in scoreOnColumns. */
const EXACT = 2 ** 38;

/**
 * The score `sameCurrency` (amount.ts) gives a printed total against a charged amount in its currency, or −1 when it
 * rejects: equal (same sign and value) 1, else within the MCC's tip over the total. Absolute values, exact floats.
 */
const sameCurrencyScore = (p: number, c: number, sameSign: boolean, tipBps: number): number => {
  if (sameSign && c === p) return 1;
  if (tipBps === 0) return -1;
  if (c > p && p > 0 && (c - p) * 10_000 <= p * tipBps) {
    const pct = ((c - p) / p) * 100;
    return 0.9 - 0.15 * (pct / (tipBps / 100));
  }
  return -1;
};

const grow = (a: Float64Array): Float64Array<ArrayBuffer> => {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
};

/**
 * The k-th largest of `values[0 … n − 1]` counting equal values (what sorting them ascending puts at n − k), for
 * n ≥ k = best.length: the k largest kept in `best`, in descending order, by insertion.
 */
const kthBest = (values: Float64Array, n: number, best: Float64Array): number => {
  const k = best.length;
  for (let x = 0; x < k; x++) best[x] = Number.NEGATIVE_INFINITY;
  for (let x = 0; x < n; x++) {
    const v = values[x] as number;
    if (!(v > (best[k - 1] as number))) continue;
    let y = k - 1;
    while (y > 0 && (best[y - 1] as number) < v) {
      best[y] = best[y - 1] as number;
      y--;
    }
    best[y] = v;
  }
  return best[k - 1] as number;
};

/** `hasSubsetSum`, or true when the amounts are too large for exact float arithmetic. */
const mayHaveSum = (values: Float64Array, n: number, target: number): boolean =>
  target > Number.MAX_SAFE_INTEGER / 4 ? n >= 2 : hasSubsetSum(values, n, target);

/** Where loads made only to start cache misses early go (a module variable: the loads are not optimized away). */
let _touched = 0;

/** A posting day column value for "not posted". */
const NO_DAY = -0x80000000;

/** Prepared items that know their position (the assignment's integer keys). */
interface BatchReceipt extends PreparedReceipt {
  readonly index: number;
}
interface BatchTransaction extends PreparedTransaction {
  readonly index: number;
}

/**
 * Batch reconciliation: index → candidates → scores → sum shapes → global assignment → refunds → proposals.
 * Pure and deterministic for a given input. The same scoring the online matcher uses: one-to-one pairs are ranked
 * with `scorePreparedValue` (the score of `scorePrepared` without building reasons) and the printed pairs are
 * explained with `scorePrepared`.
 */
export const reconcile = (
  receipts: readonly MatchReceipt[] | ReceiptColumns,
  transactions: readonly MatchTransaction[] | TransactionColumns,
  partial: Partial<MatchOptions> = {},
  hooks: ReconcileHooks = {},
): ReconcileResult => {
  let t0 = performance.now();
  const phase = (name: string): void => {
    const t1 = performance.now();
    hooks.timing?.(name, t1 - t0);
    t0 = t1;
  };
  const options: MatchOptions = { ...defaultMatchOptions, ...partial };
  const memo = new BatchSimilarityCache();
  const rc = Array.isArray(receipts) ? toReceiptColumns(receipts) : (receipts as ReceiptColumns);
  const nR = rc.length;
  const rIds = rc.ids;
  const rCells = rc.cells;
  const tc = Array.isArray(transactions) ? toTransactionColumns(transactions) : (transactions as TransactionColumns);
  const nT = tc.length;
  const tCells = tc.cells;
  // Integer ids shared by receipts and transactions: employees, currencies, cards.
  const employees = new Interner();
  const currencies = new Interner();
  const cards = new CodeInterner();

  /** Per assignment key (receipt i is key i, the transaction at position x is key nR + x): idSortKey of its id. */
  const idKeys = new Float64Array(nR + nT);
  /** Prepared receipts built on demand and kept (`pr(i)`): receipts of sums and fallbacks. */
  const prs: (BatchReceipt | undefined)[] = new Array(nR);
  const rDay = new Int32Array(nR);
  const rAbs = new Float64Array(nR);
  const rNeg = new Uint8Array(nR);
  const rCur = new Int32Array(nR);
  const rEmp = new Int32Array(nR);
  const rCard = new Int32Array(nR);
  /** The card a receipt prints (−1 for none). */
  const rCardAny = new Int32Array(nR);
  /** 1 when the pairs of a receipt can be scored on the columns (see scoreOnColumns). */
  const rColumns = new Uint8Array(nR);
  /** 1 when the receipt may be paid by a sum of charges (an owner or a card, and a nonzero total). */
  const rSums = new Uint8Array(nR);
  /** The id of the receipt's normalized vendor in `memo`. */
  const rMid = new Int32Array(nR);
  // The transactions' columns are allocated here, with the receipts' ones: typed arrays count as external memory,
  // and allocating them in one burst starts one garbage collection cycle instead of one per phase.
  /** Authorization instants and employee ids by input index (temporaries of the sort below). */
  const authMs = new Float64Array(nT);
  const txEmp = new Int32Array(nT);
  /** Position x holds transaction order[x]. */
  const order = new Int32Array(nT);
  /** The id of the charge's normalized descriptor in `memo`. */
  const tMid = new Int32Array(nT);
  const txEmpAt = new Int32Array(nT);
  const tDay = new Int32Array(nT);
  /** The merchant-local days the authorization can fall on (`localDaySpan`): [tLo, tHi]. */
  const tLo = new Int32Array(nT);
  const tHi = new Int32Array(nT);
  const tPost = new Int32Array(nT);
  /** The index of the charge's MCC among the distinct MCCs (the per-MCC columns below). */
  const tMcc = new Int32Array(nT);
  const tMs = new Float64Array(nT);
  /** 1 when every amount of the charge is small enough for exact float arithmetic (see scoreOnColumns). */
  const tColumns = new Uint8Array(nT);
  const tAbs = new Float64Array(nT);
  const tNeg = new Uint8Array(nT);
  const tCur = new Int32Array(nT);
  const tMAbs = new Float64Array(nT);
  const tMNeg = new Uint8Array(nT);
  const tMCur = new Int32Array(nT);
  const tCard = new Int32Array(nT);
  // Each distinct value of the columns' tables is prepared once, on its first use (in input order, so every
  // interner numbers values in the order the former per-line code did).
  /** Per vendor value: its normalized id in `memo` (−1 until normalized). */
  const vendorOf = new Int32Array(rc.vendors.length).fill(-1);
  /** Per date value: its epoch day (NO_DAY until parsed). */
  const dayOf = new Int32Array(rc.dates.length).fill(NO_DAY);
  /** Per receipt money: absolute minor units, sign, currency id (−1 until read). */
  const totalAbs = new Float64Array(rc.monies.length);
  const totalNeg = new Uint8Array(rc.monies.length);
  const totalCur = new Int32Array(rc.monies.length).fill(-1);
  /** Per employee value: its id in `employees` (−1 until interned). */
  const rEmployeeOf = new Int32Array(rc.employees.length).fill(-1);
  /** Per card value: its id in `cards` (−1 until interned). */
  const rCardOf = new Int32Array(rc.cards.length).fill(-1);
  const { extras } = rc;
  for (let i = 0; i < nR; i++) {
    const at = i * RECEIPT_WIDTH;
    const vv = rCells[at + ReceiptCell.vendor] as number;
    let mid = vendorOf[vv] as number;
    if (mid < 0) {
      mid = memo.internId(rc.vendors[vv] as string);
      vendorOf[vv] = mid;
    }
    rMid[i] = mid;
    idKeys[i] = idSortKey(rIds[i] as string);
    const dv = rCells[at + ReceiptCell.date] as number;
    let day = dayOf[dv] as number;
    if (day === NO_DAY) {
      day = epochDay(rc.dates[dv] as string);
      dayOf[dv] = day;
    }
    rDay[i] = day;
    const mv = rCells[at + ReceiptCell.total] as number;
    if (totalCur[mv] === -1) {
      const minor = (rc.monies[mv] as Money).minor;
      totalAbs[mv] = Number(minor < 0n ? -minor : minor);
      totalNeg[mv] = minor < 0n ? 1 : 0;
      totalCur[mv] = currencies.id((rc.monies[mv] as Money).currency);
    }
    rAbs[i] = totalAbs[mv] as number;
    rNeg[i] = totalNeg[mv] as number;
    rCur[i] = totalCur[mv] as number;
    const ev = rCells[at + ReceiptCell.employee] as number;
    let emp = -1;
    if (ev >= 0) {
      emp = rEmployeeOf[ev] as number;
      if (emp < 0) {
        emp = employees.id(rc.employees[ev] as string);
        rEmployeeOf[ev] = emp;
      }
    }
    rEmp[i] = emp;
    const cv = rCells[at + ReceiptCell.card] as number;
    let card = -1;
    if (cv >= 0) {
      card = rCardOf[cv] as number;
      if (card < 0) {
        card = cards.id(rc.cards[cv] as string);
        rCardOf[cv] = card;
      }
    }
    // Cards of receipts without an owner (the sums of receipts look them up by card).
    rCard[i] = ev < 0 ? card : -1;
    rCardAny[i] = card;
    const extra = extras.size === 0 ? undefined : extras.get(i);
    rColumns[i] =
      (extra === undefined || (extra.mccHints === undefined && (extra.category ?? null) === null)) &&
      (rAbs[i] as number) < EXACT
        ? 1
        : 0;
    rSums[i] = (ev >= 0 || cv >= 0) && rAbs[i] !== 0 ? 1 : 0;
  }
  /** The prepared receipt at index i: the fields of prepareReceiptWith, plus the position. */
  const prepareReceiptAt = (i: number): BatchReceipt => ({
    receipt: receiptAt(rc, i),
    day: rDay[i] as number,
    merchant: memo.merchantOf(rMid[i] as number),
    merchantId: rMid[i] as number,
    nameId: rCells[i * RECEIPT_WIDTH + ReceiptCell.vendor] as number,
    index: i,
  });
  /** `prepareReceiptAt(i)`, built once and kept. */
  const pr = (i: number): BatchReceipt => {
    let p = prs[i];
    if (p === undefined) {
      p = prepareReceiptAt(i);
      prs[i] = p;
    }
    return p;
  };
  /** `prepareReceiptAt(i)` for a single use: the kept one when it exists, else a fresh one (dies young). */
  const prOnce = (i: number): BatchReceipt => prs[i] ?? prepareReceiptAt(i);
  phase('prepare receipts');

  // Transactions are prepared in employee and time order: a receipt's candidates are one employee's charges of a
  // few weeks, a contiguous run of the columns below. Their keys follow this order; ids still break every tie, so
  // the decisions do not depend on it. Position x holds transaction order[x].
  // Each distinct value of the columns' tables is prepared once, on its first use (in input order, so every
  // interner below numbers values in the order the former per-line code did).
  /** Per instant: its epoch milliseconds (NaN until computed). */
  const instantMsOf = new Float64Array(tc.instants.length).fill(Number.NaN);
  const msOf = (k: number): number => {
    let ms = instantMsOf[k] as number;
    if (Number.isNaN(ms)) {
      ms = instantMs(tc.instants[k] as string);
      instantMsOf[k] = ms;
    }
    return ms;
  };
  /** Per employee value: its id in `employees` (−1 until interned). */
  const employeeOf = new Int32Array(tc.employees.length).fill(-1);
  for (let j = 0; j < nT; j++) {
    authMs[j] = msOf(tCells[j * TX_WIDTH + TxCell.authorizedAt] as number);
    const v = tCells[j * TX_WIDTH + TxCell.employee] as number;
    let e = employeeOf[v] as number;
    if (e < 0) {
      e = employees.id(tc.employees[v] as string);
      employeeOf[v] = e;
    }
    txEmp[j] = e;
  }
  // Employee ids ranked in code-unit order of their strings (the order of the former string sort).
  const empRank = new Int32Array(employees.size);
  employees.values
    .map((v, id) => ({ v, id }))
    .sort((a, b) => compareIds(a.v, b.v))
    .forEach(({ id }, rank) => {
      empRank[id] = rank;
    });
  // Order: employee rank, then authorization instant, then id, then position. Bucketed by rank first (a counting
  // sort), each employee's charges then sorted on their own.
  const rankCount = employees.size;
  const rankStart = new Int32Array(rankCount + 1);
  for (let j = 0; j < nT; j++) {
    const r = empRank[txEmp[j] as number] as number;
    rankStart[r + 1] = (rankStart[r + 1] as number) + 1;
  }
  for (let r = 0; r < rankCount; r++) rankStart[r + 1] = (rankStart[r + 1] as number) + (rankStart[r] as number);
  const rankFill = rankStart.slice(0, rankCount);
  for (let j = 0; j < nT; j++) {
    const r = empRank[txEmp[j] as number] as number;
    order[rankFill[r] as number] = j;
    rankFill[r] = (rankFill[r] as number) + 1;
  }
  const tIds = tc.ids;
  sortByInstant(order, rankStart, authMs, (a, b) => compareIds(tIds[a] as string, tIds[b] as string));
  /** The transaction at position x (a new object: callers that keep it keep their prepared item). */
  const txAt = (x: number): MatchTransaction => transactionAt(tc, order[x] as number);
  /** The id of the transaction at each position (printed lines read them in decision order: one read, not three). */
  const txIds: string[] = new Array(nT);
  // Prepared transactions are built on demand (`pt(x)`): most charges are only ever read on the columns.
  const pts: (BatchTransaction | undefined)[] = new Array(nT);
  /** Per employee id: its transactions are [empFrom, empTo) (empty when it has none). */
  const empFrom = new Int32Array(employees.size);
  const empTo = new Int32Array(employees.size);
  for (let e = 0; e < employees.size; e++) {
    const r = empRank[e] as number;
    empFrom[e] = rankStart[r] as number;
    empTo[e] = rankStart[r + 1] as number;
  }
  // Per distinct MCC: lodging and tip tolerance.
  const mccs = new Map<string, number>();
  const mccLodging: number[] = [];
  const mccTipBps: number[] = [];
  /** Per MCC value of the columns: its index among the distinct MCCs (−1 until seen). */
  const mccOf = new Int32Array(tc.mccs.length).fill(-1);
  /** Per money of the columns: its absolute minor units, sign and currency id (−1 until read). */
  const moneyAbs = new Float64Array(tc.monies.length);
  const moneyNeg = new Uint8Array(tc.monies.length);
  const moneyCur = new Int32Array(tc.monies.length).fill(-1);
  const readMoney = (k: number): void => {
    const m = tc.monies[k] as Money;
    moneyAbs[k] = Number(m.minor < 0n ? -m.minor : m.minor);
    moneyNeg[k] = m.minor < 0n ? 1 : 0;
    moneyCur[k] = currencies.id(m.currency);
  };
  /** Per merchant value of the columns: its normalized id in `memo` (−1 until normalized). */
  const merchantOf = new Int32Array(tc.merchants.length).fill(-1);
  /** Per card value of the columns: its id in `cards` (−1 until interned). */
  const cardOf = new Int32Array(tc.cards.length).fill(-1);
  // Each distinct value is resolved on its first use in input order (so the interners number values in the order
  // the former per-line code did) ...
  for (let j = 0; j < nT; j++) {
    const at = j * TX_WIDTH;
    const mv = tCells[at + TxCell.merchant] as number;
    if ((merchantOf[mv] as number) < 0) merchantOf[mv] = memo.internId(tc.merchants[mv] as string);
    const mv2 = tCells[at + TxCell.mcc] as number;
    if ((mccOf[mv2] as number) < 0) {
      const mcc = tc.mccs[mv2] as string;
      let m = mccs.get(mcc) ?? -1;
      if (m < 0) {
        m = mccTipBps.length;
        mccLodging.push(isLodgingMcc(mcc) ? 1 : 0);
        mccTipBps.push(TIP_TOLERANCE_BPS[mcc] ?? 0);
        mccs.set(mcc, m);
      }
      mccOf[mv2] = m;
    }
    const a = tCells[at + TxCell.amount] as number;
    if (moneyCur[a] === -1) readMoney(a);
    const ma = tCells[at + TxCell.merchantAmount] as number;
    if (ma >= 0 && moneyCur[ma] === -1) readMoney(ma);
    const cv = tCells[at + TxCell.card] as number;
    if (cv >= 0 && (cardOf[cv] as number) < 0) cardOf[cv] = cards.id(tc.cards[cv] as string);
  }
  // ... then the positions are filled in order: sequential writes, one row read at a random index.
  for (let x = 0; x < nT; x++) {
    const j = order[x] as number;
    const at = j * TX_WIDTH;
    const ms = authMs[j] as number;
    txEmpAt[x] = txEmp[j] as number;
    tMid[x] = merchantOf[tCells[at + TxCell.merchant] as number] as number;
    const id = tIds[j] as string;
    txIds[x] = id;
    idKeys[nR + x] = idSortKey(id);
    tMs[x] = ms;
    tDay[x] = Math.floor(ms / DAY_MS);
    // localDaySpan(ms)
    tLo[x] = Math.floor((ms - 12 * HOUR_MS) / DAY_MS);
    tHi[x] = Math.floor((ms + 14 * HOUR_MS) / DAY_MS);
    const posted = tCells[at + TxCell.postedAt] as number;
    tPost[x] = posted < 0 ? NO_DAY : Math.floor(msOf(posted) / DAY_MS);
    tMcc[x] = mccOf[tCells[at + TxCell.mcc] as number] as number;
    const a = tCells[at + TxCell.amount] as number;
    tAbs[x] = moneyAbs[a] as number;
    tNeg[x] = moneyNeg[a] as number;
    tCur[x] = moneyCur[a] as number;
    const ma = tCells[at + TxCell.merchantAmount] as number;
    if (ma < 0) tMCur[x] = -1;
    else {
      tMAbs[x] = moneyAbs[ma] as number;
      tMNeg[x] = moneyNeg[ma] as number;
      tMCur[x] = moneyCur[ma] as number;
    }
    const cv = tCells[at + TxCell.card] as number;
    tCard[x] = cv < 0 ? -1 : (cardOf[cv] as number);
    tColumns[x] = (tAbs[x] as number) < EXACT && (ma < 0 || (tMAbs[x] as number) < EXACT) ? 1 : 0;
  }
  /** Per MCC index: 1 for lodging. */
  const mLodging = Uint8Array.from(mccLodging);
  /** Per MCC index: its tip tolerance in basis points (0 without tips). */
  const mTipBps = Int32Array.from(mccTipBps);
  /** Per MCC index: 1 + its tip tolerance (1 without tips: the amount must then be exact). */
  const mTip = Float64Array.from(mccTipBps, (bps) => 1 + bps / 10_000);
  /** Per MCC index: 1 + the card FX fee and its tip tolerance over a converted total. */
  const mFx = Float64Array.from(mccTipBps, (bps) => 1 + (options.maxFxFeeBps + bps) / 10_000);
  /** The prepared transaction at position j: the fields of prepareTransactionWith, plus the position. */
  const prepareAt = (j: number): BatchTransaction => {
    const post = tPost[j] as number;
    const ms = tMs[j] as number;
    // The day recomputed from the instant as it was filled (fewer columns read at a random position).
    return {
      transaction: txAt(j),
      authMs: ms,
      authDay: Math.floor(ms / DAY_MS),
      postDay: post === NO_DAY ? null : post,
      merchant: memo.merchantOf(tMid[j] as number),
      lodging: mLodging[tMcc[j] as number] === 1,
      merchantId: tMid[j] as number,
      nameId: tCells[(order[j] as number) * TX_WIDTH + TxCell.merchant] as number,
      index: j,
    };
  };
  /** `prepareAt(j)`, built once and kept (refunds, and pairs scored off the columns). */
  const pt = (j: number): BatchTransaction => {
    let p = pts[j];
    if (p === undefined) {
      p = prepareAt(j);
      pts[j] = p;
    }
    return p;
  };
  /**
   * `prepareAt(j)` for a single use (explaining a printed line): the kept one when it exists, else a fresh one that
   * is not kept, so the ~1 M objects of the proposals die young instead of being promoted and marked.
   */
  const ptOnce = (j: number): BatchTransaction => pts[j] ?? prepareAt(j);
  phase('prepare transactions');

  // Card-only receipts look up charges by card, receipts without owner nor card by merchant key and amount
  // (TransactionIndex, built only for them), and the sums of receipts look up receipts by employee or card.
  const txByCard = new DayGroups(tCard, cards.size, tDay);
  const unowned = new UnownedLookup(
    { length: nR, unowned: (i) => rEmp[i] === -1 && rCardAny[i] === -1, rCur, rAbs },
    prOnce,
    tMid,
    (id) => memo.merchantOf(id),
    tDay,
    tAbs,
    tCur,
    tMAbs,
    tMCur,
    currencies,
    options,
  );
  const receiptsByEmployee = new DayGroups(rEmp, employees.size, rDay);
  const receiptsByCard = new DayGroups(rCard, cards.size, rDay);
  phase('index');

  // Keys for the assignment: receipt i is key i, transaction j is key nR + j.
  // The ids by key in one array: the assignment reads them to break ties between equal scores.
  /** The code-unit order of the ids of keys a and b (by their idKeys when both have one). */
  const compareKeys = (a: number, b: number): number => {
    const x = idKeys[a] as number;
    const y = idKeys[b] as number;
    return Number.isNaN(x) || Number.isNaN(y) ? compareIds(table.idOfKey(a), table.idOfKey(b)) : x - y;
  };
  // Sized for ~1.5 options a receipt (a typical batch), so the columns rarely grow (each growth copies them all).
  const table = new OptionTable(
    (k) => (k < nR ? (rIds[k] as string) : (txIds[k - nR] as string)),
    nR + (nR >> 1) + 1024,
  );
  /** The MatchGroup of each sum option by option index (one-to-one pairs are explained when printed). */
  const groups = new Map<number, MatchGroup>();
  const addGroup = (g: MatchGroup, rs: readonly PreparedReceipt[], ts: readonly PreparedTransaction[]): void => {
    const rKey = new Map(rs.map((r) => [r.receipt.id, (r as BatchReceipt).index]));
    const tKey = new Map(ts.map((t) => [t.transaction.id, nR + (t as BatchTransaction).index]));
    const keys = [
      ...g.receiptIds.map((id) => rKey.get(id) as number),
      ...g.transactionIds.map((id) => tKey.get(id) as number),
    ];
    const i = table.pushGroup(g.score, SHAPE_ORDER[g.shape], keys, g.receiptIds.join(','), g.transactionIds.join(','));
    groups.set(i, g);
  };

  const { daysBefore, daysAfter, hotelMaxNights, splitWindowDays, rateSource } = options;
  /**
   * Whether `dateEvidence(day, pts[j], options, mode)` is non-null, on the columns (the same rules, no object).
   */
  const dateFits = (day: number, j: number, group: boolean): boolean => {
    if (day >= (tLo[j] as number) && day <= (tHi[j] as number)) return true;
    const authDay = tDay[j] as number;
    if (day > (tHi[j] as number)) {
      const after = day - authDay;
      return (mLodging[tMcc[j] as number] === 1 && after <= hotelMaxNights) || after <= daysAfter;
    }
    const before = authDay - day;
    if (group && before <= splitWindowDays) return true;
    if (before <= daysBefore) return true;
    return tPost[j] === authDay && before <= daysBefore + 5;
  };

  // The amount prefilter is a necessary condition of `amountEvidence` (or of the "not comparable" evidence) with
  // some slack for float rounding; the pairs that pass are scored exactly by `scorePreparedValue`.
  /** Per currency id, for the receipt being scored: its total converted (abs), −1 without a rate, 0 when rejected. */
  const convStamp = new Int32Array(currencies.size).fill(-1);
  const convValue = new Float64Array(currencies.size);
  /** Rates by date, then by (from currency id, to currency id): read once (null: no rate; undefined: not asked). */
  const rateRows = new Map<string, (ParsedRate | null | undefined)[]>();
  const rateOf = (from: number, to: number, date: string): ParsedRate | null => {
    const n = currencies.size;
    let row = rateRows.get(date);
    if (row === undefined) {
      row = new Array(n * n);
      rateRows.set(date, row);
    }
    let parsed = row[from * n + to];
    if (parsed === undefined) {
      const f = currencies.values[from] as string;
      const t = currencies.values[to] as string;
      const rate = rateSource?.(f, t, date) ?? null;
      parsed = rate === null ? null : parseRate(rate, f, t);
      row[from * n + to] = parsed;
    }
    return parsed;
  };
  const converted = (i: number, cur: number): number => {
    if (convStamp[cur] === i) return convValue[cur] as number;
    const rate = rateOf(
      rCur[i] as number,
      cur,
      rc.dates[rCells[i * RECEIPT_WIDTH + ReceiptCell.date] as number] as string,
    );
    let v = -1;
    if (rate !== null) {
      v = convertedAbs(rAbs[i] as number, rate);
      if (v < 0) {
        const total = rc.monies[rCells[i * RECEIPT_WIDTH + ReceiptCell.total] as number] as Money;
        const c = convertMoney(total, rate.rate, currencies.values[cur] as string);
        v = c === null || c.minor === 0n ? 0 : Number(c.minor < 0n ? -c.minor : c.minor);
      }
    }
    convStamp[cur] = i;
    convValue[cur] = v;
    return v;
  };
  const amountMayFit = (i: number, j: number): boolean => {
    if (tNeg[j] !== rNeg[i]) return false;
    const p = rAbs[i] as number;
    const cur = rCur[i] as number;
    // Exact, or over the printed total by at most the MCC's tip (with half a cent of slack for float rounding).
    if (tCur[j] === cur) {
      const v = tAbs[j] as number;
      return v === p || (v > p && v <= p * (mTip[tMcc[j] as number] as number) + 0.5);
    }
    if (tMCur[j] === cur) {
      const v = tMAbs[j] as number;
      return v === p || (v > p && v <= p * (mTip[tMcc[j] as number] as number) + 0.5);
    }
    if (rateSource === null) return true; // not comparable: the merchant decides
    const c = converted(i, tCur[j] as number);
    if (c < 0) return true;
    if (c === 0) return false;
    const v = tAbs[j] as number;
    return v >= c * 0.99 - 1 && v <= c * (mFx[tMcc[j] as number] as number) + 1;
  };
  const maxFee = options.maxFxFeeBps;
  /**
   * `scorePreparedValue(prs[i], pts[j])` computed on the columns, for a receipt without MCC hints nor category and
   * amounts below EXACT (integer arithmetic on floats is then exact): the same rules and the same float operations
   * in the same order (amountEvidence, its "not comparable" fallback, dateEvidence, identityEvidence, the weighted
   * sum and its rounding), without building any object. A receipt with an owner only meets its owner's charges here.
   */
  const scoreOnColumns = (i: number, j: number): number | null => {
    if (tNeg[j] !== rNeg[i]) return null; // amountEvidence and notComparable both reject opposite signs
    const p = rAbs[i] as number;
    const cur = rCur[i] as number;
    let amount = -1;
    if (tCur[j] === cur) {
      amount = sameCurrencyScore(p, tAbs[j] as number, true, mTipBps[tMcc[j] as number] as number);
    } else if (tMCur[j] === cur) {
      amount = sameCurrencyScore(p, tMAbs[j] as number, tMNeg[j] === rNeg[i], mTipBps[tMcc[j] as number] as number);
    } else if (rateSource !== null) {
      const conv = converted(i, tCur[j] as number);
      if (conv > 0) {
        if (conv >= EXACT) return scorePreparedValue(pr(i), pt(j), options, memo);
        const c = tAbs[j] as number;
        const tip = mTipBps[tMcc[j] as number] as number;
        const over = (c - conv) * 10_000;
        if (over <= conv * (maxFee + tip) && over >= -conv * 100) {
          const pct = ((c - conv) / conv) * 100;
          amount = over <= conv * maxFee ? 0.85 - 0.1 * Math.max(0, pct / (maxFee / 100)) : 0.7;
        }
      }
    }
    if (amount < 0) {
      // notComparable: different currencies, no rate, no merchant amount in the receipt's currency.
      if (tCur[j] === cur || tMCur[j] === cur) return null;
      if (rateSource !== null && converted(i, tCur[j] as number) >= 0) return null;
      amount = 0.25;
    }
    const day = rDay[i] as number;
    const authDay = tDay[j] as number;
    let date: number;
    if (day >= (tLo[j] as number) && day <= (tHi[j] as number)) {
      const ms = tMs[j] as number;
      const lo = Math.max(day * DAY_MS - ms, -12 * HOUR_MS);
      const hi = Math.min((day + 1) * DAY_MS - ms, 14 * HOUR_MS);
      const plausibility = Math.min(1, Math.max(0, hi - lo) / (20 * HOUR_MS));
      const sc = 0.75 + 0.25 * plausibility;
      date = day === authDay ? sc : Math.min(sc, 0.97);
    } else if (day > (tHi[j] as number)) {
      const after = day - authDay;
      if (mLodging[tMcc[j] as number] === 1 && after <= hotelMaxNights) {
        date = 0.92 - 0.12 * (after / hotelMaxNights);
      } else if (after <= daysAfter) date = Math.max(0.3, 0.85 - 0.08 * after);
      else return null;
    } else {
      const before = authDay - day;
      if (before <= daysBefore) date = Math.max(0.3, 0.85 - 0.1 * before);
      else if (tPost[j] === authDay && before <= daysBefore + 5) date = 0.55;
      else return null;
    }
    const rc = rCardAny[i] as number;
    const tc = tCard[j] as number;
    const card = rc >= 0 && tc >= 0 ? (rc === tc ? 1 : 0) : 0.5;
    const penalty = rc >= 0 && tc >= 0 && rc !== tc ? 0.25 : 0;
    const employee = rEmp[i] === -1 ? 0.5 : 1;
    if (floor > 0) {
      // The score with the best possible similarity (1; the sum and its rounding only grow with it): below the
      // maxPairs-th best score kept so far, the pair cannot be kept (see the selection after the candidates).
      const most =
        WEIGHTS.amount * amount +
        WEIGHTS.date * date +
        WEIGHTS.merchant * 1 +
        WEIGHTS.card * card +
        WEIGHTS.employee * employee +
        0 -
        penalty;
      if (Math.round(Math.min(1, Math.max(0, most)) * 10_000) / 10_000 < floor) return null;
    }
    const sim = memo.similarityOfIds(rMid[i] as number, tMid[j] as number);
    if (amount <= 0.25 && sim < 0.8) return null;
    const raw =
      WEIGHTS.amount * amount +
      WEIGHTS.date * date +
      WEIGHTS.merchant * sim +
      WEIGHTS.card * card +
      WEIGHTS.employee * employee +
      0 -
      penalty;
    return Math.round(Math.min(1, Math.max(0, raw)) * 10_000) / 10_000;
  };

  /** Positions and values (abs) of the charges that may be parts of a sum of the receipt being scored. */
  let partTx = new Int32Array(64);
  let partValues = new Float64Array(64);
  let nParts = 0;
  /** Adds charge j to the parts when it meets a necessary condition to be a member of a sum of receipt i (see receiptToManyOptions). */
  const addPart = (i: number, j: number): void => {
    const cur = rCur[i] as number;
    let v: number;
    let neg: number;
    if (tCur[j] === cur) {
      v = tAbs[j] as number;
      neg = tNeg[j] as number;
    } else if (tMCur[j] === cur) {
      v = tMAbs[j] as number;
      neg = tMNeg[j] as number;
    } else return;
    if (v === 0 || neg !== rNeg[i] || v > (rAbs[i] as number) || !dateFits(rDay[i] as number, j, true)) return;
    if (nParts === partTx.length) {
      partValues = grow(partValues);
      const grown = new Int32Array(partTx.length * 2);
      grown.set(partTx);
      partTx = grown;
    }
    partTx[nParts] = j;
    partValues[nParts] = v;
    nParts++;
  };

  // One-to-one options kept per receipt, best first. A receipt of a large import without owner nor card can
  // match dozens of same-amount charges across the company: beyond the printed suggestions and a few
  // alternatives for the assignment, those options only slow the assignment down (and it stays quadratic
  // in the options sharing a key).
  const maxPairs = Math.max(MAX_PAIRS_PER_RECEIPT, 2 * options.suggestionsPerReceipt);
  const minScore = options.minSuggestionScore;
  let pairsScored = 0;
  let pairsExact = 0;
  /** Scores and positions of the charges kept for the receipt being scored (reused across receipts). */
  let pairScore = new Float64Array(256);
  let pairTx = new Int32Array(256);
  let nPairs = 0;
  /** The maxPairs best scores of the receipt being scored, best first (kthBest's buffer, then the running best). */
  const best = new Float64Array(maxPairs);
  /**
   * Once the receipt has maxPairs pairs: the maxPairs-th best score among them. A later pair scoring below it is not
   * among the maxPairs kept (the cut only rises), so scoreOnColumns drops it before looking its merchants up.
   */
  let floor = 0;
  let current = 0;
  let sums = false;
  const consider = (j: number): void => {
    pairsScored++;
    const i = current;
    if (sums) addPart(i, j);
    // scorePrepared rejects a pair whose date evidence is null, or whose amounts cannot match: both are checked
    // on the columns first, and only the pairs that pass are scored.
    if (!dateFits(rDay[i] as number, j, false) || !amountMayFit(i, j)) return;
    pairsExact++;
    const score =
      rColumns[i] === 1 && tColumns[j] === 1 ? scoreOnColumns(i, j) : scorePreparedValue(pr(i), pt(j), options, memo);
    if (score === null || score < minScore) return;
    if (nPairs === pairScore.length) {
      pairScore = grow(pairScore);
      const grown = new Int32Array(pairTx.length * 2);
      grown.set(pairTx);
      pairTx = grown;
    }
    pairScore[nPairs] = score;
    pairTx[nPairs] = j;
    nPairs++;
    // The maxPairs best scores so far, best first; from maxPairs pairs on, the worst of them is the floor.
    if (score > (best[maxPairs - 1] as number)) {
      let y = maxPairs - 1;
      while (y > 0 && (best[y - 1] as number) < score) {
        best[y] = best[y - 1] as number;
        y--;
      }
      best[y] = score;
      if (nPairs >= maxPairs) floor = best[maxPairs - 1] as number;
    }
  };
  // Receipts are scored grouped by owner (in the transactions' employee order), then by card, then the others:
  // consecutive receipts then read neighbouring columns. The options do not depend on this order (the assignment
  // orders them by score, shape and ids; no two options have the same ids).
  const scoreOrder = new Int32Array(nR);
  {
    const groupOf = (i: number): number => {
      const e = rEmp[i] as number;
      if (e !== -1) return empRank[e] as number;
      const c = rCardAny[i] as number;
      return c !== -1 ? rankCount + c : rankCount + cards.size;
    };
    const groupCount = rankCount + cards.size + 1;
    const groupStart = new Int32Array(groupCount + 1);
    for (let i = 0; i < nR; i++) {
      const g = groupOf(i);
      groupStart[g + 1] = (groupStart[g + 1] as number) + 1;
    }
    for (let g = 0; g < groupCount; g++) groupStart[g + 1] = (groupStart[g + 1] as number) + (groupStart[g] as number);
    for (let i = 0; i < nR; i++) {
      const g = groupOf(i);
      scoreOrder[groupStart[g] as number] = i;
      groupStart[g] = (groupStart[g] as number) + 1;
    }
    // The receipts with neither owner nor card (the last group) by vendor, then day: consecutive ones then look up
    // the same merchant runs.
    const from = groupCount >= 2 ? (groupStart[groupCount - 2] as number) : 0;
    if (nR - from > 1) {
      scoreOrder
        .subarray(from, nR)
        .sort(
          (a, b) => (rMid[a] as number) - (rMid[b] as number) || (rDay[a] as number) - (rDay[b] as number) || a - b,
        );
    }
  }
  // candidateWindow(day, options): [day − before − 1, day + after + 1].
  const windowBefore = Math.max(options.hotelMaxNights, options.daysAfter);
  const windowAfter = Math.max(options.splitWindowDays, options.daysBefore + 5);
  /** Where the loads below go (so they are not optimized away). */
  let touched = 0;
  for (let q = 0; q < nR; q++) {
    const i = scoreOrder[q] as number;
    current = i;
    nPairs = 0;
    nParts = 0;
    best.fill(Number.NEGATIVE_INFINITY);
    floor = 0;
    // Sums need a card or an owner to tie the parts together: for a receipt with neither, the candidates are
    // charges anyone made at that merchant, and an exact sum among them would be a coincidence.
    // This receipt's columns, loaded together: their cache misses overlap instead of stalling the first candidate.
    touched +=
      (rAbs[i] as number) +
      (rCur[i] as number) +
      (rNeg[i] as number) +
      (rMid[i] as number) +
      (rColumns[i] as number) +
      (rCardAny[i] as number);
    sums = rSums[i] === 1;
    const day = rDay[i] as number;
    const from = day - windowBefore - 1;
    const to = day + windowAfter + 1;
    const e = rEmp[i] as number;
    if (e !== -1) {
      const end = empTo[e] as number;
      for (let j = lowerBound(tDay, empFrom[e] as number, end, from); j < end && (tDay[j] as number) <= to; j++) {
        consider(j);
      }
    } else if (rCardAny[i] !== -1) {
      txByCard.range(rCardAny[i] as number, from, to, consider);
    } else {
      unowned.candidates(i, consider);
    }
    const n = nPairs;
    if (n > maxPairs) {
      // The maxPairs best in (score desc, id) order: the maxPairs-th best score (counting equal scores), then only
      // the pairs at or above it sorted with the ids (the same first maxPairs as sorting them all).
      const cut = kthBest(pairScore, n, best);
      const idx: number[] = [];
      for (let k = 0; k < n; k++) if ((pairScore[k] as number) >= cut) idx.push(k);
      idx.sort(
        (a, b) =>
          (pairScore[b] as number) - (pairScore[a] as number) ||
          compareKeys(nR + (pairTx[a] as number), nR + (pairTx[b] as number)),
      );
      for (let k = 0; k < maxPairs; k++) {
        const x = idx[k] as number;
        table.pushPair(pairScore[x] as number, i, nR + (pairTx[x] as number));
      }
    } else {
      for (let k = 0; k < n; k++) table.pushPair(pairScore[k] as number, i, nR + (pairTx[k] as number));
    }
    // receiptToManyOptions keeps only candidates passing `addPart`, and finds a sum only when two or three of
    // them add up to the total: giving it those alone, in the same order, and only when such a sum exists, gives
    // the same options.
    if (sums && nParts >= 2 && mayHaveSum(partValues, nParts, rAbs[i] as number)) {
      // Prepared for this call only: the options keep ids, not the prepared objects.
      const paidFor = prOnce(i);
      const prepared: BatchTransaction[] = new Array(nParts);
      for (let k = 0; k < nParts; k++) prepared[k] = ptOnce(partTx[k] as number);
      for (const g of receiptToManyOptions(paidFor, prepared, options, memo)) {
        if (g.score >= minScore) addGroup(g, [paidFor], prepared);
      }
    }
  }
  _touched += touched;
  phase('score receipts');

  /** Indices of the receipts that may be members of a sum paid by the charge at position `tx`. */
  let members = new Int32Array(64);
  let nMembers = 0;
  /** Totals of the members whose basis is the charge's card amount / its merchant amount. */
  let onAmount = new Float64Array(64);
  let onMerchant = new Float64Array(64);
  let nAmount = 0;
  let nMerchant = 0;
  let tx = 0;
  /** A necessary condition for receipt i to be a member of a sum paid by the charge at tx (see manyToTransactionOptions). */
  const addMember = (i: number): void => {
    const j = tx;
    const cur = rCur[i] as number;
    let v: number;
    let neg: number;
    if (tCur[j] === cur) {
      v = tAbs[j] as number;
      neg = tNeg[j] as number;
    } else if (tMCur[j] === cur) {
      v = tMAbs[j] as number;
      neg = tMNeg[j] as number;
    } else return;
    const p = rAbs[i] as number;
    if (v === 0 || p === 0 || neg !== rNeg[i] || p > v || !dateFits(rDay[i] as number, j, false)) return;
    if (nMembers === members.length) {
      const grown = new Int32Array(members.length * 2);
      grown.set(members);
      members = grown;
    }
    members[nMembers++] = i;
    if (tCur[j] === cur) {
      if (nAmount === onAmount.length) onAmount = grow(onAmount);
      onAmount[nAmount++] = p;
    } else {
      if (nMerchant === onMerchant.length) onMerchant = grow(onMerchant);
      onMerchant[nMerchant++] = p;
    }
  };
  for (let j = 0; j < nT; j++) {
    tx = j;
    nMembers = 0;
    nAmount = 0;
    nMerchant = 0;
    const from = (tLo[j] as number) - daysBefore - 1;
    const to = (tHi[j] as number) + daysAfter + 1;
    receiptsByEmployee.range(txEmpAt[j] as number, from, to, addMember);
    if (tCard[j] !== -1) receiptsByCard.range(tCard[j] as number, from, to, addMember);
    if (nMembers < 2) continue;
    // manyToTransactionOptions sums the totals of members sharing one basis (the card amount, or the merchant
    // amount for receipts in the merchant currency): without 2–3 of them adding up to it, it finds nothing.
    if (!mayHaveSum(onAmount, nAmount, tAbs[j] as number) && !mayHaveSum(onMerchant, nMerchant, tMAbs[j] as number)) {
      continue;
    }
    // Prepared for this call only: the options keep ids, not the prepared objects.
    const candidates: BatchReceipt[] = new Array(nMembers);
    for (let k = 0; k < nMembers; k++) candidates[k] = prOnce(members[k] as number);
    const paid = ptOnce(j);
    for (const g of manyToTransactionOptions(paid, candidates, options, memo)) {
      if (g.score >= options.minSuggestionScore) addGroup(g, candidates, [paid]);
    }
  }
  phase('sums of receipts');

  const assignment = assignKeyed(table, nR + nT, options, decisionOrder(table, idKeys));
  /** Per key: the index in `assignment.chosen` of the decision that takes it, or −1. */
  const decisionOf = new Int32Array(nR + nT).fill(-1);
  assignment.chosen.forEach((oi, d) => {
    if (table.shape[oi] === 0) {
      decisionOf[table.k0[oi] as number] = d;
      decisionOf[table.k1[oi] as number] = d;
    } else for (const k of table.keysOf(oi)) decisionOf[k] = d;
  });
  phase('assign');

  /** 1 for the options in `groups` (sums), 0 for one-to-one pairs. */
  const isGroup = new Uint8Array(table.size);
  for (const oi of groups.keys()) isGroup[oi] = 1;
  const receiptIdsOf = (oi: number): readonly string[] =>
    isGroup[oi] === 1 ? (groups.get(oi) as MatchGroup).receiptIds : [rIds[table.k0[oi] as number] as string];
  const transactionIdsOf = (oi: number): readonly string[] =>
    isGroup[oi] === 1
      ? (groups.get(oi) as MatchGroup).transactionIds
      : [txIds[(table.k1[oi] as number) - nR] as string];
  /**
   * The reasons `scorePrepared` gives the kept pair of receipt i and the charge at position j, from the columns and
   * the value tables: the same evidence in the same order, without preparing either side (a million printed lines,
   * each a few reads at random places). The pair was scored and kept, so its evidence accepts it: a receipt with an
   * owner has the charge's employee, equal card ids are equal cards, and equal amounts in one currency are exact (or
   * else within the MCC's tip, the only other way the amounts of one currency fit). A receipt with MCC hints or a
   * category (a bonus reason) takes scorePrepared itself.
   */
  const explain = (i: number, j: number): readonly string[] => {
    if (extras.size !== 0 && extras.has(i)) return scorePrepared(prOnce(i), ptOnce(j), options, memo).reasons;
    const rAt = i * RECEIPT_WIDTH;
    const tAt = (order[j] as number) * TX_WIDTH;
    const mcc = tc.mccs[tCells[tAt + TxCell.mcc] as number] as string;
    let amount: string;
    if (tCur[j] === rCur[i] && rColumns[i] === 1 && tColumns[j] === 1) {
      const p = rAbs[i] as number;
      const c = tAbs[j] as number;
      // pctOver's float operations on the same integers (exact below EXACT).
      amount = c === p ? AMOUNT_EXACT : tipReason(mcc, ((c - p) / p) * 100);
    } else {
      const ma = tCells[tAt + TxCell.merchantAmount] as number;
      const evidence = pairAmountEvidence(
        rc.monies[rCells[rAt + ReceiptCell.total] as number] as Money,
        tc.monies[tCells[tAt + TxCell.amount] as number] as Money,
        ma < 0 ? null : (tc.monies[ma] as Money),
        mcc,
        rc.dates[rCells[rAt + ReceiptCell.date] as number] as string,
        options,
      );
      if (evidence === null) throw new Error(`reconcile: ${rIds[i]} ↔ ${txIds[j]} was kept, but its amounts differ`);
      amount = evidence.reason;
    }
    const post = tPost[j] as number;
    const lodging = mLodging[tMcc[j] as number] === 1;
    const date = dateEvidenceAt(rDay[i] as number, tMs[j] as number, post === NO_DAY ? null : post, lodging, options);
    if (date === null) throw new Error(`reconcile: ${rIds[i]} ↔ ${txIds[j]} was kept, but its dates differ`);
    // Equal ids name equal values: one string for both sides then (no characters compared).
    const rCardValue = rCells[rAt + ReceiptCell.card] as number;
    const tCardValue = tCells[tAt + TxCell.card] as number;
    const tCardLast4 = tCardValue < 0 ? null : (tc.cards[tCardValue] as string);
    const rCardLast4 = rCardValue < 0 ? null : rCardAny[i] === tCard[j] ? tCardLast4 : (rc.cards[rCardValue] as string);
    const employee = tc.employees[tCells[tAt + TxCell.employee] as number] as string;
    const id = identityEvidenceOf(rCardLast4, rEmp[i] === -1 ? null : employee, tCardLast4, employee);
    const vendor = rCells[rAt + ReceiptCell.vendor] as number;
    const name = tCells[tAt + TxCell.merchant] as number;
    const sim = memo.similarityOfIds(rMid[i] as number, tMid[j] as number);
    const merchant = memo.merchantReasonOfIds(
      vendor,
      name,
      rc.vendors[vendor] as string,
      tc.merchants[name] as string,
      sim,
    );
    return pairReasons(amount, date.reason, merchant, id.reasons, null);
  };
  /** Reasons of option `oi`: a sum's own, or the explanation of a one-to-one pair (built here, on demand). */
  const reasonsOf = (oi: number): readonly string[] =>
    isGroup[oi] === 1
      ? (groups.get(oi) as MatchGroup).reasons
      : explain(table.k0[oi] as number, (table.k1[oi] as number) - nR);
  const autoOf = (d: number): boolean => assignment.auto[d] as boolean;

  // Refunds not linked to a receipt of their own → their purchase, and through it the purchase's receipt(s).
  const openRefunds: BatchTransaction[] = [];
  for (let j = 0; j < nT; j++) {
    if (tNeg[j] === 1 && decisionOf[nR + j] === -1) openRefunds.push(pt(j));
  }
  // The purchases of a refund are its employee's charges in the window: a contiguous run of the columns, in the
  // order TransactionIndex.forEmployee gives (day, then position). Charges that cannot be the purchase are left out
  // on the columns (linkRefunds checks the same rules): a refund or zero, another currency, less than the refund
  // (compared as floats only when both amounts are exact as floats), authorized after the refund, another card.
  const purchases: RefundCandidates = {
    purchasesFor: (refund, fromDay, toDay) => {
      const r = (refund as BatchTransaction).index;
      const e = txEmpAt[r] as number;
      const out: PreparedTransaction[] = [];
      const end = empTo[e] as number;
      for (let j = lowerBound(tDay, empFrom[e] as number, end, fromDay); j < end && (tDay[j] as number) <= toDay; j++) {
        if (tNeg[j] === 1 || tAbs[j] === 0 || tCur[j] !== tCur[r] || (tMs[j] as number) > (tMs[r] as number)) continue;
        if (tColumns[j] === 1 && tColumns[r] === 1 && (tAbs[j] as number) < (tAbs[r] as number)) continue;
        if (tCard[j] !== -1 && tCard[r] !== -1 && tCard[j] !== tCard[r]) continue;
        out.push(ptOnce(j)); // only read during linkRefunds: not kept
      }
      return out;
    },
  };
  const refunds = linkRefunds(openRefunds, purchases, options, memo);
  // The position of a link's purchase: among its refund's employee's charges (ids are unique in a batch).
  const refundAt = new Map<string, number>();
  for (const r of openRefunds) refundAt.set(r.transaction.id, r.index);
  const purchaseAt = (link: RefundLink): number => {
    const e = txEmpAt[refundAt.get(link.refundTransactionId) as number] as number;
    let at = -1;
    for (let j = empFrom[e] as number; j < (empTo[e] as number); j++) {
      if (txIds[j] === link.purchaseTransactionId) at = j;
    }
    return at;
  };
  /** Per receipt index with refund lines: those lines, in link order. */
  const refundLines = new Map<number, MatchProposal[]>();
  for (const link of refunds) {
    const at = purchaseAt(link);
    if (at === -1) continue;
    const d = decisionOf[nR + at] as number;
    if (d === -1) continue;
    const oi = assignment.chosen[d] as number;
    const auto = autoOf(d) && link.score >= options.autoThreshold && link.margin >= options.autoMargin;
    // The option's receipts, in the order of its receipt ids.
    const keys = table.shape[oi] === 0 ? [table.k0[oi] as number] : table.keysOf(oi).filter((k) => k < nR);
    for (const i of keys) {
      const line: MatchProposal = {
        receiptId: rIds[i] as string,
        transactionId: link.refundTransactionId,
        score: link.score,
        auto,
        reasons: link.reasons,
      };
      const l = refundLines.get(i);
      if (l) l.push(line);
      else refundLines.set(i, [line]);
    }
  }
  phase('refunds');

  // Without a sink, every decision is explained once and kept (`chosen`), and its lines reuse the reasons.
  const keep = hooks.emit === undefined;
  const chosenGroups: (MatchGroup | undefined)[] = [];
  const decisionGroup = (d: number): MatchGroup => {
    const kept = chosenGroups[d];
    if (kept) return kept;
    const oi = assignment.chosen[d] as number;
    const g = groups.get(oi);
    const group: MatchGroup = g
      ? { ...g, auto: autoOf(d) }
      : {
          shape: 'one-to-one',
          receiptIds: receiptIdsOf(oi),
          transactionIds: transactionIdsOf(oi),
          score: table.score[oi] as number,
          reasons: reasonsOf(oi),
          auto: autoOf(d),
        };
    if (keep) chosenGroups[d] = group;
    return group;
  };
  const chosen = keep ? assignment.chosen.map((_, d) => decisionGroup(d)) : [];

  const proposals: MatchProposal[] = [];
  const emit = hooks.emit ?? ((p: MatchProposal) => proposals.push(p));
  const { autoKey, keyStart, byKey } = assignment;
  let emitted = 0;
  for (let i = 0; i < nR; i++) {
    const rid = rIds[i] as string;
    const d = decisionOf[i] as number;
    // The transactions already printed for this receipt (a handful: an array beats a set).
    const taken: string[] = [];
    if (d !== -1) {
      const oi = assignment.chosen[d] as number;
      if (keep || isGroup[oi] === 1) {
        const g = decisionGroup(d);
        for (const tid of g.transactionIds) {
          emit({ receiptId: rid, transactionId: tid, score: g.score, auto: g.auto, reasons: g.reasons });
          emitted++;
          taken.push(tid);
        }
      } else {
        // Streamed one-to-one decision: printed once, on its receipt's line, so no MatchGroup is built for it.
        const tid = txIds[(table.k1[oi] as number) - nR] as string;
        const score = table.score[oi] as number;
        emit({ receiptId: rid, transactionId: tid, score, auto: autoOf(d), reasons: reasonsOf(oi) });
        emitted++;
        taken.push(tid);
      }
    }
    for (const line of refundLines.get(i) ?? []) {
      emit(line);
      emitted++;
      taken.push(line.transactionId);
    }
    if (autoKey[i] === 1) continue;
    // Ranked suggestions: this receipt's one-to-one options in decision order (score desc, then ids).
    let budget = options.suggestionsPerReceipt - (d !== -1 ? 1 : 0);
    for (let p = keyStart[i] as number; budget > 0 && p < (keyStart[i + 1] as number); p++) {
      const o = byKey[p] as number;
      if (table.shape[o] !== 0) continue;
      const tk = table.k1[o] as number;
      const tid = txIds[tk - nR] as string;
      if (autoKey[tk] === 1 || taken.includes(tid)) continue;
      emit({
        receiptId: rid,
        transactionId: tid,
        score: table.score[o] as number,
        auto: false,
        reasons: explain(i, tk - nR),
      });
      emitted++;
      taken.push(tid);
      budget--;
    }
  }
  phase('proposals');

  return {
    proposals,
    chosen,
    refunds,
    stats: { receipts: nR, transactions: nT, pairsScored, pairsExact, options: table.size, proposals: emitted },
  };
};
