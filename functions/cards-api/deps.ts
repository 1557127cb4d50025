import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoBudgetStore, makeDynamoControlsRepository } from '../../shared/adapters/dynamodb/cards.ts';
import { stripKeys } from '../../shared/adapters/dynamodb/keys.ts';
import { tableName } from '../../shared/runtime/env.ts';
import type { CardsApiDeps } from './routes.ts';

export const defaultDeps = (): CardsApiDeps => {
  const { ddb } = awsClients();
  const table = tableName('main');
  return {
    controls: makeDynamoControlsRepository(ddb, table, 0),
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
    now: () => new Date(),
  };
};
