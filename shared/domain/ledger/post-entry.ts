import type { JournalStore } from '../../ports/accounting.ts';
import type { DraftEntry, PostedEntry } from './model.ts';
import { numberingKeyOf, planPosting } from './numbering.ts';

export class NumberingContentionError extends Error {
  override readonly name = 'NumberingContentionError';
}

export interface PostDraftDeps {
  store: JournalStore;
  now: () => Date;
  /** Attempts against concurrent writers before giving up (the queue then redelivers). */
  maxAttempts?: number;
}

/**
 * Posts a draft with the next number of its journal and fiscal year.
 * 1. Read the counter (strongly consistent).
 * 2. Plan the posting with last + 1.
 * 3. Commit counter, numbered slot and draft → posted in one conditional transaction.
 * 4. Lost the race for the number: re-read and retry. Someone else posted this draft: return theirs.
 */
export const postDraft = async (deps: PostDraftDeps, draft: DraftEntry): Promise<PostedEntry> => {
  const key = numberingKeyOf(draft);
  const maxAttempts = deps.maxAttempts ?? 20;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const last = await deps.store.lastNumber(key);
    const write = planPosting(draft, last, deps.now().toISOString());
    const outcome = await deps.store.commitPosting(write);
    if (outcome === 'committed') return write.entry;
    if (outcome === 'already-posted') {
      const existing = await deps.store.get(draft.companyId, draft.id);
      if (existing?.status === 'posted') return existing;
      throw new Error(`entry ${draft.id} reported posted but is not`);
    }
  }
  throw new NumberingContentionError(`could not number ${draft.id} after ${maxAttempts} attempts`);
};
