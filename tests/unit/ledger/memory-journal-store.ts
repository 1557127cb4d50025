import type {
  JournalEntry,
  JournalStore,
  NumberingKey,
  PostingOutcome,
  PostingWrite,
} from '../../../shared/ports/accounting.ts';

/**
 * A JournalStore with the transaction semantics of numbering.ts: `commitPosting` checks the three conditions and
 * applies all three writes, or none. `failNext` makes the next commits throw before applying anything (a network
 * error or a throttled transaction).
 */
export class MemoryJournalStore implements JournalStore {
  readonly entries = new Map<string, JournalEntry>();
  readonly counters = new Map<string, number>();
  /** number slot → entry id */
  readonly slots = new Map<string, string>();
  failures = 0;
  commits = 0;
  conflicts = 0;

  private counterKey = (k: NumberingKey) => `${k.companyId}/${k.journal}/${k.fiscalYear}`;

  async saveDraft(entry: JournalEntry): Promise<'created' | 'exists'> {
    const k = `${entry.companyId}/${entry.id}`;
    if (this.entries.has(k)) return 'exists';
    this.entries.set(k, structuredClone(entry));
    return 'created';
  }

  async get(companyId: string, entryId: string): Promise<JournalEntry | null> {
    return this.entries.get(`${companyId}/${entryId}`) ?? null;
  }

  async lastNumber(key: NumberingKey): Promise<number> {
    return this.counters.get(this.counterKey(key)) ?? 0;
  }

  async commitPosting(write: PostingWrite): Promise<PostingOutcome> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('transaction failed (injected)');
    }
    const ck = this.counterKey(write.key);
    const slot = `${ck}/${write.next}`;
    const draft = this.entries.get(`${write.entry.companyId}/${write.entry.id}`);
    // Conditions, checked together as DynamoDB does before applying any write.
    if (draft?.status !== 'draft') return 'already-posted';
    if ((this.counters.get(ck) ?? 0) !== write.expectedLast || this.slots.has(slot)) {
      this.conflicts++;
      return 'number-conflict';
    }
    this.counters.set(ck, write.next);
    this.slots.set(slot, write.entry.id);
    this.entries.set(`${write.entry.companyId}/${write.entry.id}`, write.entry);
    this.commits++;
    return 'committed';
  }
}
