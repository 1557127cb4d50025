/**
 * The wire form of a journal entry (events, queue messages, the JSON journal export): amounts as decimal strings in
 * their currency, never numbers. `entryToJson` and `entryFromJson` round-trip exactly.
 */
import { z } from 'zod';
import { formatMoney, type Money, parseMoney } from '../money.ts';
import type { JournalEntry, JournalLine } from './model.ts';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/);
const currency = z.string().regex(/^[A-Z]{3}$/);
const isoDate = z.iso.date();
const moneyJson = z.object({ amount: decimal, currency });

export const journalLineJsonSchema = z.object({
  account: z.string().regex(/^\d{3}[0-9A-Za-z]*$/),
  accountLabel: z.string(),
  auxiliary: z.object({ number: z.string(), label: z.string() }).optional(),
  label: z.string(),
  debit: decimal,
  credit: decimal,
  original: moneyJson.optional(),
  vat: z.object({ rate: decimal, code: z.string() }).optional(),
  analytics: z.record(z.string(), z.string()).optional(),
  role: z.enum(['expense', 'vat', 'counterpart', 'settlement']),
});

export const journalEntryJsonSchema = z.object({
  id: z.string(),
  companyId: z.string(),
  entityId: z.string().nullable(),
  journal: z.string(),
  journalLabel: z.string(),
  fiscalYear: z.string(),
  date: isoDate,
  label: z.string(),
  currency,
  lines: z.array(journalLineJsonSchema).min(2),
  piece: z.object({
    ref: z.string(),
    kind: z.enum(['receipt', 'expense', 'card-transaction', 'card-statement', 'reimbursement', 'reversal']),
    date: isoDate,
    documentSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
  }),
  original: z.object({ amount: moneyJson, rate: decimal, rateSource: z.string() }).nullable(),
  rounding: z.array(z.object({ lineIndex: z.number().int().nonnegative(), amount: decimal, reason: z.string() })),
  source: z.object({
    kind: z.enum(['expense', 'expense-refund', 'card-settlement', 'reimbursement', 'reversal', 'correction', 'manual']),
    id: z.string(),
  }),
  reversalOf: z.string().nullable(),
  replaces: z.string().nullable(),
  status: z.enum(['draft', 'posted']),
  number: z.number().int().positive().nullable(),
  ecritureNum: z.string().nullable(),
  postedAt: z.iso.datetime().nullable(),
});
export type JournalEntryJson = z.infer<typeof journalEntryJsonSchema>;

const moneyToJson = (m: Money) => ({ amount: formatMoney(m), currency: m.currency });

export const entryToJson = (e: JournalEntry): JournalEntryJson => ({
  id: e.id,
  companyId: e.companyId,
  entityId: e.entityId,
  journal: e.journal,
  journalLabel: e.journalLabel,
  fiscalYear: e.fiscalYear,
  date: e.date,
  label: e.label,
  currency: e.currency.companyCurrency,
  lines: e.lines.map((l) => ({
    account: l.account,
    accountLabel: l.accountLabel,
    ...(l.auxiliary ? { auxiliary: { ...l.auxiliary } } : {}),
    label: l.label,
    debit: formatMoney(l.debit),
    credit: formatMoney(l.credit),
    ...(l.original ? { original: moneyToJson(l.original) } : {}),
    ...(l.vat ? { vat: { ...l.vat } } : {}),
    ...(l.analytics ? { analytics: { ...l.analytics } } : {}),
    role: l.role,
  })),
  piece: { ...e.piece },
  original: e.currency.original
    ? {
        amount: moneyToJson(e.currency.original.amount),
        rate: e.currency.original.rate,
        rateSource: e.currency.original.rateSource,
      }
    : null,
  rounding: e.rounding.map((r) => ({ lineIndex: r.lineIndex, amount: formatMoney(r.amount), reason: r.reason })),
  source: { ...e.source },
  reversalOf: e.reversalOf,
  replaces: e.replaces,
  status: e.status,
  number: e.number,
  ecritureNum: e.status === 'posted' ? e.ecritureNum : null,
  postedAt: e.status === 'posted' ? e.postedAt : null,
});

export const entryFromJson = (j: JournalEntryJson): JournalEntry => {
  const c = j.currency;
  const lines: JournalLine[] = j.lines.map((l) => ({
    account: l.account,
    accountLabel: l.accountLabel,
    ...(l.auxiliary ? { auxiliary: l.auxiliary } : {}),
    label: l.label,
    debit: parseMoney(l.debit, c),
    credit: parseMoney(l.credit, c),
    ...(l.original ? { original: parseMoney(l.original.amount, l.original.currency) } : {}),
    ...(l.vat ? { vat: l.vat } : {}),
    ...(l.analytics ? { analytics: l.analytics } : {}),
    role: l.role,
  }));
  const base = {
    id: j.id,
    companyId: j.companyId,
    entityId: j.entityId,
    journal: j.journal,
    journalLabel: j.journalLabel,
    fiscalYear: j.fiscalYear,
    date: j.date,
    label: j.label,
    lines,
    piece: j.piece,
    currency: {
      companyCurrency: c,
      original: j.original
        ? {
            amount: parseMoney(j.original.amount.amount, j.original.amount.currency),
            rate: j.original.rate,
            rateSource: j.original.rateSource,
          }
        : null,
    },
    rounding: j.rounding.map((r) => ({ lineIndex: r.lineIndex, amount: parseMoney(r.amount, c), reason: r.reason })),
    source: j.source,
    reversalOf: j.reversalOf,
    replaces: j.replaces,
  };
  if (j.status === 'posted') {
    if (j.number === null || j.ecritureNum === null || j.postedAt === null) {
      throw new Error(`posted entry ${j.id} without number, ecritureNum or postedAt`);
    }
    return { ...base, status: 'posted', number: j.number, ecritureNum: j.ecritureNum, postedAt: j.postedAt };
  }
  return { ...base, status: 'draft', number: null };
};
