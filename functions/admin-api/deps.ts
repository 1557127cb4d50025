import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoCompanyDocuments } from '../../shared/adapters/dynamodb/company-documents.ts';
import { makeDynamoEntityStore } from '../../shared/adapters/dynamodb/entities.ts';
import { keys, stripKeys } from '../../shared/adapters/dynamodb/keys.ts';
import { makeS3DocumentStore } from '../../shared/adapters/s3/document-store.ts';
import { bucketName, tableName } from '../../shared/runtime/env.ts';
import type { AdminApiDeps, StoredUser } from './routes.ts';

const addresses = (u: StoredUser) => (u.deletedAt ? [] : [u.email, ...u.otherAddresses]);

export const defaultDeps = (): AdminApiDeps => {
  const { ddb, s3 } = awsClients();
  const table = tableName('main');
  const bucket = bucketName('documents');
  const documents = makeS3DocumentStore(s3, bucket);
  const entities = makeDynamoEntityStore(ddb, table);
  const companyDocuments = makeDynamoCompanyDocuments(ddb, table);

  const toUser = (i: Record<string, unknown>): StoredUser => {
    const u = stripKeys<Partial<StoredUser> & { userId: string; email: string; displayName: string }>(i);
    return {
      userId: u.userId,
      email: u.email,
      displayName: u.displayName,
      roles: u.roles ?? [],
      managerId: u.managerId ?? null,
      teamIds: u.teamIds ?? [],
      entityId: u.entityId ?? null,
      otherAddresses: u.otherAddresses ?? [],
      iban: u.iban ?? null,
      active: u.active !== false,
      deletedAt: u.deletedAt ?? null,
      createdAt: u.createdAt ?? '',
    };
  };
  const userItem = (companyId: string, u: StoredUser) => ({
    ...keys.user(companyId, u.userId),
    entity: 'User',
    companyId,
    ...u,
  });
  return {
    now: () => new Date(),
    newId: () => randomUUID().replaceAll('-', '').slice(0, 16),
    files: {
      presignPut: (input) => documents.presignPut(input),
      presignGet: (key, fileName, ttl) => documents.presignGet({ bucket, key }, ttl, { attachmentName: fileName }),
    },
    store: {
      entities: (companyId) => entities.list(companyId),
      putEntity: (companyId, e) => entities.put(companyId, e),
      documents: (companyId) => companyDocuments.list(companyId),
      putDocument: (companyId, d) => companyDocuments.put(companyId, d),
      deleteDocument: (companyId, id) => companyDocuments.delete(companyId, id),
      async company(companyId) {
        const res = await ddb.send(new GetCommand({ TableName: table, Key: keys.company(companyId) }));
        return res.Item ? stripKeys<Record<string, unknown>>(res.Item) : null;
      },
      async putCompany(companyId, profile) {
        const current = (await ddb.send(new GetCommand({ TableName: table, Key: keys.company(companyId) }))).Item ?? {};
        await ddb.send(
          new PutCommand({
            TableName: table,
            Item: { ...current, ...keys.company(companyId), entity: 'Company', ...profile },
          }),
        );
      },
      async users(companyId) {
        const res = await ddb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :u)',
            ExpressionAttributeValues: { ':pk': `C#${companyId}`, ':u': 'USER#' },
          }),
        );
        return (res.Items ?? []).map(toUser);
      },
      async user(companyId, userId) {
        const res = await ddb.send(new GetCommand({ TableName: table, Key: keys.user(companyId, userId) }));
        return res.Item ? toUser(res.Item) : null;
      },
      async createUser(companyId, user) {
        try {
          await ddb.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: table,
                    Item: { ...keys.login(user.email), entity: 'Login', companyId, userId: user.userId },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                { Put: { TableName: table, Item: userItem(companyId, user) } },
                ...addresses(user).map((a) => ({
                  Put: {
                    TableName: table,
                    Item: { ...keys.userAddress(companyId, a), entity: 'UserAddress', userId: user.userId },
                  },
                })),
              ],
            }),
          );
          return true;
        } catch (error) {
          if ((error as Error).name === 'TransactionCanceledException') return false;
          throw error;
        }
      },
      async saveUser(companyId, before, after) {
        const removed = addresses(before).filter((a) => !addresses(after).includes(a));
        const added = addresses(after).filter((a) => !addresses(before).includes(a));
        await ddb.send(new PutCommand({ TableName: table, Item: userItem(companyId, after) }));
        for (const a of removed)
          await ddb.send(new DeleteCommand({ TableName: table, Key: keys.userAddress(companyId, a) }));
        for (const a of added) {
          await ddb.send(
            new PutCommand({
              TableName: table,
              Item: { ...keys.userAddress(companyId, a), entity: 'UserAddress', userId: after.userId },
            }),
          );
        }
        if (after.deletedAt && !before.deletedAt) {
          await ddb.send(new DeleteCommand({ TableName: table, Key: keys.login(before.email) }));
        }
      },
      async log(companyId, entry) {
        await ddb.send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: `C#${companyId}#ADMINLOG`,
              sk: `${entry.at}#${entry.target}#${entry.action}`,
              entity: 'AdminLog',
              ...entry,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      },
      async logs(companyId, limit) {
        const res = await ddb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `C#${companyId}#ADMINLOG` },
            ScanIndexForward: false,
            Limit: limit,
          }),
        );
        return (res.Items ?? []).map((i) => stripKeys<Record<string, unknown>>(i));
      },
    },
  };
};
