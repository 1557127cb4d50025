import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type LostReceiptDeclaration, refundedInFull } from '../../ports/match-store.ts';
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

/** What a backfill pages through: the table, or a (sparse) index of it (`IndexName`), and the filter it keeps. */
type BackfillScan = Pick<
  ScanCommandInput,
  'IndexName' | 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/**
 * Runs `mark` on every item that each scan keeps (the table, or an index of it), once per table: a marker item
 * (`MIGRATIONS`, `name`) records it. Returns how many items were marked (0 when it had run).
 */
const backfillOnce = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  name: string,
  scans: BackfillScan | readonly BackfillScan[],
  mark: (item: Record<string, unknown>) => Promise<boolean>,
): Promise<number> => {
  const marker = { pk: 'MIGRATIONS', sk: name };
  if ((await ddb.send(new GetCommand({ TableName: table, Key: marker, ConsistentRead: true }))).Item) return 0;
  let marked = 0;
  for (const scan of ([] as readonly BackfillScan[]).concat(scans)) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await ddb.send(new ScanCommand({ TableName: table, ...scan, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) if (await mark(item)) marked++;
      start = page.LastEvaluatedKey;
    } while (start);
  }
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

/** The key of an old missing-receipt marker item: `C#<co>#EMP#<emp>#MISSING` (its sort key `<postedAt>#<id>`). */
const OLD_MARKER_PK = /^C#(.+?)#EMP#(.+)#MISSING$/;

/**
 * Puts a card transaction in its employee's missing-receipt index (gsi3) with gsi2's sort key, if it is still in the
 * company's (gsi2 = `C#<co>#MISSING`): the invariant the match store keeps (gsi3 set exactly when gsi2 is). false
 * when it is not missing any more (linked, lost receipt accepted) or does not exist.
 */
const indexMissing = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  companyId: string,
  employeeId: string,
  transactionId: string,
): Promise<boolean> => {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        // The match store's transaction key (match-store.ts txKey).
        Key: { pk: `C#${companyId}#CARDTX#${transactionId}`, sk: 'TX' },
        UpdateExpression: 'SET gsi3pk = :mpk, gsi3sk = gsi2sk',
        ConditionExpression: 'gsi2pk = :gpk AND employeeId = :emp',
        ExpressionAttributeValues: {
          ':mpk': keys.missingReceiptsByEmployee(companyId, employeeId, '', '').gsi3pk,
          ':gpk': `C#${companyId}#MISSING`,
          ':emp': employeeId,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/**
 * Replaces the missing-receipt marker items (`C#<co>#EMP#<emp>#MISSING` / `<postedAt>#<id>`, entity
 * `MissingReceipt`: written next to each charge waiting for its receipt, read by the card lock) by the employee's
 * missing-receipt index on the charge itself (gsi3, `keys.missingReceiptsByEmployee`), once per table: a marker's
 * charge gets the index keys if it is still missing its receipt (gsi2), then the marker is deleted; a charge in gsi2
 * without the gsi3 keys (no marker) gets them too. Every write is conditional or idempotent: safe to run again,
 * and while the match store writes. The local cloud runs it at start; in AWS `npx tsx infra/migrate.ts <table>`.
 * Returns how many items it changed (0 when it had run).
 */
export const backfillMissingReceiptsIndex = async (ddb: DynamoDBDocumentClient, table: string): Promise<number> =>
  backfillOnce(
    ddb,
    table,
    'missing-receipts-index-v1',
    {
      FilterExpression:
        'entity = :marker OR (entity = :tx AND attribute_exists(gsi2pk) AND attribute_not_exists(gsi3pk))',
      ExpressionAttributeValues: { ':marker': 'MissingReceipt', ':tx': 'CardTransaction' },
    },
    async (item) => {
      if (item.entity === 'CardTransaction') {
        return typeof item.companyId === 'string' && typeof item.employeeId === 'string' && typeof item.id === 'string'
          ? indexMissing(ddb, table, item.companyId, item.employeeId, item.id)
          : false;
      }
      const owner = OLD_MARKER_PK.exec(String(item.pk));
      if (!owner?.[1] || !owner[2] || typeof item.transactionId !== 'string') return false;
      await indexMissing(ddb, table, owner[1], owner[2], item.transactionId);
      await ddb.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
      return true;
    },
  );

/**
 * Takes authorization receipt slots (`pending`, live or retired) out of the missing-receipt lists (gsi2, gsi3),
 * once per table. A slot never waits for a receipt (its capture does), but unlinking a receipt from a live slot put
 * the missing keys on it, and retiring it did not remove them: such a slot stayed in finance's missing-receipt list,
 * its reminders and the card lock next to its capture. The match store no longer writes them; this removes those
 * already written. Conditional on the item being a slot: safe to run again, and while the match store writes. The
 * local cloud runs it at start; in AWS `npx tsx infra/migrate.ts <table>`. Returns how many slots it changed.
 */
export const backfillSlotsOutOfMissing = async (ddb: DynamoDBDocumentClient, table: string): Promise<number> =>
  backfillOnce(
    ddb,
    table,
    'slots-out-of-missing-v1',
    {
      FilterExpression: 'entity = :tx AND pending = :true AND (attribute_exists(gsi2pk) OR attribute_exists(gsi3pk))',
      ExpressionAttributeValues: { ':tx': 'CardTransaction', ':true': true },
    },
    async (item) => {
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'REMOVE gsi2pk, gsi2sk, gsi3pk, gsi3sk',
            ConditionExpression: 'pending = :true',
            ExpressionAttributeValues: { ':true': true },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  );

/** Who the data fix names as having withdrawn a declaration (`decidedBy`): automation, as the live refund link. */
export const REFUNDED_IN_FULL_FIX_BY = 'auto';

/** A stored minor amount (a decimal string), or null when it is none. */
const minorOf = (v: unknown): bigint | null => {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') return null;
  try {
    return BigInt(v);
  } catch {
    return null;
  }
};

/**
 * Brings one stored card transaction refunded in full (`refundedInFull`: its refunded amount reaches its amount) to
 * what the refund completing it writes today: out of the missing-receipt lists (gsi2, gsi3) and, when a lost-receipt
 * declaration is pending on it, that declaration withdrawn (WITHDRAWN, `decidedBy` `REFUNDED_IN_FULL_FIX_BY`,
 * `decidedAt` `at`, reason "refunded in full by <the last refund linked>", the one that completed it: refunds only
 * add up); an accepted, refused or withdrawn one is left as it is. Anything else (a partial refund, no refund, not a
 * card transaction, nothing to change) is left alone. The write is conditioned on what was read: the amount and the
 * refunded amount, and the declaration (the one pending, by its `at`; or none pending). A change meanwhile (a link
 * withdrawing the declaration, a decision, a new declaration, a refund) fails it; the item is then read again
 * (consistently) and decided again, a few times at most. true when it changed the item.
 */
export const fixRefundedInFull = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  read: Record<string, unknown>,
  at: string,
): Promise<boolean> => {
  let item: Record<string, unknown> | undefined = read;
  for (let attempt = 1; attempt <= 3 && item; attempt++) {
    if (item.entity !== 'CardTransaction') return false;
    const amount = minorOf(item.amountMinor);
    const refunded = minorOf(item.refundedMinor);
    if (amount === null || refunded === null || !refundedInFull(amount, refunded)) return false;
    const keyed = ['gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].some((k) => item?.[k] !== undefined);
    const declared = item.lostReceipt as LostReceiptDeclaration | undefined;
    const pending = declared?.status === 'PENDING' ? declared : undefined;
    if (!keyed && !pending) return false;
    const refundIds = Array.isArray(item.refundIds) ? item.refundIds.map(String) : [];
    const withdrawn: LostReceiptDeclaration | undefined = pending && {
      ...pending,
      status: 'WITHDRAWN',
      decidedBy: REFUNDED_IN_FULL_FIX_BY,
      decidedAt: at,
      reason: refundIds.length > 0 ? `refunded in full by ${refundIds[refundIds.length - 1]}` : 'refunded in full',
    };
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `${withdrawn ? 'SET lostReceipt = :lost ' : ''}REMOVE gsi2pk, gsi2sk, gsi3pk, gsi3sk`,
          ConditionExpression: [
            'entity = :tx AND amountMinor = :amount AND refundedMinor = :refunded',
            withdrawn
              ? 'lostReceipt.#s = :pending AND lostReceipt.#at = :declaredAt'
              : '(attribute_not_exists(lostReceipt) OR lostReceipt.#s <> :pending)',
          ].join(' AND '),
          ExpressionAttributeNames: { '#s': 'status', ...(withdrawn ? { '#at': 'at' } : {}) },
          ExpressionAttributeValues: {
            ':tx': 'CardTransaction',
            ':amount': item.amountMinor,
            ':refunded': item.refundedMinor,
            ':pending': 'PENDING',
            ...(withdrawn ? { ':lost': withdrawn, ':declaredAt': withdrawn.at } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    item = (
      await ddb.send(new GetCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }))
    ).Item;
  }
  return false;
};

/**
 * Brings purchases refunded in full before the match store wrote them that way to what it writes today, once per
 * table (`fixRefundedInFull` on each): the refund completing a purchase now takes it out of the missing-receipt lists
 * (gsi2, gsi3) and withdraws a lost-receipt declaration pending on it, in its own write; those refunded in full
 * before kept the missing keys (finance's missing list, reminders, the `receipts-overdue` lock, until a receipt was
 * linked), and their pending declaration (which finance may no longer decide). Amounts are decimal strings, which a
 * filter cannot compare: every candidate is read and decided on its amounts. The candidates, from two sparse
 * indexes rather than the table:
 * - gsi3: card transactions carrying the missing keys (set and removed with gsi2's, every one since
 *   `missing-receipts-index-v1`, which runs first) with a refund linked; its other items (open receipts) are
 *   filtered out.
 * - gsi4: open charges (no receipt, not a retired slot) with a refund linked and a declaration pending: those a
 *   refund completed after it removed the missing keys but before it withdrew declarations. A purchase with its
 *   receipt linked has neither index; a declaration left pending on one (by a link made before links withdrew them)
 *   is not fixed here: finance may not decide it anyway (a receipt is linked).
 * Every write is conditioned on what was read: safe to run again, and while the match store writes. The local cloud
 * runs it at start; in AWS `npx tsx infra/migrate.ts <table>`. Returns how many purchases it changed.
 */
export const backfillRefundedInFull = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  now: () => Date = () => new Date(),
): Promise<number> =>
  backfillOnce(
    ddb,
    table,
    'refunded-in-full-v1',
    [
      {
        IndexName: 'gsi3',
        FilterExpression: 'entity = :tx AND attribute_exists(refundedMinor)',
        ExpressionAttributeValues: { ':tx': 'CardTransaction' },
      },
      {
        IndexName: 'gsi4',
        FilterExpression: 'entity = :tx AND attribute_exists(refundedMinor) AND lostReceipt.#s = :pending',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':tx': 'CardTransaction', ':pending': 'PENDING' },
      },
    ],
    (item) => fixRefundedInFull(ddb, table, item, now().toISOString()),
  );
