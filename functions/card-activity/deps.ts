import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoReportAggregates } from '../../shared/adapters/dynamodb/report-aggregates.ts';
import { tableName } from '../../shared/runtime/env.ts';
import { defaultDeps as matchDeps } from '../match/deps.ts';
import type { CardActivityDeps } from './handler-core.ts';

export const defaultDeps = (): CardActivityDeps => {
  const { ddb } = awsClients();
  const aggregates = makeDynamoReportAggregates(ddb, tableName('main'));
  return { ...matchDeps(), addToReports: (companyId, sources) => aggregates.addMany(companyId, sources) };
};
