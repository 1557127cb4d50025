import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildExpenseEntry,
  type DraftEntry,
  InvalidEntryError,
  planPosting,
  postDraft,
  postEntry,
  postingConflictOf,
  postingTransaction,
} from '../../../shared/domain/ledger/index.ts';
import type { JournalStore } from '../../../shared/ports/accounting.ts';
import { hotelExpense, settings } from './helpers.ts';
import { MemoryJournalStore } from './memory-journal-store.ts';

const draftFor = (i: number, over: Parameters<typeof hotelExpense>[0] = {}): DraftEntry =>
  buildExpenseEntry(hotelExpense({ expenseId: `exp_${i}`, ...over }), settings).entry;

describe('numbering contract', () => {
  it('plans next = last + 1 with the ecriture number of the journal and fiscal year', () => {
    const w = planPosting(draftFor(1), 41, '2024-03-31T10:00:00.000Z');
    expect([w.expectedLast, w.next, w.entry.number, w.entry.ecritureNum]).toEqual([41, 42, 42, 'NDF-2024-000042']);
    expect(w.entry.status).toBe('posted');
    expect(() => planPosting(draftFor(1), -1, '2024-03-31T10:00:00.000Z')).toThrow(InvalidEntryError);
    expect(() => planPosting(w.entry as unknown as DraftEntry, 42, '2024-03-31T10:00:00.000Z')).toThrow(
      /already posted/,
    );
  });

  it('describes the DynamoDB transaction: conditional counter, free slot, draft still a draft', () => {
    const first = postingTransaction(planPosting(draftFor(1), 0, '2024-03-31T10:00:00.000Z'), 'ledger');
    const [counter, slot, draft] = first.TransactItems;
    expect(counter.Update.ConditionExpression).toBe('attribute_not_exists(lastNumber)');
    expect(counter.Update.Key).toEqual({ pk: 'COMPANY#co_demo', sk: 'JOURNAL#NDF#FY#2024#COUNTER' });
    expect(slot.Put.Item.sk).toBe('JOURNAL#NDF#FY#2024#N#000000001');
    expect(slot.Put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(draft.Update.ConditionExpression).toBe('#status = :draft');
    const later = postingTransaction(planPosting(draftFor(2), 7, '2024-03-31T10:00:00.000Z'), 'ledger');
    expect(later.TransactItems[0].Update.ConditionExpression).toBe('lastNumber = :expected');
    expect(later.TransactItems[0].Update.ExpressionAttributeValues).toEqual({ ':next': 8, ':expected': 7 });
    expect(postingConflictOf(['ConditionalCheckFailed', 'None', 'None'])).toBe('number-conflict');
    expect(postingConflictOf(['None', 'None', 'ConditionalCheckFailed'])).toBe('already-posted');
    expect(() => postingConflictOf(['ThrottlingError', null, null])).toThrow();
  });

  it('freezes a posted entry', () => {
    const posted = postEntry(draftFor(1), 1, '2024-03-31T10:00:00.000Z');
    expect(() => {
      (posted as { label: string }).label = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (posted.lines[0] as { account: string }).account = '999';
    }).toThrow(TypeError);
  });

  it('never leaves a gap nor a duplicate under concurrent posting with conflicts, failures and re-posts', async () => {
    let conflicts = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.constantFrom('card', 'out-of-pocket') as fc.Arbitrary<'card' | 'out-of-pocket'>, {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        async (s, kinds, repostIdx, injectedFailures) => {
          // Prepare: drafts in two journals (CB, NDF), some posted twice concurrently (a redelivered message).
          const store = new MemoryJournalStore();
          store.failures = injectedFailures;
          const drafts = kinds.map((kind, i) => draftFor(i, { kind }));
          for (const d of drafts) await store.saveDraft(d);
          // Every store call is a scheduling point: fast-check interleaves the workers in every order it likes.
          const scheduled: JournalStore = {
            saveDraft: s.scheduleFunction(store.saveDraft.bind(store)),
            get: s.scheduleFunction(store.get.bind(store)),
            lastNumber: s.scheduleFunction(store.lastNumber.bind(store)),
            commitPosting: s.scheduleFunction(store.commitPosting.bind(store)),
          };
          const worker = async (d: DraftEntry) => {
            for (;;) {
              try {
                return await postDraft(
                  { store: scheduled, now: () => new Date('2024-03-31T10:00:00Z'), maxAttempts: 100 },
                  d,
                );
              } catch (error) {
                if (!/injected/.test(String(error))) throw error;
              }
            }
          };
          const jobs = [...drafts, ...repostIdx.flatMap((i) => (drafts[i] ? [drafts[i]] : []))].map(worker);
          // Act
          await s.waitFor(Promise.all(jobs));
          const results = await Promise.all(jobs);
          // Assess: per journal, numbers are exactly 1..n; every draft got one number; re-posts got the same one.
          const posted = [...store.entries.values()];
          expect(posted.every((e) => e.status === 'posted')).toBe(true);
          for (const journal of ['CB', 'NDF']) {
            const numbers = posted
              .filter((e) => e.journal === journal)
              .map((e) => e.number ?? 0)
              .sort((a, b) => a - b);
            expect(numbers).toEqual(numbers.map((_, i) => i + 1));
          }
          for (const r of results) {
            expect(store.entries.get(`${r.companyId}/${r.id}`)).toEqual(r);
          }
          expect(store.commits).toBe(drafts.length);
          conflicts += store.conflicts;
        },
      ),
      { numRuns: 200 },
    );
    // The interleavings did make writers lose races (otherwise this test would prove nothing).
    expect(conflicts).toBeGreaterThan(50);
  });
});
