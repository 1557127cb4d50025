import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { entryFromJson, entryToJson, journalEntryJsonSchema } from '../../domain/ledger/entry-json.ts';
import type { JournalEntry, PostedEntry } from '../../domain/ledger/model.ts';
import { ledgerKeys, postingConflictOf, postingTransaction } from '../../domain/ledger/numbering.ts';
import type { JournalStore } from '../../ports/accounting.ts';

const read = (item: Record<string, unknown>): JournalEntry =>
  entryFromJson(journalEntryJsonSchema.parse(JSON.parse(String(item.json))));

/**
 * Journal entries in the company's ledger partition (`COMPANY#<co>`): drafts and posted entries (ENTRY#<id>), the
 * per-journal, per-fiscal-year counter and one slot per number (numbering.ts gives the transaction and its
 * conditions: a number is never skipped nor used twice, whatever runs concurrently).
 */
export const makeDynamoJournalStore = (ddb: DynamoDBDocumentClient, table: string) => {
  const store: JournalStore & { posted(companyId: string, from: string, to: string): Promise<PostedEntry[]> } = {
    async saveDraft(entry) {
      try {
        await ddb.send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: ledgerKeys.partition(entry.companyId),
              sk: ledgerKeys.entry(entry.id),
              entity: 'JournalEntry',
              status: entry.status,
              date: entry.date,
              json: JSON.stringify(entryToJson(entry)),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'created';
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return 'exists';
        throw error;
      }
    },
    async get(companyId, entryId) {
      const res = await ddb.send(
        new GetCommand({
          TableName: table,
          Key: { pk: ledgerKeys.partition(companyId), sk: ledgerKeys.entry(entryId) },
          ConsistentRead: true,
        }),
      );
      return res.Item ? read(res.Item) : null;
    },
    async lastNumber(key) {
      const res = await ddb.send(
        new GetCommand({
          TableName: table,
          Key: { pk: ledgerKeys.partition(key.companyId), sk: ledgerKeys.counter(key) },
          ConsistentRead: true,
        }),
      );
      return Number(res.Item?.lastNumber ?? 0);
    },
    async commitPosting(write) {
      const tx = postingTransaction(write, table);
      const [counter, slot, draft] = tx.TransactItems;
      // The draft becomes the posted entry, its serialized form updated in the same transaction.
      const posted = {
        Update: {
          ...draft.Update,
          UpdateExpression: `${draft.Update.UpdateExpression}, json = :json`,
          ExpressionAttributeValues: {
            ...draft.Update.ExpressionAttributeValues,
            ':json': JSON.stringify(entryToJson(write.entry)),
          },
        },
      };
      try {
        await ddb.send(new TransactWriteCommand({ TransactItems: [counter, slot, posted] as never }));
        return 'committed';
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if ((error as Error).name === 'TransactionCanceledException' && reasons) {
          return postingConflictOf(reasons.map((r) => r.Code));
        }
        throw error;
      }
    },
    /** Posted entries dated in [from, to] (YYYY-MM-DD), for the FEC and the journal exports. */
    async posted(companyId, from, to) {
      const out: PostedEntry[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
            FilterExpression: '#status = :posted AND #date BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#status': 'status', '#date': 'date' },
            ExpressionAttributeValues: {
              ':pk': ledgerKeys.partition(companyId),
              ':e': 'ENTRY#',
              ':posted': 'posted',
              ':from': from,
              ':to': to,
            },
            ExclusiveStartKey: start,
          }),
        );
        for (const i of res.Items ?? []) out.push(read(i) as PostedEntry);
        start = res.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
  return store;
};
