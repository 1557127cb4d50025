import { z } from 'zod';
import { type InvalidMoneyError, type Money, parseMoney } from '../money.ts';
import { countryAlpha2 } from './countries.ts';

/**
 * A company's card controls, as finance configures them (JSON, validated here). Amounts are decimal strings with
 * a currency, as everywhere in Quittance's JSON; after parsing they are Money.
 */
const moneyJson = z.object({ amount: z.string(), currency: z.string() }).transform((m, ctx): Money => {
  try {
    return parseMoney(m.amount, m.currency);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as InvalidMoneyError).message });
    return z.NEVER;
  }
});

const nonNegativeMoney = moneyJson.refine((m) => m.minor >= 0n, 'must not be negative');

const mcc = z.string().regex(/^\d{4}$/, 'an MCC has 4 digits');

/** ISO 3166-1 alpha-2 or alpha-3 (or numeric), stored as alpha-2. */
const country = z.string().transform((code, ctx) => {
  const alpha2 = countryAlpha2(code);
  if (!alpha2) {
    ctx.addIssue({ code: 'custom', message: `unknown country code "${code}"` });
    return z.NEVER;
  }
  return alpha2;
});

const isoInstant = z.iso.datetime({ offset: true });

export const budgetPeriodSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('month') }),
  z.object({ kind: z.literal('quarter') }),
  z
    .object({ kind: z.literal('one-off'), start: isoInstant, end: isoInstant })
    .refine((p) => Date.parse(p.start) < Date.parse(p.end), 'a one-off budget must start before it ends'),
]);
export type BudgetPeriod = z.infer<typeof budgetPeriodSchema>;

export const budgetSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only'),
  name: z.string().optional(),
  scope: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('employee'), employeeId: z.string().min(1) }),
    z.object({ kind: z.literal('team'), teamId: z.string().min(1) }),
  ]),
  period: budgetPeriodSchema,
  limit: nonNegativeMoney,
});
export type Budget = z.output<typeof budgetSchema>;

/** Building an Intl.DateTimeFormat costs far more than using one (it was the top of the decision's CPU profile). */
const yearMonthFormats = new Map<string, Intl.DateTimeFormat>();
const yearMonthFormat = (tz: string): Intl.DateTimeFormat => {
  let f = yearMonthFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric' });
    yearMonthFormats.set(tz, f);
  }
  return f;
};

const timeZone = z.string().refine((tz) => {
  try {
    yearMonthFormat(tz);
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

const list = <T extends z.ZodType>(item: T) =>
  z.object({ allow: z.array(item).default([]), block: z.array(item).default([]) }).default({ allow: [], block: [] });

const controlsShape = z.object({
  companyId: z.string().min(1),
  /** The company's budget currency; card amounts in another currency cannot be checked against budgets. */
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** Where months and quarters begin (a French company's month starts at midnight in Paris). */
  timeZone: timeZone.default('UTC'),
  /** What to answer when the decision cannot be made safely in time (store down, deadline near). */
  fallback: z.enum(['approve', 'decline']),
  /** The processor waits at most 2 s (Stripe); after this many ms the fallback answers. */
  decisionTimeoutMs: z.number().int().min(100).max(1900).default(1500),
  perTransactionCap: nonNegativeMoney.nullable().default(null),
  mcc: list(mcc),
  /** Descriptor fragments matched as whole normalized words: "AMAZON" matches "WWW.AMAZON.FR", not "AMAZONIA". */
  merchants: list(z.string().trim().min(1)),
  blockedCountries: z.array(country).default([]),
  /** Lock the card while the employee has a receipt missing for more than this many days. */
  overdueReceiptLockDays: z.number().int().positive().nullable().default(null),
  budgets: z.array(budgetSchema).default([]),
});

const checkControls = (
  c: Pick<z.output<typeof controlsShape>, 'budgets' | 'currency' | 'perTransactionCap'>,
  ctx: z.RefinementCtx,
) => {
  const ids = new Set<string>();
  c.budgets.forEach((b, i) => {
    if (ids.has(b.id)) ctx.addIssue({ code: 'custom', path: ['budgets', i, 'id'], message: 'duplicate budget id' });
    ids.add(b.id);
    if (b.limit.currency !== c.currency) {
      ctx.addIssue({ code: 'custom', path: ['budgets', i, 'limit'], message: `budgets are in ${c.currency}` });
    }
  });
  if (c.perTransactionCap && c.perTransactionCap.currency !== c.currency) {
    ctx.addIssue({ code: 'custom', path: ['perTransactionCap'], message: `the cap is in ${c.currency}` });
  }
};

export const companyControlsSchema = controlsShape.superRefine(checkControls);
/**
 * What finance sends (`PUT /cards/controls`): the company comes from the token (a `companyId` read back from GET is
 * accepted when it is the caller's); unknown fields are refused.
 */
export const controlsInputSchema = controlsShape
  .extend({ companyId: z.string().min(1).optional().describe('ignored if it is the caller’s company, else refused') })
  .strict()
  .superRefine(checkControls);
export type CompanyControlsInput = z.input<typeof companyControlsSchema>;
export type CompanyControls = z.output<typeof companyControlsSchema>;

const localYearMonth = (at: Date, tz: string): { year: number; month: number } => {
  const parts = yearMonthFormat(tz).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month') };
};

/**
 * The period of a budget that contains an instant, as a key ("2026-11", "2026-Q4", "once"), in the company's time
 * zone; null when a one-off budget does not cover the instant.
 */
export const periodKey = (period: BudgetPeriod, at: Date, tz: string): string | null => {
  if (period.kind === 'one-off') {
    const t = at.getTime();
    return t >= Date.parse(period.start) && t < Date.parse(period.end) ? 'once' : null;
  }
  const { year, month } = localYearMonth(at, tz);
  return period.kind === 'month' ? `${year}-${String(month).padStart(2, '0')}` : `${year}-Q${Math.ceil(month / 3)}`;
};

export const budgetLineId = (budgetId: string, key: string): string => `${budgetId}#${key}`;
