/**
 * Ports of the ledger: where journal entries are stored and numbered, and where they are pushed (the company's
 * accounting system). Adapters: DynamoDB for the store; FEC/CSV/JSON files and an HTTP "manual journal" API for
 * connectors. The pure formatters live in shared/domain/ledger (fec-export.ts, journal-export.ts).
 */
import type { JournalEntry, PostedEntry } from '../domain/ledger/model.ts';
import type { NumberingKey, PostingOutcome, PostingWrite } from '../domain/ledger/numbering.ts';

export type { JournalEntry, PostedEntry } from '../domain/ledger/model.ts';
export type { NumberingKey, PostingOutcome, PostingWrite } from '../domain/ledger/numbering.ts';

/**
 * The journal store. `commitPosting` must be atomic with the three conditions of numbering.ts
 * (`postingTransaction` gives the DynamoDB TransactWriteItems shape).
 */
export interface JournalStore {
  /** Creates the draft if its id is new; an existing id (same source built twice) is left as it is. */
  saveDraft(entry: JournalEntry): Promise<'created' | 'exists'>;
  get(companyId: string, entryId: string): Promise<JournalEntry | null>;
  /** Last number used in the journal and fiscal year (0 when none); a strongly consistent read. */
  lastNumber(key: NumberingKey): Promise<number>;
  commitPosting(write: PostingWrite): Promise<PostingOutcome>;
}

/** What a connector says about one push. */
export type PostResult =
  | { status: 'posted'; externalId: string }
  /** Outage, throttling, timeout, 5xx: the same push may succeed later. */
  | { status: 'retryable'; reason: string; retryAfterMs?: number }
  /** Refused for good (validation error, closed period, unknown account): retrying will not help. */
  | { status: 'permanent'; reason: string };

/**
 * An accounting connector. `post` must be idempotent on `idempotencyKey`: the same key posted twice creates one
 * journal in the target system and returns the same external id (the HTTP connector sends it as the
 * `Idempotency-Key` header; file connectors key files by entry id). A connector returns results; it throws only
 * for programming errors, which the consumer treats as retryable.
 */
export interface AccountingConnector {
  readonly name: string;
  post(entry: PostedEntry, idempotencyKey: string): Promise<PostResult>;
}
