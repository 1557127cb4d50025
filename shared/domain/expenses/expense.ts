/**
 * The expense: a card transaction with its receipt(s), an out-of-pocket receipt reimbursable to the employee, a
 * mileage claim or a per diem, plus how the company accounts for it. Inside: Money (bigint minor units). On the
 * wire and in storage: decimal strings + currency, validated by `expenseJsonSchema`.
 */
import { z } from 'zod';
import { type Money, moneyFromJson, moneyToJson } from '../money.ts';

export const EXPENSE_TYPES = ['card', 'out-of-pocket', 'mileage', 'per-diem'] as const;
export type ExpenseType = (typeof EXPENSE_TYPES)[number];

export const EXPENSE_STATUSES = ['DRAFT', 'SUBMITTED', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'BOOKED'] as const;
export type ExpenseStatus = (typeof EXPENSE_STATUSES)[number];

/** The company pays the card; everything else is paid by the employee and reimbursed. */
export const isReimbursable = (type: ExpenseType): boolean => type !== 'card';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string such as "12.34"');
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');
export const moneyJsonSchema = z.object({ amount: decimal, currency });
const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

export const attendeeSchema = z.object({
  name: z.string().min(1),
  /** Set for colleagues (a user of the company); external guests have their company instead. */
  userId: z.string().min(1).optional(),
  company: z.string().min(1).optional(),
});
export type Attendee = z.infer<typeof attendeeSchema>;

/**
 * The VAT the receipt's extraction read, kept as printed (decimal strings). A placeholder for the VAT engine of the
 * ledger: the expense only carries it; deductibility is decided when booking.
 */
export const vatInfoSchema = z.object({
  receiptId: z.string().min(1).nullable(),
  /** What kind of evidence the document is: a full invoice, a simplified invoice (≤ 150 € HT), a plain ticket. */
  documentType: z.enum(['invoice', 'simplified-invoice', 'receipt', 'none']),
  currency,
  lines: z.array(z.object({ rate: decimal.optional(), base: decimal.optional(), amount: decimal })),
  /** Total excluding VAT when the document prints it (needed for the simplified-invoice threshold). */
  totalExclVat: decimal.optional(),
});
export type VatInfo = z.infer<typeof vatInfoSchema>;

export const mileageSchema = z.object({
  fiscalYear: z.number().int().min(2000).max(2100),
  /** Puissance administrative (CV) from the registration certificate, field P.6. */
  fiscalHorsepower: z.number().int().min(1).max(99),
  electric: z.boolean(),
  /** Whole kilometres of this trip. */
  distanceKm: z.number().int().positive(),
  /** Professional kilometres already claimed with this vehicle this fiscal year, before this trip. */
  priorDistanceKm: z.number().int().nonnegative(),
  from: z.string().min(1),
  to: z.string().min(1),
});
export type MileageClaim = z.infer<typeof mileageSchema>;

export const perDiemSchema = z.object({
  country: z.string().regex(/^[A-Z]{2}$/),
  city: z.string().min(1).nullable(),
  fullDays: z.number().int().nonnegative(),
  halfDays: z.number().int().nonnegative(),
  startsOn: isoDate,
});
export type PerDiemClaim = z.infer<typeof perDiemSchema>;

export const EXPENSE_CATEGORIES = [
  'meals',
  'hotel',
  'air-travel',
  'train',
  'taxi',
  'car-rental',
  'public-transport',
  'fuel',
  'parking-tolls',
  'mileage',
  'per-diem',
  'office-supplies',
  'software',
  'hardware',
  'telecom',
  'books-training',
  'gifts',
  'other',
] as const;
export type ExpenseCategory = (typeof EXPENSE_CATEGORIES)[number];

/** Where the category came from: a suggestion (with its explanation) or a person's choice. */
export const categoryChoiceSchema = z.object({
  category: z.enum(EXPENSE_CATEGORIES),
  source: z.enum(['mcc', 'vendor', 'employee-history', 'company-history', 'type', 'chosen']),
  explanation: z.string(),
});
export type CategoryChoice = z.infer<typeof categoryChoiceSchema>;

export const violationSchema = z.object({
  code: z.string().min(1),
  severity: z.enum(['warn', 'block']),
  message: z.string().min(1),
  ruleId: z.string().min(1),
  ruleVersion: z.number().int().positive(),
});
export type Violation = z.infer<typeof violationSchema>;

const merchantSchema = z.object({
  name: z.string(),
  mcc: z
    .string()
    .regex(/^\d{4}$/)
    .nullable(),
  country: z.string().nullable(),
  city: z.string().nullable(),
});

const approvalDecisionSchema = z.object({
  step: z.number().int().nonnegative(),
  approverId: z.string(),
  actorId: z.string(),
  decision: z.enum(['approve', 'reject']),
  at: isoDateTime,
  reason: z.string().optional(),
});

export const approvalStepSchema = z.object({
  name: z.string().min(1),
  mode: z.enum(['any', 'all']),
  approverIds: z.array(z.string().min(1)).min(1),
  /** Why these people: "manager of u_alice", "role finance", "escalated: self-approval". */
  explanation: z.string(),
  startedAt: isoDateTime.nullable(),
  lastRemindedAt: isoDateTime.nullable(),
  escalatedAt: isoDateTime.nullable(),
});

export const approvalStateSchema = z.object({
  ruleId: z.string(),
  chainVersion: z.number().int().positive(),
  /** Incremented by every decision: a decision made on an older version is refused (two approvers at once). */
  version: z.number().int().nonnegative(),
  currentStep: z.number().int().nonnegative(),
  outcome: z.enum(['pending', 'approved', 'rejected']),
  steps: z.array(approvalStepSchema),
  decisions: z.array(approvalDecisionSchema),
});
export type ApprovalStepJson = z.infer<typeof approvalStepSchema>;
export type ApprovalState = z.infer<typeof approvalStateSchema>;

export const expenseJsonSchema = z
  .object({
    companyId: z.string().min(1),
    id: z.string().min(1).max(35),
    employeeId: z.string().min(1),
    type: z.enum(EXPENSE_TYPES),
    status: z.enum(EXPENSE_STATUSES),
    /** Optimistic-concurrency version of the whole expense, +1 on every change. */
    version: z.number().int().nonnegative(),
    /** The merchant's local date of the spend (or the trip / first day of the per diem). */
    spentOn: isoDate,
    /** In the company's currency (card settlement amount, or converted by the employee's receipt). */
    amount: moneyJsonSchema,
    /** As paid, when the merchant's currency differs from the company's. */
    originalAmount: moneyJsonSchema.nullable(),
    merchant: merchantSchema.nullable(),
    cardTransactionIds: z.array(z.string().min(1)),
    receiptIds: z.array(z.string().min(1)),
    category: categoryChoiceSchema.nullable(),
    costCentre: z.string().min(1).nullable(),
    /** Other analytic axes (department, region…): axis → value. */
    analytics: z.record(z.string(), z.string()),
    entityId: z.string().min(1).nullable(),
    projectId: z.string().min(1).nullable(),
    description: z.string(),
    /** People at a meal besides the employee. */
    attendees: z.array(attendeeSchema),
    vat: vatInfoSchema.nullable(),
    mileage: mileageSchema.nullable(),
    perDiem: perDiemSchema.nullable(),
    /** Same employee, vendor, date and total as another receipt or expense (input from the receipt pipeline). */
    possibleDuplicateOf: z.string().nullable(),
    violations: z.array(violationSchema),
    approval: approvalStateSchema.nullable(),
    rejection: z.object({ by: z.string(), at: isoDateTime, reason: z.string().min(1) }).nullable(),
    booking: z.object({ journalEntryId: z.string().min(1), at: isoDateTime }).nullable(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    submittedAt: isoDateTime.nullable(),
  })
  .superRefine((e, ctx) => {
    if (e.type === 'mileage' && !e.mileage)
      ctx.addIssue({ code: 'custom', message: 'a mileage expense needs mileage' });
    if (e.type === 'per-diem' && !e.perDiem) ctx.addIssue({ code: 'custom', message: 'a per diem needs perDiem' });
    if (e.type === 'card' && e.cardTransactionIds.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a card expense links at least one card transaction' });
    }
    if (e.type !== 'card' && e.cardTransactionIds.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'only card expenses link card transactions' });
    }
    if (e.status === 'REJECTED' && !e.rejection) ctx.addIssue({ code: 'custom', message: 'REJECTED needs a reason' });
    if (e.status === 'BOOKED' && !e.booking) ctx.addIssue({ code: 'custom', message: 'BOOKED needs its entry' });
  });
export type ExpenseJson = z.infer<typeof expenseJsonSchema>;

/** The expense inside the domain: the JSON form with Money amounts. */
export interface Expense extends Omit<ExpenseJson, 'amount' | 'originalAmount'> {
  amount: Money;
  originalAmount: Money | null;
}

export const expenseToJson = (e: Expense): ExpenseJson => ({
  ...e,
  amount: moneyToJson(e.amount),
  originalAmount: e.originalAmount ? moneyToJson(e.originalAmount) : null,
});

/** Validates the JSON form (zod) and converts amounts exactly. */
export const expenseFromJson = (json: unknown): Expense => {
  const j = expenseJsonSchema.parse(json);
  return {
    ...j,
    amount: moneyFromJson(j.amount),
    originalAmount: j.originalAmount ? moneyFromJson(j.originalAmount) : null,
  };
};

/** A new DRAFT with every optional part empty; the caller fills what it knows. */
export const newExpense = (input: {
  companyId: string;
  id: string;
  employeeId: string;
  type: ExpenseType;
  spentOn: string;
  amount: Money;
  at: string;
  cardTransactionIds?: string[];
  receiptIds?: string[];
  merchant?: Expense['merchant'];
  mileage?: MileageClaim;
  perDiem?: PerDiemClaim;
  /** The employee's legal entity, when the company has several. */
  entityId?: string | null;
}): Expense => {
  const expense: Expense = {
    companyId: input.companyId,
    id: input.id,
    employeeId: input.employeeId,
    type: input.type,
    status: 'DRAFT',
    version: 0,
    spentOn: input.spentOn,
    amount: input.amount,
    originalAmount: null,
    merchant: input.merchant ?? null,
    cardTransactionIds: input.cardTransactionIds ?? [],
    receiptIds: input.receiptIds ?? [],
    category: null,
    costCentre: null,
    analytics: {},
    entityId: input.entityId ?? null,
    projectId: null,
    description: '',
    attendees: [],
    vat: null,
    mileage: input.mileage ?? null,
    perDiem: input.perDiem ?? null,
    possibleDuplicateOf: null,
    violations: [],
    approval: null,
    rejection: null,
    booking: null,
    createdAt: input.at,
    updatedAt: input.at,
    submittedAt: null,
  };
  expenseFromJson(expenseToJson(expense));
  return expense;
};
