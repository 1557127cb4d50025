import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Receipt, ReceiptHistoryEntry } from '../../domain/receipts/receipt.ts';
import { ConcurrentUpdateError, type ReceiptRepository } from '../../ports/receipt-repository.ts';
import { decodeCursor, encodeCursor, InvalidCursorError, keys, stripKeys } from './keys.ts';
import { markOpen, openReceiptKeys } from './open-items.ts';

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error &&
    error.name === 'TransactionCanceledException' &&
    /ConditionalCheckFailed/.test(error.message));

export const makeDynamoReceiptRepository = (ddb: DynamoDBDocumentClient, table: string): ReceiptRepository => {
  const repo: ReceiptRepository = {
    async create(receipt, history) {
      const item = {
        ...keys.receipt(receipt.companyId, receipt.id),
        ...keys.receiptsByCompany(receipt.companyId, receipt.receivedAt, receipt.id),
        ...(receipt.employeeId
          ? keys.receiptsByEmployee(receipt.companyId, receipt.employeeId, receipt.receivedAt, receipt.id)
          : {}),
        entity: 'Receipt',
        ...receipt,
        ...openReceiptKeys(receipt),
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

    async list(companyId, { limit, cursor, employeeId, status, unmatched }) {
      const byEmployee = employeeId !== undefined;
      const [index, pkAttr, pkValue] = byEmployee
        ? (['gsi2', 'gsi2pk', `C#${companyId}#EMP#${employeeId}#RECEIPTS`] as const)
        : (['gsi1', 'gsi1pk', `C#${companyId}#RECEIPTS`] as const);
      let start = decodeCursor(cursor);
      // A cursor is only valid for the partition it was issued for: no walking into another company.
      if (start && start[pkAttr] !== pkValue) throw new InvalidCursorError('cursor does not belong to this listing');
      // With a filter, read ahead (bounded) until the page is full; a page may come back short with a cursor.
      // Unmatched: extracted (or the status asked) and linked to no card spend.
      const wanted = status ?? (unmatched ? 'EXTRACTED' : undefined);
      const parts = [...(wanted ? ['#status = :status'] : []), ...(unmatched ? ['attribute_not_exists(#link)'] : [])];
      const filter = parts.join(' AND ');
      const names = { ...(wanted ? { '#status': 'status' } : {}), ...(unmatched ? { '#link': 'link' } : {}) };
      const values = wanted ? { ':status': wanted } : {};
      const items: Receipt[] = [];
      let read = 0;
      for (;;) {
        const res = await ddb.send(
          new QueryCommand({
            TableName: table,
            IndexName: index,
            KeyConditionExpression: `${pkAttr} = :pk`,
            ...(filter ? { FilterExpression: filter, ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: { ':pk': pkValue, ...values },
            ScanIndexForward: false,
            Limit: filter ? 1_000 - read : limit - items.length,
            ExclusiveStartKey: start,
          }),
        );
        read += res.ScannedCount ?? 0;
        const page = res.Items ?? [];
        for (const [n, i] of page.entries()) {
          items.push(stripKeys<Receipt>(i));
          if (items.length === limit && n < page.length - 1) {
            // Full inside this page: the next page starts right after this item.
            const cursorKey = { pk: i.pk, sk: i.sk, [pkAttr]: i[pkAttr], [`${index}sk`]: i[`${index}sk`] };
            return { items, nextCursor: encodeCursor(cursorKey) };
          }
        }
        start = res.LastEvaluatedKey;
        if (!start || items.length === limit || read >= 1_000) {
          return { items, nextCursor: encodeCursor(start) };
        }
      }
    },

    async transition(companyId, receiptId, { from, to, patch, history }) {
      const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
      const values: Record<string, unknown> = { ':from': from, ':to': to, ':updatedAt': history.at };
      const sets = ['#status = :to', '#updatedAt = :updatedAt'];
      // Leaving EXTRACTED leaves the open-receipts index; entering it is done below, once the receipt is read back.
      const removes: string[] = from === 'EXTRACTED' && to !== 'EXTRACTED' ? ['gsi3pk', 'gsi3sk'] : [];
      Object.entries(patch).forEach(([field, value], i) => {
        if (KEYLESS.has(field) || field === 'updatedAt') return;
        names[`#f${i}`] = field;
        if (value === undefined) removes.push(`#f${i}`);
        else {
          values[`:v${i}`] = value;
          sets.push(`#f${i} = :v${i}`);
        }
      });
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: keys.receipt(companyId, receiptId),
                  ConditionExpression: '#status = :from',
                  UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                },
              },
              {
                Put: {
                  TableName: table,
                  Item: {
                    ...keys.receiptHistory(companyId, receiptId, history.at, to),
                    entity: 'ReceiptHistory',
                    ...history,
                  },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) {
          throw new ConcurrentUpdateError(`receipt ${receiptId} is no longer ${from}`);
        }
        throw error;
      }
      const updated = await repo.get(companyId, receiptId);
      if (!updated) throw new ConcurrentUpdateError(`receipt ${receiptId} disappeared`);
      if (to === 'EXTRACTED') await markOpen(ddb, table, updated);
      return updated;
    },

    async claim(companyId, scope, key, receiptId) {
      const Key = { pk: `C#${companyId}#CLAIM#${scope}#${key}`, sk: 'CLAIM' };
      try {
        await ddb.send(
          new PutCommand({
            TableName: table,
            Item: { ...Key, entity: 'Claim', receiptId },
            ConditionExpression: 'attribute_not_exists(pk) OR receiptId = :rid',
            ExpressionAttributeValues: { ':rid': receiptId },
          }),
        );
        return null;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const owner = await ddb.send(new GetCommand({ TableName: table, Key }));
        return String(owner.Item?.receiptId ?? '');
      }
    },
  };
  return repo;
};

const KEYLESS = new Set(['companyId', 'id', 'status']);

export const putItem = (ddb: DynamoDBDocumentClient, table: string, item: Record<string, unknown>) =>
  ddb.send(new PutCommand({ TableName: table, Item: item }));
