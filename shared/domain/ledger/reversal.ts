/**
 * Posted entries never change. A correction is a reversal (the same lines with debit and credit swapped, linked to
 * the original by `reversalOf`) followed by a new entry (linked by `replaces`). Both are drafts: they are numbered
 * when posted, in the fiscal year of their own date. Their ids derive from the original's, so the store's
 * "create if absent" condition refuses a second reversal of the same entry.
 */
import { fiscalYearOf } from './chart.ts';
import {
  assertValidEntry,
  type DraftEntry,
  InvalidEntryError,
  isCalendarDate,
  type JournalEntry,
  type PostedEntry,
} from './model.ts';

export class PostedEntryImmutableError extends Error {
  override readonly name = 'PostedEntryImmutableError';
}

/** Refuses any change to a posted entry; returns the draft with the change applied otherwise. */
export const amendDraft = (
  entry: JournalEntry,
  patch: Partial<Pick<DraftEntry, 'date' | 'label' | 'lines' | 'piece' | 'fiscalYear'>>,
): DraftEntry => {
  if (entry.status === 'posted') {
    throw new PostedEntryImmutableError(`entry ${entry.ecritureNum} is posted: correct it with a reversal`);
  }
  const next: DraftEntry = { ...entry, ...patch };
  assertValidEntry(next);
  return next;
};

export interface ReversalOptions {
  /** Accounting date of the reversal (often the first day of the next period), YYYY-MM-DD. */
  date: string;
  reason: string;
  fiscalYearEnd?: { month: number; day: number };
}

export const reversalIdOf = (entryId: string): string => `je_reversal_${entryId}`;
export const correctionIdOf = (entryId: string): string => `je_correction_${entryId}`;

export const reverseEntry = (original: PostedEntry, opts: ReversalOptions): DraftEntry => {
  if (original.status !== 'posted') throw new InvalidEntryError('only a posted entry is reversed; edit a draft');
  if (!isCalendarDate(opts.date)) throw new InvalidEntryError(`invalid reversal date "${opts.date}"`);
  if (opts.date < original.date) throw new InvalidEntryError('a reversal cannot be dated before the entry it reverses');
  const reversal: DraftEntry = {
    id: reversalIdOf(original.id),
    companyId: original.companyId,
    entityId: original.entityId,
    journal: original.journal,
    journalLabel: original.journalLabel,
    fiscalYear: fiscalYearOf(opts.date, opts.fiscalYearEnd).id,
    date: opts.date,
    label: `Extourne ${original.ecritureNum} - ${opts.reason}`,
    lines: original.lines.map((l) => ({
      ...structuredClone(l),
      label: `Extourne ${original.ecritureNum} - ${l.label}`,
      debit: l.credit,
      credit: l.debit,
    })),
    piece: original.piece,
    currency: original.currency,
    rounding: original.rounding.map((r) => ({ ...r, amount: { ...r.amount, minor: -r.amount.minor } })),
    source: { kind: 'reversal', id: original.id },
    reversalOf: original.id,
    replaces: null,
    status: 'draft',
    number: null,
  };
  assertValidEntry(reversal);
  return reversal;
};

/**
 * Correcting a posted entry: its reversal plus the corrected entry (for example the same expense rebuilt with the
 * right category), re-identified so it does not collide with the original's id.
 */
export const correctEntry = (
  original: PostedEntry,
  corrected: DraftEntry,
  opts: ReversalOptions,
): { reversal: DraftEntry; replacement: DraftEntry } => {
  if (corrected.companyId !== original.companyId) throw new InvalidEntryError('a correction stays in its company');
  const reversal = reverseEntry(original, opts);
  const replacement: DraftEntry = {
    ...corrected,
    id: correctionIdOf(original.id),
    source: { kind: 'correction', id: original.id },
    replaces: original.id,
    reversalOf: null,
  };
  assertValidEntry(replacement);
  return { reversal, replacement };
};
