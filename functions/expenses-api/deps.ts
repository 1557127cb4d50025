import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { putDelegation } from '../../shared/adapters/dynamodb/expenses.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeS3DocumentStore } from '../../shared/adapters/s3/document-store.ts';
import { bucketName, tableName } from '../../shared/runtime/env.ts';
import { expenseWorkflowDeps } from '../expense-intake/deps.ts';
import type { ExpensesApiDeps } from './routes.ts';

export const defaultDeps = (): ExpensesApiDeps => {
  const { ddb, s3 } = awsClients();
  const table = tableName('main');
  const receipts = makeDynamoReceiptRepository(ddb, table);
  const documents = makeS3DocumentStore(s3, bucketName('documents'));
  return {
    ...expenseWorkflowDeps(),
    receipt: (companyId, id) => receipts.get(companyId, id),
    documentUrl: (r) =>
      documents.presignGet(
        r.document,
        900,
        /^text\//.test(r.document.contentType)
          ? { asPlainText: true, attachmentName: r.document.fileName ?? 'receipt.txt' }
          : {},
      ),
    putDelegation: async (companyId, d) => {
      await putDelegation(ddb, table, companyId, d);
    },
    userExists: async (companyId, userId) =>
      Boolean((await ddb.send(new GetCommand({ TableName: table, Key: keys.user(companyId, userId) }))).Item),
    async bankAccounts(companyId) {
      const [company, users] = await Promise.all([
        ddb.send(new GetCommand({ TableName: table, Key: keys.company(companyId) })),
        ddb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)',
            ExpressionAttributeValues: { ':pk': `C#${companyId}`, ':u': 'USER#' },
          }),
        ),
      ]);
      const c = company.Item;
      return {
        company: c?.iban && c.bic ? { name: String(c.legalName), iban: String(c.iban), bic: String(c.bic) } : null,
        employees: Object.fromEntries(
          (users.Items ?? [])
            .filter((u) => u.iban)
            .map((u) => [
              String(u.userId),
              { name: String(u.displayName), iban: String(u.iban), bic: (u.bic as string | undefined) ?? null },
            ]),
        ),
      };
    },
    paid: {
      async ids(companyId) {
        const res = await ddb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `C#${companyId}#REIMBURSED` },
          }),
        );
        return new Set((res.Items ?? []).map((i) => String(i.sk)));
      },
      async record(companyId, ids, fileId) {
        for (const id of ids) {
          await ddb.send(
            new PutCommand({
              TableName: table,
              Item: {
                pk: `C#${companyId}#REIMBURSED`,
                sk: id,
                entity: 'Reimbursed',
                fileId,
                at: new Date().toISOString(),
              },
            }),
          );
        }
      },
    },
  };
};
