/**
 * Builders: business facts in, balanced draft entries out. Pure functions over the company's ledger settings.
 *
 * An approved expense is booked like this (document currency first, then converted):
 * - each expense line: its amount TTC minus the deductible VAT, on the category's account (the non-deductible VAT
 *   therefore stays in the expense);
 * - deductible VAT, one line per rate on 44566 (or the rate's account);
 * - the counterpart, the expense's total TTC: the card programme's clearing account for card spend, the employee
 *   payable account (421, with the employee's auxiliary account) for out-of-pocket expenses.
 * In the document currency the entry balances by construction (HT = TTC − VAT, as printed). Converting to the
 * company currency rounds each line half-even; the counterpart is the converted total (or the amount the card
 * actually settled). The residual — at most half a minor unit per line — is added to the largest expense line and
 * recorded in `entry.rounding` with its reason. The VAT lines are never adjusted.
 */
import { currencyExponent, divideRounded, type Money, money } from '../money.ts';
import {
  type AccountRef,
  type CategoryMapping,
  cardClearingAccount,
  categoryAccount,
  type ExpenseCategory,
  fiscalYearOf,
  type JournalSpec,
  type LedgerSettings,
  vatAccount,
} from './chart.ts';
import {
  assertValidEntry,
  type DraftEntry,
  type EntrySource,
  isCalendarDate,
  type JournalLine,
  type LineRole,
  type OriginalCurrency,
  type PieceRef,
  type RoundingNote,
} from './model.ts';
import {
  type FuelType,
  type VatDecision,
  type VatEvidence,
  type VatLineContext,
  type VehicleKind,
  vatDeductibility,
} from './vat-rules.ts';

export interface ExpenseVatInput {
  /** Percent as printed ("20", "20.00", "5.5"). */
  rate: string;
  base?: Money;
  amount: Money;
}

export interface ExpenseLineInput {
  category: ExpenseCategory;
  /** Line label; defaults to the expense's. */
  label?: string;
  /** Amount TTC in the document's currency (negative for a discount line). */
  amount: Money;
  vat: readonly ExpenseVatInput[];
  fuel?: FuelType;
  vehicle?: VehicleKind;
  beneficiary?: 'staff' | 'third-party';
  gift?: VatLineContext['gift'];
  analytics?: Readonly<Record<string, string>>;
}

export type Conversion =
  /** Company currency per 1 unit of the document currency, from a rate table. */
  | { rate: string; source: string }
  /** The amount actually charged in the company currency (card settlement): the rate is implied. */
  | { companyAmount: Money; source: string };

export interface ApprovedExpense {
  companyId: string;
  entityId: string | null;
  expenseId: string;
  kind: 'card' | 'out-of-pocket';
  /** Card programme of the card used (card spend only). */
  cardProgramme: string | null;
  employee: { id: string; name: string };
  /** Merchant or purpose, used in labels. */
  label: string;
  /** Accounting date (approval date for expense reports, transaction date for card spend). */
  bookingDate: string;
  /** Document currency. */
  currency: string;
  lines: readonly ExpenseLineInput[];
  evidence: VatEvidence;
  piece: PieceRef;
  /** Required when `currency` differs from the company's. */
  conversion: Conversion | null;
  analytics?: Readonly<Record<string, string>>;
}

/** Why each VAT amount was (not) deducted: kept with the entry for the audit trail and the API. */
export interface VatTrace {
  lineIndex: number;
  rate: string;
  vat: Money;
  deductible: Money;
  decision: VatDecision;
}

export interface BuiltEntry {
  entry: DraftEntry;
  vat: readonly VatTrace[];
}

export class InvalidExpenseError extends Error {
  override readonly name = 'InvalidExpenseError';
}

/** "20.00" → "20", "5.50" → "5.5", "2,1" → "2.1". */
export const normalizeRate = (rate: string): string => {
  const r = rate.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(r)) throw new InvalidExpenseError(`invalid VAT rate "${rate}"`);
  const [whole = '0', frac = ''] = r.split('.');
  const f = frac.replace(/0+$/, '');
  return `${BigInt(whole).toString()}${f ? `.${f}` : ''}`;
};

/** num / den (both positive) as a decimal string with `places` decimals, rounded half-even, trailing zeros kept. */
export const formatDecimal = (num: bigint, den: bigint, places: number): string => {
  const scaled = divideRounded(num * 10n ** BigInt(places), den, 'half-even');
  const digits = scaled.toString().padStart(places + 1, '0');
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
};

/** A decimal string as an exact fraction. */
const fraction = (decimal: string): { num: bigint; den: bigint } => {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!m) throw new InvalidExpenseError(`invalid decimal "${decimal}"`);
  const frac = m[2] ?? '';
  return { num: BigInt((m[1] ?? '0') + frac), den: 10n ** BigInt(frac.length) };
};

interface SignedLine {
  role: LineRole;
  account: AccountRef;
  auxiliary?: { number: string; label: string };
  label: string;
  /** Positive = debit, negative = credit; document currency. */
  amount: bigint;
  vat?: { rate: string; code: string };
  analytics?: Readonly<Record<string, string>>;
}

export const vatCode = (rate: string): string => `D${rate}`;

const journalFor = (settings: LedgerSettings, kind: ApprovedExpense['kind']): JournalSpec =>
  kind === 'card' ? settings.journals.card : settings.journals.expenseReport;

const counterpartFor = (
  settings: LedgerSettings,
  expense: Pick<ApprovedExpense, 'kind' | 'cardProgramme' | 'employee'>,
): Pick<SignedLine, 'account' | 'auxiliary'> =>
  expense.kind === 'card'
    ? { account: cardClearingAccount(settings, expense.cardProgramme) }
    : {
        account: settings.employeePayable,
        auxiliary: {
          number: `${settings.employeePayable.auxiliaryPrefix}${expense.employee.id}`,
          label: expense.employee.name,
        },
      };

/** Converts signed document-currency lines to the company currency; places the residual explicitly. */
const convertLines = (
  lines: readonly SignedLine[],
  from: string,
  to: string,
  conversion: Conversion | null,
): { amounts: bigint[]; rounding: RoundingNote[]; original: OriginalCurrency | null } => {
  if (from === to) return { amounts: lines.map((l) => l.amount), rounding: [], original: null };
  if (!conversion) throw new InvalidExpenseError(`a conversion from ${from} to ${to} is required`);
  const total = lines.filter((l) => l.role === 'counterpart').reduce((s, l) => s - l.amount, 0n);
  const scale = 10n ** BigInt(currencyExponent(to));
  const fromScale = 10n ** BigInt(currencyExponent(from));
  let num: bigint;
  let den: bigint;
  let rate: string;
  if ('rate' in conversion) {
    const f = fraction(conversion.rate);
    if (f.num === 0n) throw new InvalidExpenseError('the conversion rate must be positive');
    num = f.num * scale;
    den = f.den * fromScale;
    rate = conversion.rate;
  } else {
    if (conversion.companyAmount.currency !== to) {
      throw new InvalidExpenseError(`the settled amount must be in ${to}`);
    }
    if (total === 0n) throw new InvalidExpenseError('cannot imply a rate from a zero total');
    num = conversion.companyAmount.minor < 0n ? -conversion.companyAmount.minor : conversion.companyAmount.minor;
    den = total < 0n ? -total : total;
    rate = formatDecimal(num * fromScale, den * scale, 6);
  }
  const amounts = lines.map((l) => (l.role === 'counterpart' ? 0n : divideRounded(l.amount * num, den, 'half-even')));
  const counterIdx = lines.findIndex((l) => l.role === 'counterpart');
  const counterpart = -divideRounded(total * num, den, 'half-even');
  amounts[counterIdx] = counterpart;
  const residual = -amounts.reduce((s, a) => s + a, 0n);
  const rounding: RoundingNote[] = [];
  if (residual !== 0n) {
    let target = -1;
    lines.forEach((l, i) => {
      const a = amounts[i] ?? 0n;
      const best = amounts[target] ?? 0n;
      if (l.role === 'expense' && (target < 0 || (a < 0n ? -a : a) > (best < 0n ? -best : best))) target = i;
    });
    if (target < 0) throw new InvalidExpenseError('no expense line to carry the conversion rounding');
    amounts[target] = (amounts[target] ?? 0n) + residual;
    rounding.push({
      lineIndex: target,
      amount: money(residual, to),
      reason: `conversion ${from}→${to} at ${rate}: lines rounded half-even one by one; the difference with the converted total goes to the largest expense line`,
    });
  }
  return {
    amounts,
    rounding,
    original: { amount: money(total < 0n ? -total : total, from), rate, rateSource: conversion.source },
  };
};

/** Turns signed lines into a validated draft: drops zero lines, swaps signs for refunds, keeps rounding indexes. */
const assemble = (
  head: Omit<DraftEntry, 'lines' | 'rounding' | 'currency' | 'status' | 'number'>,
  lines: readonly SignedLine[],
  settings: LedgerSettings,
  from: string,
  conversion: Conversion | null,
  sign: 1n | -1n,
): DraftEntry => {
  const to = settings.companyCurrency;
  const { amounts, rounding, original } = convertLines(lines, from, to, conversion);
  const out: JournalLine[] = [];
  const notes: RoundingNote[] = [];
  lines.forEach((l, i) => {
    const a = (amounts[i] ?? 0n) * sign;
    if (a === 0n) return;
    const note = rounding.find((r) => r.lineIndex === i);
    if (note) notes.push({ ...note, lineIndex: out.length, amount: money(note.amount.minor * sign, to) });
    const abs = (x: bigint) => (x < 0n ? -x : x);
    out.push({
      account: l.account.account,
      accountLabel: l.account.label,
      ...(l.auxiliary ? { auxiliary: l.auxiliary } : {}),
      label: l.label,
      debit: money(a > 0n ? a : 0n, to),
      credit: money(a < 0n ? -a : 0n, to),
      ...(original ? { original: money(abs(l.amount), from) } : {}),
      ...(l.vat ? { vat: l.vat } : {}),
      ...(l.analytics ? { analytics: l.analytics } : {}),
      role: l.role,
    });
  });
  const entry: DraftEntry = {
    ...head,
    lines: out,
    rounding: notes,
    currency: { companyCurrency: to, original },
    status: 'draft',
    number: null,
  };
  assertValidEntry(entry);
  return entry;
};

const checkExpense = (e: ApprovedExpense): void => {
  if (!isCalendarDate(e.bookingDate)) throw new InvalidExpenseError(`invalid booking date "${e.bookingDate}"`);
  if (!isCalendarDate(e.piece.date)) throw new InvalidExpenseError(`invalid piece date "${e.piece.date}"`);
  if (e.lines.length === 0) throw new InvalidExpenseError('an expense needs at least one line');
  for (const l of e.lines) {
    if (l.amount.currency !== e.currency) throw new InvalidExpenseError(`line amounts must be in ${e.currency}`);
    for (const v of l.vat) {
      if (v.amount.currency !== e.currency) throw new InvalidExpenseError(`VAT amounts must be in ${e.currency}`);
    }
  }
};

const expenseLines = (e: ApprovedExpense, settings: LedgerSettings): { lines: SignedLine[]; vat: VatTrace[] } => {
  const lines: SignedLine[] = [];
  const vatByRate = new Map<string, bigint>();
  const traces: VatTrace[] = [];
  let total = 0n;
  e.lines.forEach((l, lineIndex) => {
    const mapping: CategoryMapping = categoryAccount(settings, l.category, e.entityId);
    let deductibleSum = 0n;
    for (const v of l.vat) {
      const rate = normalizeRate(v.rate);
      const decision = vatDeductibility({
        date: e.piece.date,
        kind: mapping.vatKind,
        evidence: e.evidence,
        ...(l.fuel ? { fuel: l.fuel } : {}),
        ...(l.vehicle ? { vehicle: l.vehicle } : {}),
        ...(l.beneficiary ? { beneficiary: l.beneficiary } : {}),
        ...(l.gift ? { gift: l.gift } : {}),
      });
      const f = fraction(decision.deductibleRate);
      const deductible = divideRounded(v.amount.minor * f.num, f.den, 'half-even');
      deductibleSum += deductible;
      vatByRate.set(rate, (vatByRate.get(rate) ?? 0n) + deductible);
      traces.push({ lineIndex, rate, vat: v.amount, deductible: money(deductible, e.currency), decision });
    }
    const net = l.amount.minor - deductibleSum;
    if ((l.amount.minor >= 0n && net < 0n) || (l.amount.minor < 0n && net > 0n)) {
      throw new InvalidExpenseError(`line ${lineIndex + 1}: deductible VAT exceeds the amount`);
    }
    total += l.amount.minor;
    lines.push({
      role: 'expense',
      account: mapping,
      label: l.label ?? e.label,
      amount: net,
      ...(l.analytics || e.analytics ? { analytics: { ...e.analytics, ...l.analytics } } : {}),
    });
  });
  for (const [rate, amount] of [...vatByRate].sort(([a], [b]) => Number(a) - Number(b))) {
    lines.push({
      role: 'vat',
      account: vatAccount(settings, rate),
      label: `TVA déductible ${rate.replace('.', ',')} % - ${e.label}`,
      amount,
      vat: { rate, code: vatCode(rate) },
    });
  }
  if (total === 0n) throw new InvalidExpenseError('the expense total is zero: nothing to book');
  lines.push({ role: 'counterpart', ...counterpartFor(settings, e), label: e.label, amount: -total });
  return { lines, vat: traces };
};

const headOf = (
  settings: LedgerSettings,
  id: string,
  e: Pick<ApprovedExpense, 'companyId' | 'entityId' | 'bookingDate' | 'piece'>,
  journal: JournalSpec,
  label: string,
  source: EntrySource,
): Omit<DraftEntry, 'lines' | 'rounding' | 'currency' | 'status' | 'number'> => ({
  id,
  companyId: e.companyId,
  entityId: e.entityId,
  journal: journal.code,
  journalLabel: journal.label,
  fiscalYear: fiscalYearOf(e.bookingDate, settings.fiscalYearEnd).id,
  date: e.bookingDate,
  label,
  piece: e.piece,
  source,
  reversalOf: null,
  replaces: null,
});

export const entryIdFor = (source: EntrySource): string => `je_${source.kind}_${source.id}`;

/** An approved expense → a balanced draft in the card or expense-report journal. */
export const buildExpenseEntry = (expense: ApprovedExpense, settings: LedgerSettings): BuiltEntry => {
  checkExpense(expense);
  const { lines, vat } = expenseLines(expense, settings);
  const source: EntrySource = { kind: 'expense', id: expense.expenseId };
  const label = `${expense.label} - ${expense.employee.name}`;
  const head = headOf(settings, entryIdFor(source), expense, journalFor(settings, expense.kind), label, source);
  return { entry: assemble(head, lines, settings, expense.currency, expense.conversion, 1n), vat };
};

/**
 * A merchant refund of an expense (positive amounts as printed on the credit note): the same accounts as the
 * expense, every side swapped — expense and VAT credited, the card clearing or employee account debited.
 */
export const buildRefundEntry = (
  refund: ApprovedExpense & { refundId: string },
  settings: LedgerSettings,
): BuiltEntry => {
  checkExpense(refund);
  const { lines, vat } = expenseLines(refund, settings);
  const source: EntrySource = { kind: 'expense-refund', id: refund.refundId };
  const label = `Avoir ${refund.label} - ${refund.employee.name}`;
  const head = headOf(settings, entryIdFor(source), refund, journalFor(settings, refund.kind), label, source);
  return { entry: assemble(head, lines, settings, refund.currency, refund.conversion, -1n), vat };
};

export interface CardSettlement {
  companyId: string;
  entityId: string | null;
  settlementId: string;
  cardProgramme: string | null;
  /** Amount debited from the bank for the card statement, company currency (negative for a net credit). */
  amount: Money;
  bookingDate: string;
  piece: PieceRef;
}

/** The card statement is paid: card clearing account debited, bank credited. */
export const buildCardSettlementEntry = (s: CardSettlement, settings: LedgerSettings): DraftEntry => {
  if (s.amount.currency !== settings.companyCurrency) {
    throw new InvalidExpenseError(`settlements are booked in ${settings.companyCurrency}`);
  }
  const source: EntrySource = { kind: 'card-settlement', id: s.settlementId };
  const label = `Relevé carte ${s.piece.ref}`;
  const head = headOf(settings, entryIdFor(source), s, settings.journals.bank, label, source);
  const lines: SignedLine[] = [
    { role: 'counterpart', account: cardClearingAccount(settings, s.cardProgramme), label, amount: s.amount.minor },
    { role: 'settlement', account: settings.bank, label, amount: -s.amount.minor },
  ];
  return assemble(head, lines, settings, settings.companyCurrency, null, 1n);
};

export interface ReimbursementPayment {
  companyId: string;
  entityId: string | null;
  paymentId: string;
  employee: { id: string; name: string };
  amount: Money;
  bookingDate: string;
  piece: PieceRef;
}

/** An employee is paid back: employee payable (with the employee's auxiliary account) debited, bank credited. */
export const buildReimbursementEntry = (p: ReimbursementPayment, settings: LedgerSettings): DraftEntry => {
  if (p.amount.currency !== settings.companyCurrency) {
    throw new InvalidExpenseError(`reimbursements are booked in ${settings.companyCurrency}`);
  }
  const source: EntrySource = { kind: 'reimbursement', id: p.paymentId };
  const label = `Remboursement notes de frais - ${p.employee.name}`;
  const head = headOf(settings, entryIdFor(source), p, settings.journals.bank, label, source);
  const payable = counterpartFor(settings, { kind: 'out-of-pocket', cardProgramme: null, employee: p.employee });
  const lines: SignedLine[] = [
    { role: 'counterpart', ...payable, label, amount: p.amount.minor },
    { role: 'settlement', account: settings.bank, label, amount: -p.amount.minor },
  ];
  return assemble(head, lines, settings, settings.companyCurrency, null, 1n);
};
