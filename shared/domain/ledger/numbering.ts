/**
 * Continuous numbering per company, journal and fiscal year, without gaps (LPF art. A.47 A-1: "numéro sur une
 * séquence continue"), safe under concurrency.
 *
 * The contract is optimistic: read the counter's last number (strongly consistent), plan the posting with the next
 * number, and commit three writes in ONE transaction, each with a condition:
 *   1. the counter moves from `expectedLast` to `next` only if it still holds `expectedLast`;
 *   2. the numbered entry is created only if that number's slot is free;
 *   3. the draft becomes posted only if it is still a draft.
 * A number is therefore consumed exactly when an entry takes it: a failed or cancelled transaction consumes nothing
 * (no gap), two writers cannot commit the same `expectedLast` (no duplicate), and an entry posted twice keeps its
 * first number (condition 3). A writer that loses the race re-reads and tries again.
 *
 * `postingTransaction` gives the DynamoDB TransactWriteItems input (document-client values) the adapter sends;
 * `postingConflictOf` maps the CancellationReasons back to the outcome.
 */
import { assertValidEntry, type DraftEntry, ecritureNumOf, InvalidEntryError, type PostedEntry } from './model.ts';

export interface NumberingKey {
  companyId: string;
  journal: string;
  fiscalYear: string;
}

export const numberingKeyOf = (e: Pick<DraftEntry, 'companyId' | 'journal' | 'fiscalYear'>): NumberingKey => ({
  companyId: e.companyId,
  journal: e.journal,
  fiscalYear: e.fiscalYear,
});

export interface PostingWrite {
  key: NumberingKey;
  /** The counter's value read before planning (0 when the counter does not exist yet). */
  expectedLast: number;
  /** expectedLast + 1: the number the entry takes. */
  next: number;
  /** The entry as it will be stored, posted and numbered. */
  entry: PostedEntry;
}

export type PostingOutcome = 'committed' | 'number-conflict' | 'already-posted';

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

/** The draft, numbered and validated; deep-frozen so no code path can change it in memory afterwards. */
export const postEntry = (draft: DraftEntry, number: number, postedAt: string): PostedEntry => {
  if (draft.status !== 'draft') throw new InvalidEntryError(`entry ${draft.id} is already posted`);
  if (!Number.isSafeInteger(number) || number < 1) throw new InvalidEntryError(`invalid entry number ${number}`);
  if (Number.isNaN(Date.parse(postedAt))) throw new InvalidEntryError(`invalid posting instant "${postedAt}"`);
  assertValidEntry(draft);
  const posted: PostedEntry = {
    ...structuredClone(draft),
    status: 'posted',
    number,
    ecritureNum: ecritureNumOf(draft.journal, draft.fiscalYear, number),
    postedAt,
  };
  return deepFreeze(posted);
};

/** Plans the posting of a draft given the counter's last number: the one allocation rule, `next = last + 1`. */
export const planPosting = (draft: DraftEntry, lastNumber: number, postedAt: string): PostingWrite => {
  if (!Number.isSafeInteger(lastNumber) || lastNumber < 0) throw new InvalidEntryError(`invalid counter ${lastNumber}`);
  const next = lastNumber + 1;
  return { key: numberingKeyOf(draft), expectedLast: lastNumber, next, entry: postEntry(draft, next, postedAt) };
};

/** Single-table keys (every key starts with the company: tenant isolation is structural). */
export const ledgerKeys = {
  partition: (companyId: string) => `COMPANY#${companyId}`,
  counter: (k: NumberingKey) => `JOURNAL#${k.journal}#FY#${k.fiscalYear}#COUNTER`,
  numbered: (k: NumberingKey, n: number) => `JOURNAL#${k.journal}#FY#${k.fiscalYear}#N#${String(n).padStart(9, '0')}`,
  entry: (entryId: string) => `ENTRY#${entryId}`,
};

/**
 * The TransactWriteItems input for a posting (values in the document client's native form). The adapter adds the
 * entry's serialized attributes to the Put item and to the draft update; the conditions are the contract.
 */
export const postingTransaction = (write: PostingWrite, tableName: string) => {
  const pk = ledgerKeys.partition(write.key.companyId);
  return {
    TransactItems: [
      {
        Update: {
          TableName: tableName,
          Key: { pk, sk: ledgerKeys.counter(write.key) },
          UpdateExpression: 'SET lastNumber = :next',
          ConditionExpression: write.expectedLast === 0 ? 'attribute_not_exists(lastNumber)' : 'lastNumber = :expected',
          ExpressionAttributeValues:
            write.expectedLast === 0
              ? { ':next': write.next }
              : { ':next': write.next, ':expected': write.expectedLast },
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: {
            pk,
            sk: ledgerKeys.numbered(write.key, write.next),
            entryId: write.entry.id,
            ecritureNum: write.entry.ecritureNum,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: { pk, sk: ledgerKeys.entry(write.entry.id) },
          UpdateExpression:
            'SET #status = :posted, #number = :number, ecritureNum = :ecritureNum, postedAt = :postedAt',
          ConditionExpression: '#status = :draft',
          ExpressionAttributeNames: { '#status': 'status', '#number': 'number' },
          ExpressionAttributeValues: {
            ':posted': 'posted',
            ':draft': 'draft',
            ':number': write.next,
            ':ecritureNum': write.entry.ecritureNum,
            ':postedAt': write.entry.postedAt,
          },
        },
      },
    ],
  } as const;
};

/**
 * Maps TransactionCanceledException.CancellationReasons[].Code (in TransactItems order) to the outcome: the draft no
 * longer a draft means someone else posted it; otherwise a counter or slot conflict means "re-read and retry".
 */
export const postingConflictOf = (codes: readonly (string | null | undefined)[]): PostingOutcome => {
  if (codes[2] === 'ConditionalCheckFailed') return 'already-posted';
  if (codes[0] === 'ConditionalCheckFailed' || codes[1] === 'ConditionalCheckFailed') return 'number-conflict';
  throw new Error(`posting transaction cancelled for another reason: ${codes.join(',')}`);
};
