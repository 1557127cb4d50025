import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Receipt, ReceiptHistoryEntry } from '../../domain/receipts/receipt.ts';
import type { ReceiptRepository } from '../../ports/receipt-repository.ts';
import { decodeCursor, encodeCursor, InvalidCursorError, keys, stripKeys } from './keys.ts';

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error &&
    error.name === 'TransactionCanceledException' &&
    /ConditionalCheckFailed/.test(error.message));

export const makeDynamoReceiptRepository = (ddb: DynamoDBDocumentClient, table: string): ReceiptRepository => ({
  async create(receipt, history) {
    const item = {
      ...keys.receipt(receipt.companyId, receipt.id),
      ...keys.receiptsByCompany(receipt.companyId, receipt.receivedAt, receipt.id),
      ...(receipt.employeeId
        ? keys.receiptsByEmployee(receipt.companyId, receipt.employeeId, receipt.receivedAt, receipt.id)
        : {}),
      entity: 'Receipt',
      ...receipt,
    };
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: table,
                Item: {
                  ...keys.receiptHistory(receipt.companyId, receipt.id, history.at, history.status),
                  entity: 'ReceiptHistory',
                  ...history,
                },
              },
            },
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'exists';
      throw error;
    }
  },

  async get(companyId, receiptId) {
    const res = await ddb.send(new GetCommand({ TableName: table, Key: keys.receipt(companyId, receiptId) }));
    return res.Item ? stripKeys<Receipt>(res.Item) : null;
  },

  async history(companyId, receiptId) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': keys.receipt(companyId, receiptId).pk, ':h': 'HIST#' },
      }),
    );
    return (res.Items ?? []).map((i) => stripKeys<ReceiptHistoryEntry>(i));
  },

  async list(companyId, { limit, cursor, employeeId }) {
    const byEmployee = employeeId !== undefined;
    const [index, pkAttr, pkValue] = byEmployee
      ? (['gsi2', 'gsi2pk', `C#${companyId}#EMP#${employeeId}#RECEIPTS`] as const)
      : (['gsi1', 'gsi1pk', `C#${companyId}#RECEIPTS`] as const);
    const start = decodeCursor(cursor);
    // A cursor is only valid for the partition it was issued for: no walking into another company.
    if (start && start[pkAttr] !== pkValue) throw new InvalidCursorError('cursor does not belong to this listing');
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: index,
        KeyConditionExpression: `${pkAttr} = :pk`,
        ExpressionAttributeValues: { ':pk': pkValue },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    return {
      items: (res.Items ?? []).map((i) => stripKeys<Receipt>(i)),
      nextCursor: encodeCursor(res.LastEvaluatedKey),
    };
  },
});

export const putItem = (ddb: DynamoDBDocumentClient, table: string, item: Record<string, unknown>) =>
  ddb.send(new PutCommand({ TableName: table, Item: item }));
