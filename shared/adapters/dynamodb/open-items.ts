import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

/**
 * The open indexes online matching reads, so that it reads the few open items, not months of linked ones:
 * - open receipts (gsi3 on receipt items, `keys.openReceiptsByEmployee`): extracted, with an employee, not linked.
 *   The receipt repository sets the keys when a receipt becomes extracted; linking removes them; unlinking and a
 *   released slot call `reopenReceipt`.
 * - open charges (gsi4 on card transactions, `keys.openTransactionsByEmployee`): no receipt, not a retired
 *   authorization slot. The match store writes them with the charge, removes them when a receipt is linked or a
 *   slot retires, and puts them back when a link is undone.
 * The matcher still checks status and links on what it reads: an index entry is never trusted alone.
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

/** The open-charges index keys of a stored card transaction item, or null (linked, a retired slot, no index). */
const openTransactionKeys = (t: Record<string, unknown>): { gsi4pk: string; gsi4sk: string } | null =>
  !t.receiptId &&
  !t.capturedBy &&
  t.gsi1pk &&
  typeof t.companyId === 'string' &&
  typeof t.employeeId === 'string' &&
  typeof t.authorizedAt === 'string' &&
  typeof t.id === 'string'
    ? keys.openTransactionsByEmployee(t.companyId, t.employeeId, t.authorizedAt, t.id)
    : null;

/**
 * Runs `mark` on every item of the table that `filter` keeps, once per table: a marker item (`MIGRATIONS`,
 * `name`) records it. Returns how many items were marked (0 when it had run).
 */
const backfillOnce = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  name: string,
  scan: Pick<ScanCommandInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  mark: (item: Record<string, unknown>) => Promise<boolean>,
): Promise<number> => {
  const marker = { pk: 'MIGRATIONS', sk: name };
  if ((await ddb.send(new GetCommand({ TableName: table, Key: marker, ConsistentRead: true }))).Item) return 0;
  let marked = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ...scan, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (await mark(item)) marked++;
    start = page.LastEvaluatedKey;
  } while (start);
  await ddb.send(new PutCommand({ TableName: table, Item: { ...marker, at: new Date().toISOString(), marked } }));
  return marked;
};

/**
 * Gives the open receipts and card transactions stored before the open indexes their keys, once per table. The
 * local cloud runs it at start; in AWS run `npx tsx infra/migrate.ts <table>` once after deploying.
 * Returns how many items it marked (0 when both had run).
 */
export const backfillOpenItems = async (ddb: DynamoDBDocumentClient, table: string): Promise<number> => {
  const receipts = await backfillOnce(
    ddb,
    table,
    'open-receipts-index-v1',
    {
      FilterExpression: 'entity = :receipt AND #status = :extracted AND attribute_not_exists(#link)',
      ExpressionAttributeNames: { '#status': 'status', '#link': 'link' },
      ExpressionAttributeValues: { ':receipt': 'Receipt', ':extracted': 'EXTRACTED' },
    },
    async (item) => {
      if (!openReceiptKeys(item) || item.gsi3pk) return false;
      await markOpen(ddb, table, item);
      return true;
    },
  );
  const transactions = await backfillOnce(
    ddb,
    table,
    'open-transactions-index-v1',
    {
      FilterExpression:
        'entity = :tx AND attribute_exists(gsi1pk) AND attribute_not_exists(receiptId) AND attribute_not_exists(gsi4pk)',
      ExpressionAttributeValues: { ':tx': 'CardTransaction' },
    },
    async (item) => {
      const open = openTransactionKeys(item);
      if (!open) return false;
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET gsi4pk = :pk, gsi4sk = :sk',
            ConditionExpression:
              'attribute_exists(gsi1pk) AND attribute_not_exists(receiptId) AND attribute_not_exists(capturedBy)',
            ExpressionAttributeValues: { ':pk': open.gsi4pk, ':sk': open.gsi4sk },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  );
  return receipts + transactions;
};
