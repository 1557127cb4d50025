/**
 * One-off data migrations for a deployed stack: `npx tsx infra/migrate.ts <main table name>` with the AWS
 * credentials of the account (the local cloud runs them by itself at start). Each is idempotent and records
 * that it ran in the table.
 * - open-receipts-index-v1 / open-transactions-index-v1: receipts and card transactions stored before the open
 *   indexes (gsi3 / gsi4) get their keys, so online matching sees them as candidates and rivals.
 * - missing-receipts-index-v1: card transactions still missing their receipt get the employee's missing-receipt
 *   index keys (gsi3), which the card lock reads, and the marker items it read before are deleted.
 * - slots-out-of-missing-v1: authorization receipt slots (pending, live or retired) that an unlink put in the
 *   missing-receipt lists (gsi2, gsi3) leave them, so they no longer show as missing, get reminders, or lock cards.
 * - refunded-in-full-v1: purchases refunded in full before the refund completing them did it leave the missing-receipt
 *   lists (gsi2, gsi3), and a lost-receipt declaration pending on them is withdrawn (WITHDRAWN by `auto`, reason
 *   "refunded in full by <refund id>"), as that refund does now. Runs after missing-receipts-index-v1.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  backfillMissingReceiptsIndex,
  backfillOpenItems,
  backfillRefundedInFull,
  backfillSlotsOutOfMissing,
} from '../shared/adapters/dynamodb/open-items.ts';

const table = process.argv[2];
if (!table) {
  process.stderr.write('usage: npx tsx infra/migrate.ts <main table name>\n');
  process.exit(2);
}
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const marked = await backfillOpenItems(doc, table);
process.stdout.write(`open indexes: ${marked} item(s) marked\n`);
const moved = await backfillMissingReceiptsIndex(doc, table);
process.stdout.write(`missing-receipt index: ${moved} item(s) changed\n`);
const slots = await backfillSlotsOutOfMissing(doc, table);
process.stdout.write(`authorization slots out of the missing-receipt lists: ${slots} item(s) changed\n`);
const refunded = await backfillRefundedInFull(doc, table);
process.stdout.write(`purchases refunded in full out of the missing-receipt lists: ${refunded} item(s) changed\n`);
