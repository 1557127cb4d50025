/**
 * The journal entry: what the general ledger keeps, in the company's currency, always balanced to the cent.
 * Amounts are Money (bigint minor units); on the wire they are decimal strings (see events/ledger.ts).
 *
 * Life cycle: a builder makes a `draft` (no number); posting gives it the next number of its journal and fiscal year
 * and makes it immutable (`posted`, French "écriture validée"). A posted entry is never changed: it is corrected by a
 * reversal entry (same lines, debit and credit swapped, `reversalOf` set) and a new entry (`replaces` set).
 */
import { type CurrencyCode, formatMoney, type Money } from '../money.ts';

export type JournalCode = string;

export interface AuxiliaryAccount {
  /** Sub-ledger account, e.g. the employee's own account under 421 ("EMP-u_123"). */
  number: string;
  label: string;
}

export interface LineVat {
  /** Percent as a normalized decimal string: "20", "10", "5.5", "2.1". */
  rate: string;
  /** The company's VAT code for this rate and treatment (e.g. "D20" deductible 20 %). */
  code: string;
}

export interface JournalLine {
  /** General ledger account (PCG): starts with 3 digits. */
  account: string;
  accountLabel: string;
  auxiliary?: AuxiliaryAccount;
  label: string;
  /** Company currency. Exactly one of debit and credit is non-zero; both are non-negative. */
  debit: Money;
  credit: Money;
  /** The same amount in the document's currency when it differs from the company's (FEC Montantdevise/Idevise). */
  original?: Money;
  vat?: LineVat;
  /** Analytic axes ("costCenter" → "SALES", "project" → "P-42"). */
  analytics?: Readonly<Record<string, string>>;
  /** Why the line exists: lets tests and exports find the expense, VAT, counterpart or rounding lines. */
  role: LineRole;
}

export type LineRole = 'expense' | 'vat' | 'counterpart' | 'settlement';

export type PieceKind = 'receipt' | 'expense' | 'card-transaction' | 'card-statement' | 'reimbursement' | 'reversal';

/** The evidence behind an entry: FEC PieceRef + PieceDate, and the hash of the stored document it leads to. */
export interface PieceRef {
  /** Stable id the API resolves to the receipt or expense (e.g. "rcp_01J…" or "exp_01J…"). */
  ref: string;
  kind: PieceKind;
  /** YYYY-MM-DD, the document's own date. */
  date: string;
  /** SHA-256 (hex) of the stored document, when there is one. */
  documentSha256: string | null;
}

export interface OriginalCurrency {
  /** The total in the document's currency. */
  amount: Money;
  /** Company currency per 1 unit of the document's currency, as a decimal string ("1.0834"). */
  rate: string;
  /** Where the rate comes from ("ECB 2024-03-01", "card settlement"). */
  rateSource: string;
}

export interface CurrencyInfo {
  companyCurrency: CurrencyCode;
  /** Present when the document's currency differs from the company's. */
  original: OriginalCurrency | null;
}

/** A rounding residual and where it went. Conversions round each line; the difference is placed here, explicitly. */
export interface RoundingNote {
  lineIndex: number;
  amount: Money;
  reason: string;
}

export type EntrySourceKind =
  | 'expense'
  | 'expense-refund'
  | 'card-settlement'
  | 'reimbursement'
  | 'reversal'
  | 'correction'
  | 'manual';

export interface EntrySource {
  kind: EntrySourceKind;
  /** The business id the entry was built from (expense id, settlement id…): the entry id derives from it. */
  id: string;
}

interface EntryBase {
  /** Deterministic from the source ("je_expense_exp_123"), so building twice gives the same id. */
  id: string;
  companyId: string;
  entityId: string | null;
  journal: JournalCode;
  journalLabel: string;
  /** Fiscal year id: the calendar year of its closing date ("2024"). */
  fiscalYear: string;
  /** Accounting date (FEC EcritureDate), YYYY-MM-DD. */
  date: string;
  label: string;
  lines: readonly JournalLine[];
  piece: PieceRef;
  currency: CurrencyInfo;
  rounding: readonly RoundingNote[];
  source: EntrySource;
  /** Set on a reversal: the id of the posted entry it cancels. */
  reversalOf: string | null;
  /** Set on a correcting entry: the id of the posted entry it replaces (that entry is reversed). */
  replaces: string | null;
}

export interface DraftEntry extends EntryBase {
  status: 'draft';
  number: null;
}

export interface PostedEntry extends EntryBase {
  status: 'posted';
  /** Position in the continuous sequence of its journal and fiscal year, from 1. */
  number: number;
  /** FEC EcritureNum: "<journal>-<fiscal year>-<number on 6 digits>". */
  ecritureNum: string;
  /** ISO 8601 instant of validation (FEC ValidDate is its date). */
  postedAt: string;
}

export type JournalEntry = DraftEntry | PostedEntry;

export class UnbalancedEntryError extends Error {
  override readonly name = 'UnbalancedEntryError';
}

export class InvalidEntryError extends Error {
  override readonly name = 'InvalidEntryError';
}

export const ACCOUNT_RE = /^[1-8]\d{2}[0-9A-Za-z]*$/;
export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export const isCalendarDate = (s: string): boolean => {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export const ecritureNumOf = (journal: JournalCode, fiscalYear: string, n: number): string =>
  `${journal}-${fiscalYear}-${String(n).padStart(6, '0')}`;

export interface EntryTotals {
  debit: Money;
  credit: Money;
}

export const entryTotals = (entry: Pick<JournalEntry, 'lines' | 'currency'>): EntryTotals => {
  let debit = 0n;
  let credit = 0n;
  for (const l of entry.lines) {
    debit += l.debit.minor;
    credit += l.credit.minor;
  }
  const currency = entry.currency.companyCurrency;
  return { debit: { minor: debit, currency }, credit: { minor: credit, currency } };
};

/**
 * Checks what every entry must satisfy, draft or posted: at least two lines, accounts that start with three digits
 * of a PCG class, one non-negative side per line in the company currency, and debits equal to credits exactly.
 */
export const assertValidEntry = (entry: JournalEntry): void => {
  const currency = entry.currency.companyCurrency;
  if (entry.lines.length < 2) throw new InvalidEntryError(`entry ${entry.id}: needs at least two lines`);
  if (!isCalendarDate(entry.date)) throw new InvalidEntryError(`entry ${entry.id}: invalid date "${entry.date}"`);
  entry.lines.forEach((l, i) => {
    const where = `entry ${entry.id} line ${i + 1}`;
    if (!ACCOUNT_RE.test(l.account)) throw new InvalidEntryError(`${where}: invalid account "${l.account}"`);
    if (l.debit.currency !== currency || l.credit.currency !== currency) {
      throw new InvalidEntryError(`${where}: amounts must be in ${currency}`);
    }
    if (l.debit.minor < 0n || l.credit.minor < 0n) throw new InvalidEntryError(`${where}: negative amount`);
    if ((l.debit.minor === 0n) === (l.credit.minor === 0n)) {
      throw new InvalidEntryError(`${where}: exactly one of debit and credit must be non-zero`);
    }
  });
  const { debit, credit } = entryTotals(entry);
  if (debit.minor !== credit.minor) {
    throw new UnbalancedEntryError(
      `entry ${entry.id}: debit ${formatMoney(debit)} ≠ credit ${formatMoney(credit)} ${currency}`,
    );
  }
};

export const isBalanced = (entry: JournalEntry): boolean => {
  const { debit, credit } = entryTotals(entry);
  return debit.minor === credit.minor;
};
