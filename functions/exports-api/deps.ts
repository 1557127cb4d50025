import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoJournalStore } from '../../shared/adapters/dynamodb/journal-store.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { queryMissingReceipts } from '../../shared/adapters/dynamodb/missing-receipts.ts';
import { makeDynamoReportAggregates } from '../../shared/adapters/dynamodb/report-aggregates.ts';
import { tableName } from '../../shared/runtime/env.ts';
import type { ExportsApiDeps } from './routes.ts';

export const defaultDeps = (): ExportsApiDeps => {
  const { ddb } = awsClients();
  const table = tableName('main');
  const journal = makeDynamoJournalStore(ddb, table);
  const aggregates = makeDynamoReportAggregates(ddb, table);
  const company = async (companyId: string) =>
    (await ddb.send(new GetCommand({ TableName: table, Key: keys.company(companyId) }))).Item;
  return {
    aggregates: (companyId, dimension, from, to) => aggregates.read(companyId, dimension, from, to),
    async missingReceipts(companyId) {
      const items = await queryMissingReceipts(ddb, table, companyId);
      return items.map((t) => ({
        employeeId: String(t.employeeId),
        postedAt: String(t.postedAt),
        amountMinor: BigInt(String(t.amountMinor)),
        currency: String(t.currency),
      }));
    },
    currency: async (companyId) => String((await company(companyId))?.currency ?? 'EUR'),
    now: () => new Date(),
    postedEntries: (companyId, from, to) => journal.posted(companyId, from, to),
    directory: makeDynamoDirectory(ddb, table),
    siren: async (companyId) => ((await company(companyId))?.siren as string | undefined) ?? null,
  };
};
