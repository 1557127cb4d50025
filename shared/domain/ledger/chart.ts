/**
 * The company's chart settings: which account each expense category books to (French PCG defaults, overridable per
 * company and per entity), the VAT, card clearing, employee payable and bank accounts, and the journals.
 * Pure data plus resolution; the adapter stores a company's overrides and passes them in.
 */
import type { JournalCode } from './model.ts';
import type { VatKind } from './vat-rules.ts';

export const EXPENSE_CATEGORIES = [
  'transport',
  'lodging',
  'meal',
  'reception',
  'fuel',
  'vehicle-costs',
  'office-supplies',
  'fees',
  'seminar',
  'gift',
  'telecom',
  'other',
] as const;
export type ExpenseCategory = (typeof EXPENSE_CATEGORIES)[number];

export interface AccountRef {
  account: string;
  label: string;
}

export interface CategoryMapping extends AccountRef {
  /** Which VAT deductibility rules apply to this category's lines. */
  vatKind: VatKind;
}

/**
 * PCG defaults (plan comptable général, classe 6). Travel tickets go to 6251, hotel and meals on a mission to 6256,
 * meals and receptions for third parties to 6257, fuel to 6061, office supplies to 6064.
 */
export const DEFAULT_CATEGORY_ACCOUNTS: Readonly<Record<ExpenseCategory, CategoryMapping>> = {
  transport: { account: '6251', label: 'Voyages et déplacements', vatKind: 'passenger-transport' },
  lodging: { account: '6256', label: 'Missions', vatKind: 'lodging' },
  meal: { account: '6256', label: 'Missions', vatKind: 'meal' },
  reception: { account: '6257', label: 'Réceptions', vatKind: 'reception' },
  fuel: { account: '6061', label: 'Fournitures non stockables (eau, énergie, carburants)', vatKind: 'fuel' },
  'vehicle-costs': { account: '6251', label: 'Voyages et déplacements', vatKind: 'vehicle-costs' },
  'office-supplies': { account: '6064', label: 'Fournitures administratives', vatKind: 'standard' },
  fees: { account: '6226', label: 'Honoraires', vatKind: 'standard' },
  seminar: { account: '6185', label: 'Frais de colloques, séminaires, conférences', vatKind: 'standard' },
  gift: { account: '6234', label: 'Cadeaux', vatKind: 'gift' },
  telecom: { account: '626', label: 'Frais postaux et de télécommunications', vatKind: 'standard' },
  other: { account: '628', label: 'Divers', vatKind: 'standard' },
};

export interface JournalSpec {
  code: JournalCode;
  label: string;
}

export interface LedgerSettings {
  companyCurrency: string;
  /** Closing day of the fiscal year (default 31 December). */
  fiscalYearEnd: { month: number; day: number };
  journals: {
    /** Out-of-pocket expense reports. */
    expenseReport: JournalSpec;
    /** Company card spend. */
    card: JournalSpec;
    /** Bank movements: card statements settled, reimbursements paid. */
    bank: JournalSpec;
    /** Miscellaneous operations (reversals keep their original journal; this is for manual ones). */
    misc: JournalSpec;
  };
  /** Company-wide overrides of the category mapping. */
  categories: Partial<Record<ExpenseCategory, Partial<AccountRef>>>;
  /** Per-entity overrides, applied over the company's. */
  entities: Readonly<Record<string, Partial<Record<ExpenseCategory, Partial<AccountRef>>>>>;
  /** Deductible VAT on other goods and services, per rate ("20" → 445662) or the default for every rate. */
  deductibleVat: AccountRef & { byRate: Readonly<Record<string, string>> };
  /** Card clearing account per card programme; `defaultCardClearing` when a programme has none. */
  cardProgrammes: Readonly<Record<string, AccountRef>>;
  defaultCardClearing: AccountRef;
  /** Amounts owed to employees for expense reports, with one auxiliary account per employee. */
  employeePayable: AccountRef & { auxiliaryPrefix: string };
  bank: AccountRef;
}

export const defaultLedgerSettings = (companyCurrency = 'EUR'): LedgerSettings => ({
  companyCurrency,
  fiscalYearEnd: { month: 12, day: 31 },
  journals: {
    expenseReport: { code: 'NDF', label: 'Notes de frais' },
    card: { code: 'CB', label: 'Cartes de paiement' },
    bank: { code: 'BQ', label: 'Banque' },
    misc: { code: 'OD', label: 'Opérations diverses' },
  },
  categories: {},
  entities: {},
  deductibleVat: { account: '44566', label: 'TVA déductible sur autres biens et services', byRate: {} },
  cardProgrammes: {},
  defaultCardClearing: { account: '4671', label: 'Cartes de paiement - compte d’attente' },
  employeePayable: { account: '421', label: 'Personnel - rémunérations dues', auxiliaryPrefix: 'EMP-' },
  bank: { account: '512', label: 'Banques' },
});

/** Entity override, then company override, then the PCG default; a label follows its account unless given. */
export const categoryAccount = (
  settings: LedgerSettings,
  category: ExpenseCategory,
  entityId: string | null,
): CategoryMapping => {
  const base = DEFAULT_CATEGORY_ACCOUNTS[category];
  const layers = [settings.categories[category], entityId ? settings.entities[entityId]?.[category] : undefined];
  let out: CategoryMapping = base;
  for (const o of layers) {
    if (!o) continue;
    out = { account: o.account ?? out.account, label: o.label ?? out.label, vatKind: out.vatKind };
  }
  return out;
};

export const vatAccount = (settings: LedgerSettings, rate: string): AccountRef => ({
  account: settings.deductibleVat.byRate[rate] ?? settings.deductibleVat.account,
  label: settings.deductibleVat.label,
});

export const cardClearingAccount = (settings: LedgerSettings, programme: string | null): AccountRef =>
  (programme ? settings.cardProgrammes[programme] : undefined) ?? settings.defaultCardClearing;

export interface FiscalYear {
  id: string;
  start: string;
  end: string;
}

const iso = (y: number, m: number, d: number): string =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

const lastDay = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The fiscal year a date falls in, for a closing day (month, day); its id is the year of its closing date. */
export const fiscalYearOf = (
  date: string,
  end: { month: number; day: number } = { month: 12, day: 31 },
): FiscalYear => {
  const y = Number(date.slice(0, 4));
  const closingIn = (year: number) => iso(year, end.month, Math.min(end.day, lastDay(year, end.month)));
  const closing = date <= closingIn(y) ? closingIn(y) : closingIn(y + 1);
  const closingYear = Number(closing.slice(0, 4));
  const previous = new Date(`${closingIn(closingYear - 1)}T00:00:00Z`);
  previous.setUTCDate(previous.getUTCDate() + 1);
  return { id: String(closingYear), start: previous.toISOString().slice(0, 10), end: closing };
};
