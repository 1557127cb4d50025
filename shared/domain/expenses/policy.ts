/**
 * The spending policy: per-company rules, versioned, validated with zod. Evaluating an expense lists its violations,
 * each with a code, a severity (warn: shown to approvers; block: the expense cannot be submitted), a message and the
 * policy version that produced it.
 */
import { z } from 'zod';
import {
  addMoney,
  compareMoney,
  divideRounded,
  formatMoney,
  type Money,
  money,
  moneyFromJson,
  subtractMoney,
  sumMoney,
} from '../money.ts';
import { EXPENSE_CATEGORIES, type Expense, moneyJsonSchema, type Violation } from './expense.ts';
import { daysBetween, frenchPublicHoliday, isWeekend } from './holidays.ts';

const severity = z.enum(['warn', 'block']);
const ruleBase = { id: z.string().min(1), severity };
const categories = z.array(z.enum(EXPENSE_CATEGORIES));

/**
 * France: an invoice whose total excluding VAT is at most 150 € may be a simplified invoice ("facture simplifiée",
 * fewer mandatory mentions: CGI annexe II, art. 242 nonies A, II, from décret n° 2013-350 of 25 April 2013,
 * transposing art. 220 bis and 226 ter of Directive 2006/112/EC; BOFiP BOI-TVA-DECLA-30-20-20-10). Above it, VAT is
 * deductible only on a full invoice (CGI art. 271, II-1-a) and 242 nonies A, I), so a till receipt is not enough.
 */
export const FR_SIMPLIFIED_INVOICE_MAX_EXCL_VAT = { amount: '150.00', currency: 'EUR' } as const;

export const policyRuleSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...ruleBase,
      type: z.literal('category-limit'),
      category: z.enum(EXPENSE_CATEGORIES),
      perExpense: moneyJsonSchema.optional(),
      /** The employee's total in this category on the same day, this expense included. */
      perDay: moneyJsonSchema.optional(),
      /** Per person present: the employee plus the attendees. */
      perAttendee: moneyJsonSchema.optional(),
    })
    .refine((r) => r.perExpense || r.perDay || r.perAttendee, 'a category limit needs at least one limit'),
  z.object({ ...ruleBase, type: z.literal('receipt-required'), above: moneyJsonSchema }),
  z.object({
    ...ruleBase,
    type: z.literal('vat-invoice-required'),
    aboveExclVat: moneyJsonSchema.default(FR_SIMPLIFIED_INVOICE_MAX_EXCL_VAT),
  }),
  z.object({ ...ruleBase, type: z.literal('forbidden-mcc'), mccs: z.array(z.string().regex(/^\d{4}$/)).min(1) }),
  z.object({ ...ruleBase, type: z.literal('forbidden-category'), categories: categories.min(1) }),
  z.object({ ...ruleBase, type: z.literal('weekend-spend'), categories: categories.optional() }),
  z.object({
    ...ruleBase,
    type: z.literal('public-holiday-spend'),
    alsaceMoselle: z.boolean().default(false),
    categories: categories.optional(),
  }),
  z.object({ ...ruleBase, type: z.literal('possible-duplicate') }),
  z.object({ ...ruleBase, type: z.literal('attendees-required'), categories: categories.default(['meals']) }),
  z.object({ ...ruleBase, type: z.literal('late-submission'), afterDays: z.number().int().positive() }),
]);
export type PolicyRule = z.infer<typeof policyRuleSchema>;

export const policySetSchema = z
  .object({
    companyId: z.string().min(1),
    version: z.number().int().positive(),
    effectiveFrom: z.iso.datetime({ offset: true }),
    /** Every amount of the policy is in the company's currency, like expenses' `amount`. */
    currency: z.string().regex(/^[A-Z]{3}$/),
    rules: z.array(policyRuleSchema),
  })
  .superRefine((p, ctx) => {
    const ids = new Set<string>();
    for (const r of p.rules) {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id ${r.id}` });
      ids.add(r.id);
      const amounts =
        r.type === 'category-limit'
          ? [r.perExpense, r.perDay, r.perAttendee]
          : r.type === 'receipt-required'
            ? [r.above]
            : r.type === 'vat-invoice-required'
              ? [r.aboveExclVat]
              : [];
      for (const a of amounts) {
        if (a && a.currency !== p.currency) {
          ctx.addIssue({ code: 'custom', message: `rule ${r.id}: amounts must be in ${p.currency}` });
        }
      }
    }
  });
export type PolicySet = z.infer<typeof policySetSchema>;
export type PolicySetInput = z.input<typeof policySetSchema>;

export const parsePolicySet = (input: unknown): PolicySet => policySetSchema.parse(input);

export interface PolicyContext {
  /** Evaluation time (ISO): late submission counts up to the submission, or to now while not submitted. */
  now: string;
  /** The employee's other expenses of the same category on the same day (for per-day limits). */
  sameDayOtherTotal?: Money;
}

const show = (m: Money) => `${formatMoney(m)} ${m.currency}`;
const applies = (cats: readonly string[] | undefined, e: Expense) =>
  !cats || (e.category !== null && cats.includes(e.category.category));
const withReceipts = (e: Expense) => e.type === 'card' || e.type === 'out-of-pocket';

/** Amount excluding VAT: as printed, else the total minus the VAT lines, else (nothing read) the total. */
export const amountExclVat = (e: Expense): Money => {
  if (!e.vat || e.vat.currency !== e.amount.currency) return e.amount;
  if (e.vat.totalExclVat) return moneyFromJson({ amount: e.vat.totalExclVat, currency: e.vat.currency });
  const vat = sumMoney(
    e.vat.lines.map((l) => moneyFromJson({ amount: l.amount, currency: e.vat?.currency ?? e.amount.currency })),
    e.amount.currency,
  );
  return subtractMoney(e.amount, vat);
};

type Check = (rule: PolicyRule, e: Expense, ctx: PolicyContext) => { code: string; message: string }[];

const checkRule: Check = (rule, e, ctx) => {
  switch (rule.type) {
    case 'category-limit': {
      if (e.category?.category !== rule.category) return [];
      const out: { code: string; message: string }[] = [];
      if (rule.perExpense) {
        const limit = moneyFromJson(rule.perExpense);
        if (compareMoney(e.amount, limit) > 0) {
          out.push({
            code: 'LIMIT_PER_EXPENSE',
            message: `${show(e.amount)} is over the ${rule.category} limit of ${show(limit)} per expense`,
          });
        }
      }
      if (rule.perDay) {
        const limit = moneyFromJson(rule.perDay);
        const day = addMoney(ctx.sameDayOtherTotal ?? money(0n, e.amount.currency), e.amount);
        if (compareMoney(day, limit) > 0) {
          out.push({
            code: 'LIMIT_PER_DAY',
            message: `${show(day)} of ${rule.category} on ${e.spentOn} is over the daily limit of ${show(limit)}`,
          });
        }
      }
      if (rule.perAttendee) {
        const limit = moneyFromJson(rule.perAttendee);
        const people = BigInt(1 + e.attendees.length);
        if (e.amount.minor > limit.minor * people) {
          const each = money(divideRounded(e.amount.minor, people, 'half-up'), e.amount.currency);
          out.push({
            code: 'LIMIT_PER_ATTENDEE',
            message: `${show(e.amount)} for ${people} ${people === 1n ? 'person' : 'people'} (${show(each)} each) is over the ${rule.category} limit of ${show(limit)} per person`,
          });
        }
      }
      return out;
    }
    case 'receipt-required': {
      const above = moneyFromJson(rule.above);
      return withReceipts(e) && e.receiptIds.length === 0 && compareMoney(e.amount, above) > 0
        ? [{ code: 'RECEIPT_MISSING', message: `a receipt is required above ${show(above)}` }]
        : [];
    }
    case 'vat-invoice-required': {
      const limit = moneyFromJson(rule.aboveExclVat);
      const french = e.merchant?.country == null || e.merchant.country === 'FR';
      if (!withReceipts(e) || !french || e.amount.currency !== limit.currency) return [];
      const excl = amountExclVat(e);
      if (compareMoney(excl, limit) <= 0 || e.vat?.documentType === 'invoice') return [];
      return [
        {
          code: 'VAT_INVOICE_REQUIRED',
          message: `${show(excl)} excluding VAT is above ${show(limit)}: a full VAT invoice is required, a simplified invoice or a ticket is not enough`,
        },
      ];
    }
    case 'forbidden-mcc':
      return e.merchant?.mcc && rule.mccs.includes(e.merchant.mcc)
        ? [{ code: 'FORBIDDEN_MCC', message: `merchant category ${e.merchant.mcc} is not allowed` }]
        : [];
    case 'forbidden-category':
      return e.category && rule.categories.includes(e.category.category)
        ? [{ code: 'FORBIDDEN_CATEGORY', message: `${e.category.category} expenses are not allowed` }]
        : [];
    case 'weekend-spend':
      return applies(rule.categories, e) && isWeekend(e.spentOn)
        ? [{ code: 'WEEKEND_SPEND', message: `spent on a weekend (${e.spentOn})` }]
        : [];
    case 'public-holiday-spend': {
      const holiday = applies(rule.categories, e)
        ? frenchPublicHoliday(e.spentOn, { alsaceMoselle: rule.alsaceMoselle })
        : null;
      return holiday
        ? [{ code: 'PUBLIC_HOLIDAY_SPEND', message: `spent on a public holiday (${holiday}, ${e.spentOn})` }]
        : [];
    }
    case 'possible-duplicate':
      return e.possibleDuplicateOf
        ? [{ code: 'POSSIBLE_DUPLICATE', message: `possibly the same expense as ${e.possibleDuplicateOf}` }]
        : [];
    case 'attendees-required':
      return e.category && rule.categories.includes(e.category.category) && e.attendees.length === 0
        ? [{ code: 'ATTENDEES_MISSING', message: `list who attended this ${e.category.category} expense` }]
        : [];
    case 'late-submission': {
      const until = (e.submittedAt ?? ctx.now).slice(0, 10);
      const days = daysBetween(e.spentOn, until);
      return days > rule.afterDays
        ? [
            {
              code: 'LATE_SUBMISSION',
              message: `submitted ${days} days after the spend (policy: ${rule.afterDays} days)`,
            },
          ]
        : [];
    }
  }
};

/** Every violation of the expense under this policy, in rule order. */
export const evaluatePolicy = (policy: PolicySet, expense: Expense, ctx: PolicyContext): Violation[] => {
  if (expense.amount.currency !== policy.currency) {
    throw new RangeError(`expense amount is in ${expense.amount.currency}, the policy in ${policy.currency}`);
  }
  return policy.rules.flatMap((rule) =>
    checkRule(rule, expense, ctx).map((v) => ({
      ...v,
      severity: rule.severity,
      ruleId: rule.id,
      ruleVersion: policy.version,
    })),
  );
};

export const hasBlockingViolation = (violations: readonly Violation[]): boolean =>
  violations.some((v) => v.severity === 'block');

/** The policy in force at `at`: the highest version whose effectiveFrom is not after it. */
export const policyInForce = (versions: readonly PolicySet[], at: string): PolicySet | null =>
  versions.filter((p) => Date.parse(p.effectiveFrom) <= Date.parse(at)).sort((a, b) => b.version - a.version)[0] ??
  null;
