import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

/**
 * The open-receipts index (gsi3 on receipt items, see `keys.openReceiptsByEmployee`): a receipt carries its keys
 * while it is extracted, has an employee and is not linked. Writes that link a receipt remove them; writes that
 * unlink one call `reopenReceipt`; the receipt repository sets them when a receipt becomes extracted. The matcher
 * still checks status and link on what it reads, so a late index entry is never trusted.
 */

interface ReceiptFields {
  companyId?: unknown;
  id?: unknown;
  employeeId?: unknown;
  receivedAt?: unknown;
  status?: unknown;
  link?: unknown;
}

/** The open-index keys of a receipt (item or domain object), or null when it is not open. */
export const openReceiptKeys = (r: ReceiptFields): { gsi3pk: string; gsi3sk: string } | null =>
  r.status === 'EXTRACTED' &&
  !r.link &&
  typeof r.employeeId === 'string' &&
  r.employeeId !== '' &&
  typeof r.receivedAt === 'string' &&
  typeof r.companyId === 'string' &&
  typeof r.id === 'string'
    ? keys.openReceiptsByEmployee(r.companyId, r.employeeId, r.receivedAt, r.id)
    : null;

/** Sets the open-index keys of this stored receipt, unless it was linked or changed status meanwhile. */
export const markOpen = async (ddb: DynamoDBDocumentClient, table: string, r: ReceiptFields): Promise<void> => {
  const open = openReceiptKeys(r);
  if (!open) return;
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.receipt(String(r.companyId), String(r.id)),
        UpdateExpression: 'SET gsi3pk = :pk, gsi3sk = :sk',
        ConditionExpression: '#status = :extracted AND attribute_not_exists(#link)',
        ExpressionAttributeNames: { '#status': 'status', '#link': 'link' },
        ExpressionAttributeValues: { ':pk': open.gsi3pk, ':sk': open.gsi3sk, ':extracted': 'EXTRACTED' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/** After a link was removed: the receipt is open again (read, then `markOpen`). */
export const reopenReceipt = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  companyId: string,
  receiptId: string,
): Promise<void> => {
  const item = (
    await ddb.send(new GetCommand({ TableName: table, Key: keys.receipt(companyId, receiptId), ConsistentRead: true }))
  ).Item;
  if (item) await markOpen(ddb, table, item);
};

const MIGRATION = { pk: 'MIGRATIONS', sk: 'open-receipts-index-v1' };

/**
 * Gives every open receipt stored before the index existed its keys, once per table (a marker item records it).
 * The local cloud runs it at start; in AWS run `npx tsx infra/migrate.ts <table>` once after deploying.
 * Returns how many receipts it marked (0 when the marker says it ran).
 */
export const backfillOpenReceipts = async (ddb: DynamoDBDocumentClient, table: string): Promise<number> => {
  const done = await ddb.send(new GetCommand({ TableName: table, Key: MIGRATION, ConsistentRead: true }));
  if (done.Item) return 0;
  let marked = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'entity = :receipt AND #status = :extracted AND attribute_not_exists(#link)',
        ExpressionAttributeNames: { '#status': 'status', '#link': 'link' },
        ExpressionAttributeValues: { ':receipt': 'Receipt', ':extracted': 'EXTRACTED' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (openReceiptKeys(item) && !item.gsi3pk) {
        await markOpen(ddb, table, item);
        marked++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  await ddb.send(new PutCommand({ TableName: table, Item: { ...MIGRATION, at: new Date().toISOString(), marked } }));
  return marked;
};
