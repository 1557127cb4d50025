import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoJournalStore } from '../../shared/adapters/dynamodb/journal-store.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { tableName } from '../../shared/runtime/env.ts';
import type { ExportsApiDeps } from './routes.ts';

export const defaultDeps = (): ExportsApiDeps => {
  const { ddb } = awsClients();
  const table = tableName('main');
  const journal = makeDynamoJournalStore(ddb, table);
  return {
    postedEntries: (companyId, from, to) => journal.posted(companyId, from, to),
    directory: makeDynamoDirectory(ddb, table),
    async siren(companyId) {
      const res = await ddb.send(new GetCommand({ TableName: table, Key: keys.company(companyId) }));
      return (res.Item?.siren as string | undefined) ?? null;
    },
  };
};
