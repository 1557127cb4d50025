import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { MatchStore, OnlineReceipt, OnlineTransaction, Suggestion } from '../../ports/match-store.ts';
import { scorePair } from './score.ts';
import { defaultMatchOptions, type MatchOptions } from './types.ts';

export interface OnlineMatchDeps {
  store: MatchStore;
  events: EventPublisher;
  now: () => Date;
  options?: Partial<MatchOptions>;
}

const DAY = 86_400_000;
/** Where candidates are looked for around a receipt's date (hotel stays before, split shipments after). */
const BEFORE_DAYS = 31;
const AFTER_DAYS = 22;

const shift = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();

interface Ranked<T> {
  item: T;
  score: number;
  reasons: readonly string[];
}

const rank = <T>(pairs: { item: T; score: ReturnType<typeof scorePair> }[], min: number): Ranked<T>[] =>
  pairs
    .filter((p) => !p.score.rejected && p.score.score >= min)
    .map((p) => ({ item: p.item, score: p.score.score, reasons: p.score.reasons }))
    .sort((a, b) => b.score - a.score);

/** The best candidate if it clears the threshold with the margin over the runner-up. */
const autoPick = <T>(ranked: readonly Ranked<T>[], o: MatchOptions): Ranked<T> | null => {
  const [best, next] = ranked;
  if (!best || best.score < o.autoThreshold) return null;
  return !next || best.score - next.score >= o.autoMargin ? best : null;
};

const candidatesFor = async (deps: OnlineMatchDeps, receipt: OnlineReceipt): Promise<Ranked<OnlineTransaction>[]> => {
  const o = { ...defaultMatchOptions, ...deps.options };
  if (!receipt.employeeId) return [];
  const day = `${receipt.date}T12:00:00.000Z`;
  const txs = await deps.store.transactionsNear(
    receipt.companyId,
    receipt.employeeId,
    shift(day, -BEFORE_DAYS),
    shift(day, AFTER_DAYS),
  );
  return rank(
    txs
      .filter((t) => !receipt.refusedTransactionIds.includes(t.id))
      .map((t) => ({ item: t, score: scorePair(receipt, t, o) })),
    o.minSuggestionScore,
  );
};

const linked = async (deps: OnlineMatchDeps, receipt: OnlineReceipt, pick: Ranked<OnlineTransaction>) => {
  const at = deps.now().toISOString();
  const ok = await deps.store.link(receipt.companyId, receipt.id, {
    transactionId: pick.item.id,
    score: pick.score,
    reasons: pick.reasons,
    by: 'auto',
    at,
  });
  if (!ok) return false;
  await deps.events.publish([
    {
      name: 'ReceiptMatched',
      detail: {
        companyId: receipt.companyId,
        receiptId: receipt.id,
        transactionId: pick.item.id,
        employeeId: receipt.employeeId,
        score: pick.score,
        reasons: [...pick.reasons],
        by: 'auto',
        matchedAt: at,
      },
    },
  ]);
  return true;
};

const suggest = async (deps: OnlineMatchDeps, receipt: OnlineReceipt, ranked: readonly Ranked<OnlineTransaction>[]) => {
  const o = { ...defaultMatchOptions, ...deps.options };
  const suggestions: Suggestion[] = ranked
    .slice(0, o.suggestionsPerReceipt)
    .map((r) => ({ transactionId: r.item.id, score: r.score, reasons: r.reasons }));
  await deps.store.suggest(receipt.companyId, receipt.id, suggestions);
  if (suggestions.length === 0) return;
  await deps.events.publish([
    {
      name: 'MatchSuggested',
      detail: {
        companyId: receipt.companyId,
        receiptId: receipt.id,
        employeeId: receipt.employeeId,
        suggestions: suggestions.map((s) => ({ ...s, reasons: [...s.reasons] })),
        suggestedAt: deps.now().toISOString(),
      },
    },
  ]);
};

export type OnlineMatchResult = { linked: string } | { suggested: number } | { skipped: string };

/**
 * A receipt was read: look for its card transaction among the employee's spend around its date (an index query,
 * no scan), score each with reasons, auto-link the best when it clears the threshold with a margin, otherwise
 * record ranked suggestions. A pair a person refused is never proposed again.
 */
export const matchReceipt = async (
  deps: OnlineMatchDeps,
  input: { companyId: string; receiptId: string },
): Promise<OnlineMatchResult> => {
  const o = { ...defaultMatchOptions, ...deps.options };
  const receipt = await deps.store.receipt(input.companyId, input.receiptId);
  if (!receipt) return { skipped: 'receipt not found or not extracted' };
  if (receipt.link) return { skipped: 'already linked' };
  const ranked = await candidatesFor(deps, receipt);
  const pick = autoPick(ranked, o);
  if (pick && (await linked(deps, receipt, pick))) return { linked: pick.item.id };
  await suggest(deps, receipt, ranked);
  return { suggested: ranked.length };
};

/**
 * A card transaction was posted: record it (its receipt is now missing), then look for its receipt among the
 * employee's extracted receipts received around it. A receipt is linked only if this transaction is also that
 * receipt's own best choice, so the two arrival orders end in the same link.
 */
export const matchTransaction = async (deps: OnlineMatchDeps, tx: OnlineTransaction): Promise<OnlineMatchResult> => {
  const o = { ...defaultMatchOptions, ...deps.options };
  await deps.store.recordTransaction(tx);
  if (tx.amount.minor <= 0n) return { skipped: 'refunds are linked to their purchase, not to a receipt' };
  const receipts = await deps.store.receiptsNear(
    tx.companyId,
    tx.employeeId,
    shift(tx.authorizedAt, -AFTER_DAYS - 7),
    shift(tx.authorizedAt, BEFORE_DAYS + 60),
  );
  const ranked = rank(
    receipts
      .filter((r) => !r.refusedTransactionIds.includes(tx.id))
      .map((r) => ({ item: r, score: scorePair(r, tx, o) })),
    o.minSuggestionScore,
  );
  for (const candidate of ranked.slice(0, 3)) {
    const fromReceipt = await candidatesFor(deps, candidate.item);
    const pick = autoPick(fromReceipt, o);
    if (pick?.item.id === tx.id && (await linked(deps, candidate.item, pick))) return { linked: candidate.item.id };
    if (candidate === ranked[0]) await suggest(deps, candidate.item, fromReceipt);
  }
  return { suggested: ranked.length };
};
