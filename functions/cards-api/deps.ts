import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { cardKeys, makeDynamoBudgetStore, makeDynamoControlsRepository } from '../../shared/adapters/dynamodb/cards.ts';
import { keys, stripKeys } from '../../shared/adapters/dynamodb/keys.ts';
import { makeDynamoMatchStore } from '../../shared/adapters/dynamodb/match-store.ts';
import { queryMissingReceipts } from '../../shared/adapters/dynamodb/missing-receipts.ts';
import { formatMoney, money } from '../../shared/domain/money.ts';
import { tableName } from '../../shared/runtime/env.ts';
import type { CardsApiDeps } from './routes.ts';

export const defaultDeps = (): CardsApiDeps => {
  const { ddb } = awsClients();
  const table = tableName('main');
  return {
    controls: makeDynamoControlsRepository(ddb, table, 0),
    matches: makeDynamoMatchStore(ddb, table),
    async assignCard({ companyId, processor, cardId, employeeId }) {
      // A card already routed to another company is not taken over.
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: { ...cardKeys.cardRoute(processor, cardId), companyId, employeeId },
          ConditionExpression: 'attribute_not_exists(pk) OR companyId = :c',
          ExpressionAttributeValues: { ':c': companyId },
        }),
      );
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `C#${companyId}`,
            sk: `CARD#${cardId}`,
            entity: 'Card',
            companyId,
            userId: employeeId,
            processor,
            cardId,
          },
        }),
      );
    },
    async userExists(companyId, userId) {
      return Boolean((await ddb.send(new GetCommand({ TableName: table, Key: keys.user(companyId, userId) }))).Item);
    },
    budgets: makeDynamoBudgetStore(ddb, table),
    async listDecisions(companyId, limit) {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `C#${companyId}#AUTHZ` },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map((i) => stripKeys<Record<string, unknown>>(i));
    },
    async listMissingReceipts(companyId, { limit, from, to }) {
      const items = await queryMissingReceipts(ddb, table, companyId, {
        limit,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      return items.map((i) => {
        const t = stripKeys<Record<string, unknown>>(i);
        return {
          id: t.id,
          employeeId: t.employeeId,
          merchantName: t.merchantName,
          mcc: t.mcc,
          amount: formatMoney(money(BigInt(String(t.amountMinor)), String(t.currency))),
          currency: t.currency,
          cardLast4: t.cardLast4,
          authorizedAt: t.authorizedAt,
          postedAt: t.postedAt,
          lostReceipt: t.lostReceipt ?? null,
        };
      });
    },
    now: () => new Date(),
  };
};
