import { formatMoney, type Money } from '../money.ts';
import { type AmountEvidence, amountEvidence } from './amount.ts';
import { DAY_MS, epochDay, epochMs, HOUR_MS } from './dates.ts';
import { merchantSimilarity, type NormalizedMerchant, normalizeMerchant } from './merchant.ts';
import {
  defaultMatchOptions,
  type MatchOptions,
  type MatchReceipt,
  type MatchTransaction,
  type PairScore,
} from './types.ts';

/** Weights of the components; they sum to 1. */
export const WEIGHTS = { amount: 0.45, date: 0.22, merchant: 0.23, card: 0.05, employee: 0.05 } as const;

/** Hotels and lodging: MCC 7011 and the chain-specific range 3501–3999. */
export const isLodgingMcc = (mcc: string): boolean => {
  const n = Number(mcc);
  return mcc === '7011' || (n >= 3501 && n <= 3999);
};

/** Categories a receipt may carry, mapped to the MCCs that confirm them. */
const CATEGORY_MCC: Readonly<Record<string, (mcc: string) => boolean>> = {
  restaurant: (m) => m === '5812' || m === '5813' || m === '5814',
  meals: (m) => m === '5812' || m === '5813' || m === '5814',
  taxi: (m) => m === '4121',
  hotel: isLodgingMcc,
  lodging: isLodgingMcc,
  fuel: (m) => m === '5541' || m === '5542',
  airline: (m) => m === '4511' || (Number(m) >= 3000 && Number(m) <= 3350),
  train: (m) => m === '4112',
  parking: (m) => m === '7523',
};

/** A receipt with its derived fields computed once. */
export interface PreparedReceipt {
  readonly receipt: MatchReceipt;
  readonly day: number;
  readonly merchant: NormalizedMerchant;
  /** Batch runs (see `BatchNames`): the vendor's merchant id in the run's SimilarityCache, its name's id. */
  readonly merchantId?: number;
  readonly nameId?: number;
}

/** A transaction with its derived fields computed once. */
export interface PreparedTransaction {
  readonly transaction: MatchTransaction;
  readonly authMs: number;
  /** UTC calendar day of the authorization. */
  readonly authDay: number;
  readonly postDay: number | null;
  readonly merchant: NormalizedMerchant;
  readonly lodging: boolean;
  /** Batch runs (see `BatchNames`): the descriptor's merchant id in the run's SimilarityCache, its name's id. */
  readonly merchantId?: number;
  readonly nameId?: number;
}

/**
 * A SimilarityCache that also knows the batch's names by id (the vendors' and the descriptors' own numbering): the
 * explanation of a pair then looks its similarity and its merchant reason up by ids, without hashing strings.
 */
export interface BatchNames {
  /** `merchantReason(vendor, descriptor, sim)` for the names with these ids, built once per pair. */
  merchantReasonOfIds(vendorId: number, descriptorId: number, vendor: string, descriptor: string, sim: number): string;
}

const isBatchNames = (memo: SimilarityMemo | undefined): memo is SimilarityCache & BatchNames =>
  memo instanceof SimilarityCache && 'merchantReasonOfIds' in memo;

export const prepareReceipt = (receipt: MatchReceipt): PreparedReceipt =>
  prepareReceiptWith(receipt, normalizeMerchant(receipt.vendor));

/** `prepareReceipt` with the vendor already normalized (batch code normalizes each distinct name once). */
export const prepareReceiptWith = (receipt: MatchReceipt, merchant: NormalizedMerchant): PreparedReceipt => ({
  receipt,
  day: epochDay(receipt.date),
  merchant,
});

export const prepareTransaction = (transaction: MatchTransaction): PreparedTransaction =>
  prepareTransactionWith(transaction, normalizeMerchant(transaction.merchantName));

/** `prepareTransaction` with the descriptor already normalized. */
export const prepareTransactionWith = (
  transaction: MatchTransaction,
  merchant: NormalizedMerchant,
): PreparedTransaction => {
  const authMs = epochMs(transaction.authorizedAt);
  return {
    transaction,
    authMs,
    authDay: Math.floor(authMs / DAY_MS),
    postDay: transaction.postedAt === null ? null : Math.floor(epochMs(transaction.postedAt) / DAY_MS),
    merchant,
    lodging: isLodgingMcc(transaction.mcc),
  };
};

export interface DateEvidence {
  readonly score: number;
  readonly reason: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Receipt date (merchant-local) against the authorization instant.
 * `mode: 'group'` widens the window for split shipments (charges up to `splitWindowDays` after the order receipt).
 * With `explain` false the score is the same and the reason is left empty.
 */
export const dateEvidence = (
  receiptDay: number,
  tx: PreparedTransaction,
  options: MatchOptions,
  mode: 'single' | 'group' = 'single',
  explain = true,
): DateEvidence | null => dateEvidenceAt(receiptDay, tx.authMs, tx.postDay, tx.lodging, options, mode, explain);

/**
 * `dateEvidence` from the transaction's facts: its authorization instant, its posting day (null when not posted)
 * and whether it is lodging (batch code reads them from its columns).
 */
export const dateEvidenceAt = (
  receiptDay: number,
  authMs: number,
  postDay: number | null,
  lodging: boolean,
  options: MatchOptions,
  mode: 'single' | 'group' = 'single',
  explain = true,
): DateEvidence | null => {
  const authDay = Math.floor(authMs / DAY_MS);
  // localDaySpan(authMs), without its array.
  const first = Math.floor((authMs - 12 * HOUR_MS) / DAY_MS);
  const last = Math.floor((authMs + 14 * HOUR_MS) / DAY_MS);
  if (receiptDay >= first && receiptDay <= last) {
    // Which UTC offsets put the authorization instant on the receipt's local day? The wider that range (within
    // UTC−12 … UTC+14), the more plausible: 15:00Z is the same local day almost everywhere, 06:00Z on the
    // previous local day needs the Americas.
    const lo = Math.max(receiptDay * DAY_MS - authMs, -12 * HOUR_MS);
    const hi = Math.min((receiptDay + 1) * DAY_MS - authMs, 14 * HOUR_MS);
    const plausibility = Math.min(1, Math.max(0, hi - lo) / (20 * HOUR_MS));
    const score = 0.75 + 0.25 * plausibility;
    if (receiptDay === authDay) {
      return { score, reason: 'date same day as authorization' };
    }
    const d = receiptDay - authDay;
    return {
      score: Math.min(score, 0.97),
      reason: !explain
        ? ''
        : `date ${plural(Math.abs(d), 'day')} ${d < 0 ? 'before' : 'after'} authorization (time zone slack)`,
    };
  }
  if (receiptDay > last) {
    // Receipt after the authorization: hotel checkout, late receipts, offline captures.
    const after = receiptDay - authDay;
    if (lodging && after <= options.hotelMaxNights) {
      return {
        score: 0.92 - 0.12 * (after / options.hotelMaxNights),
        reason: !explain ? '' : `hotel stay: receipt (checkout) ${plural(after, 'night')} after check-in authorization`,
      };
    }
    if (after <= options.daysAfter) {
      const score = Math.max(0.3, 0.85 - 0.08 * after);
      return { score, reason: explain ? `date ${plural(after, 'day')} after authorization` : '' };
    }
    return null;
  }
  // Receipt before the authorization: late authorization / posting, pre-orders, split shipments.
  const before = authDay - receiptDay;
  if (mode === 'group' && before <= options.splitWindowDays) {
    return {
      score: 0.9 - 0.3 * (before / options.splitWindowDays),
      reason: !explain ? '' : `charged ${plural(before, 'day')} after the receipt`,
    };
  }
  if (before <= options.daysBefore) {
    const score = Math.max(0.3, 0.85 - 0.1 * before);
    return { score, reason: explain ? `date ${plural(before, 'day')} before authorization` : '' };
  }
  // A feed that gives the posting instant as the authorization (no separate authorization message).
  if (postDay !== null && postDay === authDay && before <= options.daysBefore + 5) {
    return {
      score: 0.55,
      reason: explain ? `date ${plural(before, 'day')} before posting (late posting, no authorization)` : '',
    };
  }
  return null;
};

const quote = (s: string): string => `'${s.length > 40 ? `${s.slice(0, 39)}…` : s}'`;

export const merchantReason = (receiptVendor: string, descriptor: string, sim: number): string => {
  const pair = `${quote(descriptor)} ~ ${quote(receiptVendor)} (${sim.toFixed(2)})`;
  if (sim >= 0.999) return `merchant same: ${pair}`;
  if (sim >= 0.7) return `merchant similar: ${pair}`;
  if (sim >= 0.4) return `merchant weakly similar: ${pair}`;
  return `merchant differs: ${pair}`;
};

/**
 * Merchant similarities memoized by object identity, for batch runs where every normalized merchant comes from
 * one `intern` table (each distinct name normalized once, each distinct pair compared once). Each normalized
 * merchant has a dense integer id, so batch columns can hold ids and look similarities up without objects.
 */
export class SimilarityCache {
  /** Raw names → the id of their normalized form. */
  private readonly names = new Map<string, number>();
  private readonly forms = new Map<string, NormalizedMerchant>();
  private readonly ids = new Map<NormalizedMerchant, number>();
  /** The normalized merchants by id (ids are dense, in first-seen order). */
  private readonly byId: NormalizedMerchant[] = [];
  /** Similarities by the first merchant's id, then the second's (small-integer keys hash cheaply). */
  private rows: (Map<number, number> | undefined)[] = [];
  private cached = 0;

  /** The normalized form of `raw`, computed once per distinct string; equal forms share one object. */
  intern(raw: string): NormalizedMerchant {
    return this.merchantOf(this.internId(raw));
  }

  /** The normalized merchant with this id. */
  merchantOf(id: number): NormalizedMerchant {
    return this.byId[id] as NormalizedMerchant;
  }

  /** The id (see `idOf`) of the normalized form of `raw`. */
  internId(raw: string): number {
    let id = this.names.get(raw);
    if (id === undefined) {
      const n = normalizeMerchant(raw);
      const form = `${n.platform ?? ''}\u0000${n.tokens.join(' ')}\u0000${n.codes?.join(' ') ?? ''}`;
      let m = this.forms.get(form);
      if (m === undefined) {
        m = n;
        this.forms.set(form, n);
      }
      id = this.idOf(m);
      this.names.set(raw, id);
    }
    return id;
  }

  /** The id of a normalized merchant (batch code keeps ids in columns and compares with `similarityOfIds`). */
  idOf(m: NormalizedMerchant): number {
    let id = this.ids.get(m);
    if (id === undefined) {
      id = this.byId.length;
      this.ids.set(m, id);
      this.byId.push(m);
      this.rows.push(undefined);
    }
    return id;
  }

  similarity(a: NormalizedMerchant, b: NormalizedMerchant): number {
    return this.similarityOfIds(this.idOf(a), this.idOf(b));
  }

  /** `similarity` of the merchants with these ids (from `idOf`). */
  similarityOfIds(a: number, b: number): number {
    let row = this.rows[a];
    if (row === undefined) {
      row = new Map();
      this.rows[a] = row;
    }
    let sim = row.get(b);
    if (sim === undefined) {
      sim = merchantSimilarity(this.byId[a] as NormalizedMerchant, this.byId[b] as NormalizedMerchant);
      if (this.cached >= 4_000_000) {
        this.rows = new Array(this.byId.length).fill(undefined);
        this.cached = 0;
        row = new Map();
        this.rows[a] = row;
      }
      row.set(b, sim);
      this.cached++;
    }
    return sim;
  }
}

/** A memo for merchant similarities (many transactions share a descriptor). */
export type SimilarityMemo = Map<string, number> | SimilarityCache;

export const similarityOf = (a: NormalizedMerchant, b: NormalizedMerchant, memo?: SimilarityMemo): number => {
  if (!memo) return merchantSimilarity(a, b);
  if (memo instanceof SimilarityCache) return memo.similarity(a, b);
  const key = `${a.compact}\u0000${a.tokens.length}\u0000${a.codes ?? ''}\u0000${b.compact}\u0000${b.tokens.length}\u0000${b.codes ?? ''}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const sim = merchantSimilarity(a, b);
  if (memo.size > 500_000) memo.clear();
  memo.set(key, sim);
  return sim;
};

/**
 * `similarityOf` two prepared sides: by their merchant ids when both carry one (a batch run, whose memo numbered
 * them: no hashing), else by their normalized merchants.
 */
export const preparedSimilarity = (
  a: Pick<PreparedReceipt, 'merchant' | 'merchantId'>,
  b: Pick<PreparedReceipt, 'merchant' | 'merchantId'>,
  memo?: SimilarityMemo,
): number =>
  a.merchantId !== undefined && b.merchantId !== undefined && memo instanceof SimilarityCache
    ? memo.similarityOfIds(a.merchantId, b.merchantId)
    : similarityOf(a.merchant, b.merchant, memo);

const reject = (why: string): PairScore => ({
  score: 0,
  reasons: [why],
  rejected: why,
  components: { amount: 0, date: 0, merchant: 0, card: 0, employee: 0 },
});

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

export interface ScoreParts {
  readonly amount: AmountEvidence;
  readonly date: DateEvidence;
  readonly merchantSim: number;
}

/** Card and employee components with their reasons (or a hard no); no reasons when `explain` is false. */
export const identityEvidence = (r: MatchReceipt, t: MatchTransaction, explain = true): IdentityEvidence =>
  identityEvidenceOf(r.cardLast4, r.employeeId, t.cardLast4, t.employeeId, explain);

export interface IdentityEvidence {
  readonly card: number;
  readonly employee: number;
  readonly penalty: number;
  readonly reasons: string[];
  readonly rejected: string | null;
}

/** `identityEvidence` from the cards printed and charged (null: none) and the employees (null: no owner). */
export const identityEvidenceOf = (
  receiptCard: string | null,
  receiptEmployee: string | null,
  transactionCard: string | null,
  transactionEmployee: string,
  explain = true,
): IdentityEvidence => {
  const reasons: string[] = [];
  let card = 0.5;
  let penalty = 0;
  if (receiptCard !== null && transactionCard !== null) {
    if (receiptCard === transactionCard) {
      card = 1;
      if (explain) reasons.push('card last 4 match');
    } else {
      card = 0;
      penalty = 0.25;
      if (explain) reasons.push(`card last 4 differs (${receiptCard} vs ${transactionCard})`);
    }
  }
  let employee = 0.5;
  if (receiptEmployee !== null) {
    if (receiptEmployee !== transactionEmployee) {
      return { card, employee: 0, penalty, reasons, rejected: 'different employee' };
    }
    employee = 1;
    if (explain) reasons.push('same employee');
  }
  return { card, employee, penalty, reasons, rejected: null };
};

/** Bonus when the receipt's category / MCC hints agree with the transaction's MCC. */
const categoryBonus = (r: MatchReceipt, mcc: string): string | null => {
  if (r.mccHints?.includes(mcc)) return `category matches MCC ${mcc}`;
  const test = r.category ? CATEGORY_MCC[r.category.toLowerCase()] : undefined;
  if (test?.(mcc)) return `category ${r.category} matches MCC ${mcc}`;
  return null;
};

const NOT_EXPLAINED: readonly string[] = [];

/** The reasons of an accepted pair, in scorePrepared's order: amount, date, merchant, card and employee, category. */
export const pairReasons = (
  amount: string,
  date: string,
  merchant: string,
  identity: readonly string[],
  bonus: string | null,
): string[] => {
  const reasons = [amount, date, merchant];
  for (const reason of identity) reasons.push(reason);
  if (bonus) reasons.push(bonus);
  return reasons;
};

/**
 * Scores a prepared receipt against a prepared transaction. Hard rules (employee, sign, amount and date
 * windows) reject; otherwise the weighted components give a score in [0, 1] with reasons.
 */
export const scorePrepared = (
  pr: PreparedReceipt,
  pt: PreparedTransaction,
  options: MatchOptions = defaultMatchOptions,
  memo?: SimilarityMemo,
): PairScore => evaluatePair(pr, pt, options, memo, true);

/**
 * The score `scorePrepared` gives, or null when it rejects the pair, without building any reason (batch scoring
 * ranks millions of pairs and explains only those it prints, through `scorePrepared`).
 */
export const scorePreparedValue = (
  pr: PreparedReceipt,
  pt: PreparedTransaction,
  options: MatchOptions = defaultMatchOptions,
  memo?: SimilarityMemo,
): number | null => {
  const s = evaluatePair(pr, pt, options, memo, false);
  return s.rejected === null ? s.score : null;
};

/** The one scoring function behind `scorePrepared` and `scorePreparedValue`; `explain` only gates the reasons. */
const evaluatePair = (
  pr: PreparedReceipt,
  pt: PreparedTransaction,
  options: MatchOptions,
  memo: SimilarityMemo | undefined,
  explain: boolean,
): PairScore => {
  const r = pr.receipt;
  const t = pt.transaction;
  if (r.employeeId !== null && r.employeeId !== t.employeeId) return reject('different employee');
  const amount = pairAmountEvidence(r.total, t.amount, t.merchantAmount, t.mcc, r.date, options, explain);
  if (amount === null) return reject('amount out of tolerance');
  const date = dateEvidence(pr.day, pt, options, 'single', explain);
  if (date === null) return reject('date out of window');
  const batch = isBatchNames(memo) ? memo : undefined;
  const sim = preparedSimilarity(pr, pt, memo);
  if (amount.score <= 0.25 && sim < 0.8) return reject('amount not comparable and merchant not similar enough');
  const id = identityEvidence(r, t, explain);
  if (id.rejected) return reject(id.rejected);
  const bonus = categoryBonus(r, t.mcc);
  const raw =
    WEIGHTS.amount * amount.score +
    WEIGHTS.date * date.score +
    WEIGHTS.merchant * sim +
    WEIGHTS.card * id.card +
    WEIGHTS.employee * id.employee +
    (bonus ? 0.03 : 0) -
    id.penalty;
  let reasons = NOT_EXPLAINED;
  if (explain) {
    const merchant =
      batch !== undefined && pr.nameId !== undefined && pt.nameId !== undefined
        ? batch.merchantReasonOfIds(pr.nameId, pt.nameId, r.vendor, t.merchantName, sim)
        : merchantReason(r.vendor, t.merchantName, sim);
    reasons = pairReasons(amount.reason, date.reason, merchant, id.reasons, bonus);
  }
  return {
    score: round4(Math.min(1, Math.max(0, raw))),
    reasons,
    rejected: null,
    components: { amount: amount.score, date: date.score, merchant: sim, card: id.card, employee: id.employee },
  };
};

/**
 * The amount evidence of a pair: `amountEvidence`, or when the amounts are in different currencies with neither a
 * merchant amount nor a rate, a weak "not comparable" (the amount can then neither confirm nor refute). Null when the
 * amounts are incompatible.
 */
export const pairAmountEvidence = (
  total: Money,
  amount: Money,
  merchantAmount: Money | null,
  mcc: string,
  date: string,
  options: MatchOptions,
  explain = true,
): AmountEvidence | null =>
  amountEvidence(total, amount, merchantAmount, mcc, date, options.rateSource, options.maxFxFeeBps, explain) ??
  notComparable(total, amount, merchantAmount, date, options, explain);

const notComparable = (
  total: Money,
  amount: Money,
  merchantAmount: Money | null,
  date: string,
  options: MatchOptions,
  explain: boolean,
): AmountEvidence | null => {
  if (total.currency === amount.currency) return null;
  if (options.rateSource?.(total.currency, amount.currency, date)) return null;
  if (merchantAmount !== null && merchantAmount.currency === total.currency) return null;
  if (total.minor < 0n !== amount.minor < 0n) return null;
  return {
    score: 0.25,
    exact: false,
    reason: !explain
      ? ''
      : `amount not comparable: receipt ${formatMoney(total)} ${total.currency}, charge in ${amount.currency} (no merchant amount, no rate)`,
  };
};

/** Scores a receipt against a transaction (convenience wrapper; batch code prepares once and uses scorePrepared). */
export const scorePair = (
  receipt: MatchReceipt,
  transaction: MatchTransaction,
  options: Partial<MatchOptions> = {},
): PairScore =>
  scorePrepared(prepareReceipt(receipt), prepareTransaction(transaction), { ...defaultMatchOptions, ...options });
