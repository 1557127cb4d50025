import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ReminderDirectory } from '../../domain/daily-reminders.ts';
import { formatMoney, money } from '../../domain/money.ts';
import { makeDynamoCompanyDocuments } from './company-documents.ts';
import { keys } from './keys.ts';
import { queryMissingReceipts } from './missing-receipts.ts';
import { queryAll, queryPrefix } from './query-all.ts';

/** The daily reminders' reads: the company index, each company's profile, people, missing receipts, documents. */
export const makeDynamoReminderDirectory = (ddb: DynamoDBDocumentClient, table: string): ReminderDirectory => {
  const documents = makeDynamoCompanyDocuments(ddb, table);
  return {
    async companies() {
      const items = await queryAll(ddb, {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'COMPANIES' },
      });
      return items.map((c) => String(c.sk));
    },
    async company(companyId) {
      const item = (await ddb.send(new GetCommand({ TableName: table, Key: keys.company(companyId) }))).Item;
      if (!item) return null;
      return {
        receiptsAddress: String(item.receiptsAddress ?? ''),
        reminders: (item.reminders as Record<string, number> | undefined) ?? {},
      };
    },
    async people(companyId) {
      return (await queryPrefix(ddb, table, `C#${companyId}`, 'USER#')).map((u) => ({
        userId: String(u.userId),
        email: String(u.email ?? ''),
        displayName: String(u.displayName ?? u.userId),
        active: u.active !== false,
        roles: (u.roles as string[] | undefined) ?? [],
        managerId: u.managerId ? String(u.managerId) : null,
      }));
    },
    async missingReceipts(companyId) {
      return (await queryMissingReceipts(ddb, table, companyId)).map((t) => ({
        transactionId: String(t.id),
        employeeId: String(t.employeeId),
        merchantName: String(t.merchantName ?? ''),
        amount: formatMoney(money(BigInt(String(t.amountMinor)), String(t.currency))),
        currency: String(t.currency),
        postedAt: String(t.postedAt),
      }));
    },
    documents: (companyId) => documents.list(companyId),
    saveDocument: (companyId, d) => documents.put(companyId, d),
  };
};
