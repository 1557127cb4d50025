import type { CurrencyCode, Money } from '../money.ts';

/** A receipt as the matcher sees it (after extraction). Dates are the merchant's local calendar date. */
export interface MatchReceipt {
  readonly id: string;
  /** Who sent or uploaded it; null when unknown (e.g. an import without owner). */
  readonly employeeId: string | null;
  /** Vendor name as printed or extracted ("Blue Bottle Coffee"). */
  readonly vendor: string;
  /** Merchant-local date printed on the receipt, YYYY-MM-DD (for hotels: usually the checkout date). */
  readonly date: string;
  /** Grand total as printed, in the receipt's currency. Negative for a credit note / refund receipt. */
  readonly total: Money;
  /** Last 4 digits of the card when printed on the receipt. */
  readonly cardLast4: string | null;
  /** Optional MCC hints (e.g. from the extractor's category guess): "5812", "7011"… */
  readonly mccHints?: readonly string[];
  /** Optional free category ("restaurant", "taxi", "hotel", "fuel"…), used like an MCC hint. */
  readonly category?: string | null;
}

/** A card transaction (authorization and/or capture) as the matcher sees it. */
export interface MatchTransaction {
  readonly id: string;
  readonly employeeId: string;
  /** The card descriptor ("SQ *BLUE BOTTLE SAN FRA"). */
  readonly merchantName: string;
  /** ISO 18245 merchant category code, 4 digits. */
  readonly mcc: string;
  /** Amount in the card's billing currency. Negative = refund / credit. */
  readonly amount: Money;
  /** Amount in the merchant's currency (what the receipt prints abroad); null when not supplied. */
  readonly merchantAmount: Money | null;
  /** ISO 8601 instant of the authorization (UTC). */
  readonly authorizedAt: string;
  /** ISO 8601 instant of the posting / capture; null while pending. */
  readonly postedAt: string | null;
  readonly cardLast4: string | null;
}

/**
 * Converts between currencies: returns the rate as a decimal string ("0.9231" means 1 `from` = 0.9231 `to`)
 * for the given date, or null when unknown. Pure function supplied by the caller (ECB table, card network rates…).
 */
export type RateSource = (from: CurrencyCode, to: CurrencyCode, date: string) => string | null;

/** A scored pair with its explanation. */
export interface PairScore {
  /** In [0, 1]. 0 means "not a candidate" (a hard no); see `rejected`. */
  readonly score: number;
  /** Human-readable reasons, most important first. */
  readonly reasons: readonly string[];
  /** Set when a hard rule excludes the pair (different employee, amount out of tolerance, date out of window…). */
  readonly rejected: string | null;
  /** Component scores in [0, 1], for debugging and tuning. */
  readonly components: Readonly<Record<'amount' | 'date' | 'merchant' | 'card' | 'employee', number>>;
}

/** Tunable knobs. Every field has a documented default in `defaultMatchOptions`. */
export interface MatchOptions {
  /** Proposals at or above this score, with `autoMargin` over every competitor, are auto-linked. */
  readonly autoThreshold: number;
  /** Minimum lead of an auto link over the best competing proposal for the same receipt or transaction. */
  readonly autoMargin: number;
  /** Proposals below this score are not returned at all. */
  readonly minSuggestionScore: number;
  /** Ranked alternatives returned per receipt that is not auto-linked (the chosen proposal included). */
  readonly suggestionsPerReceipt: number;
  /** Optional converter for currencies the transaction does not carry as merchant currency. */
  readonly rateSource: RateSource | null;
  /** Highest card FX fee accepted over the reference rate, in basis points (300 = 3 %). */
  readonly maxFxFeeBps: number;
  /** Days a receipt may be dated before the authorization (pre-orders, invoices paid later). */
  readonly daysBefore: number;
  /** Days a receipt may be dated after the authorization (generic; hotels and split shipments have their own). */
  readonly daysAfter: number;
  /** Hotel stays: receipt dated at checkout up to this many days after the check-in authorization. */
  readonly hotelMaxNights: number;
  /** Split shipments: charges up to this many days after the order receipt. */
  readonly splitWindowDays: number;
  /** Refunds may come up to this many days after the purchase. */
  readonly refundWindowDays: number;
}

export const defaultMatchOptions: MatchOptions = {
  autoThreshold: 0.8,
  autoMargin: 0.05,
  minSuggestionScore: 0.45,
  suggestionsPerReceipt: 3,
  rateSource: null,
  maxFxFeeBps: 400,
  daysBefore: 3,
  daysAfter: 7,
  hotelMaxNights: 30,
  splitWindowDays: 21,
  refundWindowDays: 120,
};

/** One proposed receipt ↔ transaction link (the CLI prints exactly these fields). */
export interface MatchProposal {
  readonly receiptId: string;
  readonly transactionId: string;
  readonly score: number;
  readonly auto: boolean;
  readonly reasons: readonly string[];
}

/** The shape of an assignment option. */
export type MatchShape = 'one-to-one' | 'receipt-to-many' | 'many-to-transaction' | 'refund-of-purchase';

/** A chosen or candidate option: a set of receipts linked to a set of transactions as one decision. */
export interface MatchGroup {
  readonly shape: MatchShape;
  readonly receiptIds: readonly string[];
  readonly transactionIds: readonly string[];
  readonly score: number;
  readonly reasons: readonly string[];
  auto: boolean;
}
