import { convertMoney, TIP_TOLERANCE_BPS } from './amount.ts';
import { assignKeyed, decisionOrder, OptionTable } from './assign.ts';
import { DayGroups, hasSubsetSum, Interner, lowerBound, UnownedLookup } from './batch-columns.ts';
import { candidateWindow } from './candidate-index.ts';
import { DAY_MS, epochDay, epochMs, HOUR_MS, localDaySpan } from './dates.ts';
import { manyToTransactionOptions, receiptToManyOptions } from './groups.ts';
import type { NormalizedMerchant } from './merchant.ts';
import { linkRefunds, type RefundLink } from './refunds.ts';
import {
  isLodgingMcc,
  type PreparedReceipt,
  type PreparedTransaction,
  SimilarityCache,
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

/**
 * Milliseconds since the epoch of an ISO 8601 instant, as `epochMs` gives them: `YYYY-MM-DDTHH:MM:SSZ` with every
 * field in range (a day up to 28, valid in every month) is computed with Date.UTC, anything else goes to epochMs.
 */
const instantMs = (v: string): number => {
  if (
    v.length === 20 &&
    v.charCodeAt(4) === 45 &&
    v.charCodeAt(7) === 45 &&
    v.charCodeAt(10) === 84 &&
    v.charCodeAt(13) === 58 &&
    v.charCodeAt(16) === 58 &&
    v.charCodeAt(19) === 90
  ) {
    const y = digits(v, 0, 4);
    const mo = digits(v, 5, 2);
    const d = digits(v, 8, 2);
    const h = digits(v, 11, 2);
    const mi = digits(v, 14, 2);
    const sec = digits(v, 17, 2);
    if (
      y >= 0 &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      d <= 28 &&
      h >= 0 &&
      h <= 23 &&
      mi >= 0 &&
      mi <= 59 &&
      sec >= 0 &&
      sec <= 59
    ) {
      return Date.UTC(y, mo - 1, d, h, mi, sec);
    }
  }
  return epochMs(v);
};

/** The decimal value of `n` digits of `v` from `at`, or −1 when one is not a digit. */
const digits = (v: string, at: number, n: number): number => {
  let x = 0;
  for (let i = at; i < at + n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
};

/** `localDaySpan` results shared between transactions with the same span (a few hundred arrays, not a million). */
class SpanPool {
  private readonly pool = new Map<number, readonly [number, number]>();
  of(ms: number): readonly [number, number] {
    const span = localDaySpan(ms);
    const key = span[0] * 4 + (span[1] - span[0]);
    const kept = this.pool.get(key);
    if (kept !== undefined && kept[0] === span[0] && kept[1] === span[1]) return kept;
    this.pool.set(key, span);
    return span;
  }
}

const grow = (a: Float64Array): Float64Array<ArrayBuffer> => {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
};

/** `hasSubsetSum`, or true when the amounts are too large for exact float arithmetic. */
const mayHaveSum = (values: Float64Array, n: number, target: number): boolean =>
  target > Number.MAX_SAFE_INTEGER / 4 ? n >= 2 : hasSubsetSum(values, n, target);

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
  receipts: readonly MatchReceipt[],
  transactions: readonly MatchTransaction[],
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
  const memo = new SimilarityCache();
  const nR = receipts.length;
  const nT = transactions.length;
  // Integer ids shared by receipts and transactions: employees, currencies, cards.
  const employees = new Interner();
  const currencies = new Interner();
  const cards = new Interner();

  const prs: BatchReceipt[] = new Array(nR);
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
  /** The id of the receipt's normalized vendor in `memo`. */
  const rMid = new Int32Array(nR);
  for (let i = 0; i < nR; i++) {
    const r = receipts[i] as MatchReceipt;
    const mid = memo.internId(r.vendor);
    rMid[i] = mid;
    // The fields of prepareReceiptWith, plus the position.
    const pr: BatchReceipt = { receipt: r, day: epochDay(r.date), merchant: memo.merchantOf(mid), index: i };
    prs[i] = pr;
    rDay[i] = pr.day;
    const minor = r.total.minor;
    rAbs[i] = Number(minor < 0n ? -minor : minor);
    rNeg[i] = minor < 0n ? 1 : 0;
    rCur[i] = currencies.id(r.total.currency);
    rEmp[i] = r.employeeId === null ? -1 : employees.id(r.employeeId);
    // Cards of receipts without an owner (the sums of receipts look them up by card).
    rCard[i] = r.employeeId === null && r.cardLast4 !== null ? cards.id(r.cardLast4) : -1;
    rCardAny[i] = r.cardLast4 === null ? -1 : cards.id(r.cardLast4);
    rColumns[i] =
      r.mccHints === undefined && (r.category === undefined || r.category === null) && (rAbs[i] as number) < EXACT
        ? 1
        : 0;
  }
  phase('prepare receipts');

  // Transactions are prepared in employee and time order (the prepared objects are allocated in that order): a
  // receipt's candidates are one employee's charges of a few weeks, a contiguous run of the columns below. Their
  // keys follow this order; ids still break every tie, so the decisions do not depend on it.
  const authMs = new Float64Array(nT);
  const txEmp = new Int32Array(nT);
  for (let j = 0; j < nT; j++) {
    const t = transactions[j] as MatchTransaction;
    authMs[j] = instantMs(t.authorizedAt);
    txEmp[j] = employees.id(t.employeeId);
  }
  // Employee ids ranked in code-unit order of their strings (the order of the former string sort).
  const empRank = new Int32Array(employees.size);
  employees.values
    .map((v, id) => ({ v, id }))
    .sort((a, b) => compareIds(a.v, b.v))
    .forEach(({ id }, rank) => {
      empRank[id] = rank;
    });
  // Order: employee rank, then authorization instant, then id. Bucketed by rank first (a counting sort), each
  // employee's charges then sorted on their own.
  const rankCount = employees.size;
  const rankStart = new Int32Array(rankCount + 1);
  for (let j = 0; j < nT; j++) {
    const r = empRank[txEmp[j] as number] as number;
    rankStart[r + 1] = (rankStart[r + 1] as number) + 1;
  }
  for (let r = 0; r < rankCount; r++) rankStart[r + 1] = (rankStart[r + 1] as number) + (rankStart[r] as number);
  const order = new Int32Array(nT);
  const rankFill = rankStart.slice(0, rankCount);
  for (let j = 0; j < nT; j++) {
    const r = empRank[txEmp[j] as number] as number;
    order[rankFill[r] as number] = j;
    rankFill[r] = (rankFill[r] as number) + 1;
  }
  const byTime = (a: number, b: number): number =>
    (authMs[a] as number) - (authMs[b] as number) ||
    compareIds((transactions[a] as MatchTransaction).id, (transactions[b] as MatchTransaction).id) ||
    a - b;
  for (let r = 0; r < rankCount; r++) {
    const from = rankStart[r] as number;
    const to = rankStart[r + 1] as number;
    if (to - from > 1) order.subarray(from, to).sort(byTime);
  }
  // Prepared transactions are built on demand (`pt(j)`): most charges are only ever read on the columns.
  const pts: (BatchTransaction | undefined)[] = new Array(nT);
  const sortedTx: MatchTransaction[] = new Array(nT);
  const tMerchant: NormalizedMerchant[] = new Array(nT);
  /** The id of the charge's normalized descriptor in `memo`. */
  const tMid = new Int32Array(nT);
  const tSpan: (readonly [number, number])[] = new Array(nT);
  const txEmpAt = new Int32Array(nT);
  const spans = new SpanPool();
  const tDay = new Int32Array(nT);
  const tLo = new Int32Array(nT);
  const tHi = new Int32Array(nT);
  const tPost = new Int32Array(nT);
  const tLodging = new Uint8Array(nT);
  /** 1 + the MCC's tip tolerance (1 without tips: the amount must then be exact). */
  const tTip = new Float64Array(nT);
  /** The MCC's tip tolerance in basis points (0 without tips). */
  const tTipBps = new Int32Array(nT);
  const tMs = new Float64Array(nT);
  /** 1 when every amount of the charge is small enough for exact float arithmetic (see scoreOnColumns). */
  const tColumns = new Uint8Array(nT);
  /** 1 + the card FX fee and the MCC's tip tolerance over a converted total. */
  const tFx = new Float64Array(nT);
  const tAbs = new Float64Array(nT);
  const tNeg = new Uint8Array(nT);
  const tCur = new Int32Array(nT);
  const tMAbs = new Float64Array(nT);
  const tMNeg = new Uint8Array(nT);
  const tMCur = new Int32Array(nT);
  const tCard = new Int32Array(nT);
  /** Per employee id: its transactions are [empFrom, empTo) (empty when it has none). */
  const empFrom = new Int32Array(employees.size);
  const empTo = new Int32Array(employees.size);
  for (let index = 0; index < nT; index++) {
    const j = order[index] as number;
    const t = transactions[j] as MatchTransaction;
    const ms = authMs[j] as number;
    const authDay = Math.floor(ms / DAY_MS);
    const authSpan = spans.of(ms);
    const postDay = t.postedAt === null ? null : Math.floor(instantMs(t.postedAt) / DAY_MS);
    const lodging = isLodgingMcc(t.mcc);
    sortedTx[index] = t;
    txEmpAt[index] = txEmp[j] as number;
    const mid = memo.internId(t.merchantName);
    tMid[index] = mid;
    tMerchant[index] = memo.merchantOf(mid);
    tMs[index] = ms;
    tSpan[index] = authSpan;
    tDay[index] = authDay;
    tLo[index] = authSpan[0];
    tHi[index] = authSpan[1];
    tPost[index] = postDay === null ? NO_DAY : postDay;
    tLodging[index] = lodging ? 1 : 0;
    const tipBps = TIP_TOLERANCE_BPS[t.mcc] ?? 0;
    tTip[index] = 1 + tipBps / 10_000;
    tTipBps[index] = tipBps;
    tFx[index] = 1 + (options.maxFxFeeBps + tipBps) / 10_000;
    const minor = t.amount.minor;
    tAbs[index] = Number(minor < 0n ? -minor : minor);
    tNeg[index] = minor < 0n ? 1 : 0;
    tCur[index] = currencies.id(t.amount.currency);
    const ma = t.merchantAmount;
    if (ma === null) tMCur[index] = -1;
    else {
      tMAbs[index] = Number(ma.minor < 0n ? -ma.minor : ma.minor);
      tMNeg[index] = ma.minor < 0n ? 1 : 0;
      tMCur[index] = currencies.id(ma.currency);
    }
    tCard[index] = t.cardLast4 === null ? -1 : cards.id(t.cardLast4);
    tColumns[index] = (tAbs[index] as number) < EXACT && (ma === null || (tMAbs[index] as number) < EXACT) ? 1 : 0;
    const e = txEmp[j] as number;
    if (index === 0 || txEmp[order[index - 1] as number] !== e) empFrom[e] = index;
    empTo[e] = index + 1;
  }
  /** The prepared transaction at position j: the fields of prepareTransactionWith, plus the position. */
  const prepareAt = (j: number): BatchTransaction => {
    const post = tPost[j] as number;
    return {
      transaction: sortedTx[j] as MatchTransaction,
      authMs: tMs[j] as number,
      authDay: tDay[j] as number,
      authSpan: tSpan[j] as readonly [number, number],
      postDay: post === NO_DAY ? null : post,
      merchant: tMerchant[j] as NormalizedMerchant,
      lodging: tLodging[j] === 1,
      index: j,
    };
  };
  /** `prepareAt(j)`, built once and kept (charges that join a sum, and refunds). */
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
  const unowned = new UnownedLookup(prs, tMerchant, tDay, tAbs, tCur, tMAbs, tMCur, currencies, options);
  const receiptsByEmployee = new DayGroups(rEmp, employees.size, rDay);
  const receiptsByCard = new DayGroups(rCard, cards.size, rDay);
  phase('index');

  // Keys for the assignment: receipt i is key i, transaction j is key nR + j.
  // The ids by key in one array: the assignment reads them to break ties between equal scores.
  const ids: string[] = new Array(nR + nT);
  for (let i = 0; i < nR; i++) ids[i] = (prs[i] as BatchReceipt).receipt.id;
  for (let j = 0; j < nT; j++) ids[nR + j] = (sortedTx[j] as MatchTransaction).id;
  const table = new OptionTable((k) => ids[k] as string);
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
      return (tLodging[j] === 1 && after <= hotelMaxNights) || after <= daysAfter;
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
  const converted = (i: number, cur: number): number => {
    if (convStamp[cur] === i) return convValue[cur] as number;
    const r = (prs[i] as BatchReceipt).receipt;
    const to = currencies.values[cur] as string;
    const rate = rateSource?.(r.total.currency, to, r.date) ?? null;
    let v = -1;
    if (rate !== null) {
      const c = convertMoney(r.total, rate, to);
      v = c === null || c.minor === 0n ? 0 : Number(c.minor < 0n ? -c.minor : c.minor);
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
      return v === p || (v > p && v <= p * (tTip[j] as number) + 0.5);
    }
    if (tMCur[j] === cur) {
      const v = tMAbs[j] as number;
      return v === p || (v > p && v <= p * (tTip[j] as number) + 0.5);
    }
    if (rateSource === null) return true; // not comparable: the merchant decides
    const c = converted(i, tCur[j] as number);
    if (c < 0) return true;
    if (c === 0) return false;
    const v = tAbs[j] as number;
    return v >= c * 0.99 - 1 && v <= c * (tFx[j] as number) + 1;
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
      amount = sameCurrencyScore(p, tAbs[j] as number, true, tTipBps[j] as number);
    } else if (tMCur[j] === cur) {
      amount = sameCurrencyScore(p, tMAbs[j] as number, tMNeg[j] === rNeg[i], tTipBps[j] as number);
    } else if (rateSource !== null) {
      const conv = converted(i, tCur[j] as number);
      if (conv > 0) {
        if (conv >= EXACT) return scorePreparedValue(prs[i] as BatchReceipt, pt(j), options, memo);
        const c = tAbs[j] as number;
        const tip = tTipBps[j] as number;
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
      if (tLodging[j] === 1 && after <= hotelMaxNights) date = 0.92 - 0.12 * (after / hotelMaxNights);
      else if (after <= daysAfter) date = Math.max(0.3, 0.85 - 0.08 * after);
      else return null;
    } else {
      const before = authDay - day;
      if (before <= daysBefore) date = Math.max(0.3, 0.85 - 0.1 * before);
      else if (tPost[j] === authDay && before <= daysBefore + 5) date = 0.55;
      else return null;
    }
    const sim = memo.similarityOfIds(rMid[i] as number, tMid[j] as number);
    if (amount <= 0.25 && sim < 0.8) return null;
    const rc = rCardAny[i] as number;
    const tc = tCard[j] as number;
    const card = rc >= 0 && tc >= 0 ? (rc === tc ? 1 : 0) : 0.5;
    const penalty = rc >= 0 && tc >= 0 && rc !== tc ? 0.25 : 0;
    const employee = rEmp[i] === -1 ? 0.5 : 1;
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

  /** Values (abs) of the parts gathered for the receipt being scored. */
  let partValues = new Float64Array(64);
  /** A necessary condition for pts[j] to be a member of a sum of receipt i (see receiptToManyOptions). */
  const partMayFit = (i: number, j: number): boolean => {
    const cur = rCur[i] as number;
    let v: number;
    let neg: number;
    if (tCur[j] === cur) {
      v = tAbs[j] as number;
      neg = tNeg[j] as number;
    } else if (tMCur[j] === cur) {
      v = tMAbs[j] as number;
      neg = tMNeg[j] as number;
    } else return false;
    if (v === 0 || neg !== rNeg[i] || v > (rAbs[i] as number) || !dateFits(rDay[i] as number, j, true)) return false;
    if (parts.length === partValues.length) {
      const grown = new Float64Array(partValues.length * 2);
      grown.set(partValues);
      partValues = grown;
    }
    partValues[parts.length] = v;
    return true;
  };

  // One-to-one options kept per receipt, best first. A receipt of a large import without owner nor card can
  // match dozens of same-amount charges across the company: beyond the printed suggestions and a few
  // alternatives for the assignment, those options only slow the assignment down (and it stays quadratic
  // in the options sharing a key).
  const maxPairs = Math.max(MAX_PAIRS_PER_RECEIPT, 2 * options.suggestionsPerReceipt);
  let pairsScored = 0;
  let pairsExact = 0;
  const pairScore: number[] = [];
  const pairTx: number[] = [];
  /** Scores of the receipt being scored, sorted to find its maxPairs-th best (reused across receipts). */
  let scratch = new Float64Array(256);
  /** Positions of the charges that may be parts of a sum of the receipt being scored (prepared only if one exists). */
  const parts: number[] = [];
  let current = 0;
  let currentPr: BatchReceipt = prs[0] as BatchReceipt;
  let sums = false;
  const consider = (j: number): void => {
    pairsScored++;
    const i = current;
    if (sums && partMayFit(i, j)) parts.push(j);
    // scorePrepared rejects a pair whose date evidence is null, or whose amounts cannot match: both are checked
    // on the columns first, and only the pairs that pass are scored.
    if (!dateFits(rDay[i] as number, j, false) || !amountMayFit(i, j)) return;
    pairsExact++;
    const score =
      rColumns[i] === 1 && tColumns[j] === 1
        ? scoreOnColumns(i, j)
        : scorePreparedValue(currentPr, pt(j), options, memo);
    if (score === null || score < options.minSuggestionScore) return;
    pairScore.push(score);
    pairTx.push(j);
  };
  for (let i = 0; i < nR; i++) {
    const pr = prs[i] as BatchReceipt;
    const r = pr.receipt;
    current = i;
    currentPr = pr;
    pairScore.length = 0;
    pairTx.length = 0;
    parts.length = 0;
    // Sums need a card or an owner to tie the parts together: for a receipt with neither, the candidates are
    // charges anyone made at that merchant, and an exact sum among them would be a coincidence.
    sums = (r.employeeId !== null || r.cardLast4 !== null) && r.total.minor !== 0n;
    const [from, to] = candidateWindow(pr.day, options);
    if (r.employeeId !== null) {
      const e = rEmp[i] as number;
      const end = empTo[e] as number;
      for (let j = lowerBound(tDay, empFrom[e] as number, end, from); j < end && (tDay[j] as number) <= to; j++) {
        consider(j);
      }
    } else if (r.cardLast4 !== null) {
      txByCard.range(cards.ids.get(r.cardLast4) ?? -1, from, to, consider);
    } else {
      unowned.candidates(i, consider);
    }
    const n = pairScore.length;
    if (n > maxPairs) {
      // The maxPairs best in (score desc, id) order: the maxPairs-th best score found by a numeric sort, then only
      // the pairs at or above it sorted with the ids (the same first maxPairs as sorting them all).
      if (scratch.length < n) scratch = new Float64Array(2 * n);
      const sorted = scratch.subarray(0, n);
      for (let k = 0; k < n; k++) sorted[k] = pairScore[k] as number;
      sorted.sort();
      const cut = sorted[n - maxPairs] as number;
      const idx: number[] = [];
      for (let k = 0; k < n; k++) if ((pairScore[k] as number) >= cut) idx.push(k);
      idx.sort(
        (a, b) =>
          (pairScore[b] as number) - (pairScore[a] as number) ||
          compareIds(
            (sortedTx[pairTx[a] as number] as MatchTransaction).id,
            (sortedTx[pairTx[b] as number] as MatchTransaction).id,
          ),
      );
      for (let k = 0; k < maxPairs; k++) {
        const x = idx[k] as number;
        table.pushPair(pairScore[x] as number, i, nR + (pairTx[x] as number));
      }
    } else {
      for (let k = 0; k < n; k++) table.pushPair(pairScore[k] as number, i, nR + (pairTx[k] as number));
    }
    // receiptToManyOptions keeps only candidates passing `partMayFit`, and finds a sum only when two or three of
    // them add up to the total: giving it those alone, in the same order, and only when such a sum exists, gives
    // the same options.
    if (sums && parts.length >= 2 && mayHaveSum(partValues, parts.length, rAbs[i] as number)) {
      const prepared = parts.map(pt);
      for (const g of receiptToManyOptions(pr, prepared, options, memo)) {
        if (g.score >= options.minSuggestionScore) addGroup(g, [pr], prepared);
      }
    }
  }
  phase('score receipts');

  const members: BatchReceipt[] = [];
  /** Totals of the members whose basis is the charge's card amount / its merchant amount. */
  let onAmount = new Float64Array(64);
  let onMerchant = new Float64Array(64);
  let nAmount = 0;
  let nMerchant = 0;
  let tx = 0;
  /** A necessary condition for prs[i] to be a member of a sum paid by pts[tx] (see manyToTransactionOptions). */
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
    members.push(prs[i] as BatchReceipt);
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
    members.length = 0;
    nAmount = 0;
    nMerchant = 0;
    const from = (tLo[j] as number) - daysBefore - 1;
    const to = (tHi[j] as number) + daysAfter + 1;
    receiptsByEmployee.range(txEmpAt[j] as number, from, to, addMember);
    if (tCard[j] !== -1) receiptsByCard.range(tCard[j] as number, from, to, addMember);
    if (members.length < 2) continue;
    // manyToTransactionOptions sums the totals of members sharing one basis (the card amount, or the merchant
    // amount for receipts in the merchant currency): without 2–3 of them adding up to it, it finds nothing.
    if (!mayHaveSum(onAmount, nAmount, tAbs[j] as number) && !mayHaveSum(onMerchant, nMerchant, tMAbs[j] as number)) {
      continue;
    }
    const candidates = members.slice();
    const paid = pt(j);
    for (const g of manyToTransactionOptions(paid, candidates, options, memo)) {
      if (g.score >= options.minSuggestionScore) addGroup(g, candidates, [paid]);
    }
  }
  phase('sums of receipts');

  const assignment = assignKeyed(table, nR + nT, options, decisionOrder(table));
  /** Per key: the index in `assignment.chosen` of the decision that takes it, or −1. */
  const decisionOf = new Int32Array(nR + nT).fill(-1);
  assignment.chosen.forEach((oi, d) => {
    if (table.shape[oi] === 0) {
      decisionOf[table.k0[oi] as number] = d;
      decisionOf[table.k1[oi] as number] = d;
    } else for (const k of table.keysOf(oi)) decisionOf[k] = d;
  });
  phase('assign');

  const receiptIdsOf = (oi: number): readonly string[] =>
    groups.get(oi)?.receiptIds ?? [(prs[table.k0[oi] as number] as BatchReceipt).receipt.id];
  const transactionIdsOf = (oi: number): readonly string[] =>
    groups.get(oi)?.transactionIds ?? [(sortedTx[(table.k1[oi] as number) - nR] as MatchTransaction).id];
  /** Reasons of option `oi`: a sum's own, or the explanation of a one-to-one pair (built here, on demand). */
  const reasonsOf = (oi: number): readonly string[] => {
    const g = groups.get(oi);
    if (g) return g.reasons;
    const pr = prs[table.k0[oi] as number] as BatchReceipt;
    return scorePrepared(pr, ptOnce((table.k1[oi] as number) - nR), options, memo).reasons;
  };
  const autoOf = (d: number): boolean => assignment.auto[d] as boolean;

  // Refunds not linked to a receipt of their own → their purchase, and through it the purchase's receipt(s).
  const openRefunds: BatchTransaction[] = [];
  for (let j = 0; j < nT; j++) {
    if (tNeg[j] === 1 && decisionOf[nR + j] === -1) openRefunds.push(pt(j));
  }
  // The purchases of a refund are its employee's charges in the window: a contiguous run of the columns, in the
  // order TransactionIndex.forEmployee gives (day, then position).
  const byEmployee = {
    forEmployee: (employeeId: string, fromDay: number, toDay: number): PreparedTransaction[] => {
      const e = employees.ids.get(employeeId);
      const out: PreparedTransaction[] = [];
      if (e === undefined) return out;
      const end = empTo[e] as number;
      for (let j = lowerBound(tDay, empFrom[e] as number, end, fromDay); j < end && (tDay[j] as number) <= toDay; j++) {
        out.push(ptOnce(j)); // only read during linkRefunds: not kept
      }
      return out;
    },
  };
  const refunds = linkRefunds(openRefunds, byEmployee, options, memo);
  const purchases = new Set(refunds.map((l) => l.purchaseTransactionId));
  const purchaseKey = new Map<string, number>();
  for (let j = 0; j < nT; j++) {
    const id = (sortedTx[j] as MatchTransaction).id;
    if (purchases.has(id)) purchaseKey.set(id, nR + j);
  }
  const refundLines = new Map<string, MatchProposal[]>();
  for (const link of refunds) {
    const d = decisionOf[purchaseKey.get(link.purchaseTransactionId) as number] as number;
    if (d === -1) continue;
    const oi = assignment.chosen[d] as number;
    const auto = autoOf(d) && link.score >= options.autoThreshold && link.margin >= options.autoMargin;
    for (const receiptId of receiptIdsOf(oi)) {
      const line: MatchProposal = {
        receiptId,
        transactionId: link.refundTransactionId,
        score: link.score,
        auto,
        reasons: link.reasons,
      };
      const l = refundLines.get(receiptId);
      if (l) l.push(line);
      else refundLines.set(receiptId, [line]);
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
    const pr = prs[i] as BatchReceipt;
    const rid = pr.receipt.id;
    const d = decisionOf[i] as number;
    // The transactions already printed for this receipt (a handful: an array beats a set).
    const taken: string[] = [];
    if (d !== -1) {
      const oi = assignment.chosen[d] as number;
      if (keep || groups.has(oi)) {
        const g = decisionGroup(d);
        for (const tid of g.transactionIds) {
          emit({ receiptId: rid, transactionId: tid, score: g.score, auto: g.auto, reasons: g.reasons });
          emitted++;
          taken.push(tid);
        }
      } else {
        // Streamed one-to-one decision: printed once, on its receipt's line, so no MatchGroup is built for it.
        const tid = (sortedTx[(table.k1[oi] as number) - nR] as MatchTransaction).id;
        const score = table.score[oi] as number;
        emit({ receiptId: rid, transactionId: tid, score, auto: autoOf(d), reasons: reasonsOf(oi) });
        emitted++;
        taken.push(tid);
      }
    }
    for (const line of refundLines.get(rid) ?? []) {
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
      const tid = (sortedTx[tk - nR] as MatchTransaction).id;
      if (autoKey[tk] === 1 || taken.includes(tid)) continue;
      const reasons = scorePrepared(pr, ptOnce(tk - nR), options, memo).reasons;
      emit({ receiptId: rid, transactionId: tid, score: table.score[o] as number, auto: false, reasons });
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
