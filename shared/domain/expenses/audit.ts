/**
 * The audit trail: one immutable entry per accepted command (who, when, before, after, what changed). Entries are
 * frozen and hash-chained (each carries the SHA-256 of the previous one), so an edited or removed entry shows.
 */
import { createHash } from 'node:crypto';
import { type Expense, type ExpenseStatus, expenseToJson } from './expense.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Actor {
  id: string;
  kind: 'user' | 'system';
  /** For a delegate: the approver they act for. */
  onBehalfOf?: string;
}

export interface AuditEntry {
  readonly companyId: string;
  readonly expenseId: string;
  /** The expense version this entry produced: unique and gap-free per expense. */
  readonly seq: number;
  readonly at: string;
  readonly actor: Readonly<Actor>;
  readonly action: string;
  readonly before: { readonly status: ExpenseStatus | null; readonly version: number | null };
  readonly after: { readonly status: ExpenseStatus; readonly version: number };
  /** Changed top-level fields, JSON form, before and after. */
  readonly changes: Readonly<Record<string, { readonly before: Json; readonly after: Json }>>;
  readonly note: string | null;
  readonly previousHash: string | null;
  readonly hash: string;
}

const IGNORED = new Set(['version', 'updatedAt', 'status']);

/** Key-sorted JSON, so the hash does not depend on property order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

export const diffExpenses = (before: Expense | null, after: Expense): AuditEntry['changes'] => {
  const a = before ? (JSON.parse(JSON.stringify(expenseToJson(before))) as Record<string, Json>) : {};
  const b = JSON.parse(JSON.stringify(expenseToJson(after))) as Record<string, Json>;
  const out: Record<string, { before: Json; after: Json }> = {};
  for (const key of Object.keys(b)) {
    if (IGNORED.has(key)) continue;
    const was = a[key] ?? null;
    const now = b[key] ?? null;
    if (canonicalJson(was) !== canonicalJson(now)) out[key] = { before: was, after: now };
  }
  return out;
};

export const hashAuditEntry = (entry: Omit<AuditEntry, 'hash'>): string =>
  createHash('sha256').update(canonicalJson(entry)).digest('hex');

/** A new frozen entry for the change from `before` (null at creation) to `after`. */
export const auditEntry = (input: {
  before: Expense | null;
  after: Expense;
  actor: Actor;
  action: string;
  at: string;
  note?: string | null;
  previousHash: string | null;
}): AuditEntry => {
  const { before, after } = input;
  const body: Omit<AuditEntry, 'hash'> = {
    companyId: after.companyId,
    expenseId: after.id,
    seq: after.version,
    at: input.at,
    actor: { ...input.actor },
    action: input.action,
    before: { status: before?.status ?? null, version: before?.version ?? null },
    after: { status: after.status, version: after.version },
    changes: diffExpenses(before, after),
    note: input.note ?? null,
    previousHash: input.previousHash,
  };
  return deepFreeze({ ...body, hash: hashAuditEntry(body) });
};

/** Checks an expense's whole trail: consecutive versions, each entry's hash, and the chain between them. */
export const verifyAuditChain = (
  entries: readonly AuditEntry[],
): { ok: true } | { ok: false; at: number; reason: string } => {
  for (const [i, e] of entries.entries()) {
    const { hash, ...body } = e;
    if (hashAuditEntry(body) !== hash) return { ok: false, at: i, reason: 'entry was altered' };
    const prev = entries[i - 1];
    if ((prev?.hash ?? null) !== e.previousHash) return { ok: false, at: i, reason: 'chain broken' };
    if (prev && e.seq !== prev.seq + 1) return { ok: false, at: i, reason: 'missing entry' };
  }
  return { ok: true };
};
