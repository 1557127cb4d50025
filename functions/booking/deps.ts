import { createHash } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoEntityStore } from '../../shared/adapters/dynamodb/entities.ts';
import { makeDynamoExpenseRepository } from '../../shared/adapters/dynamodb/expenses.ts';
import { makeDynamoJournalStore } from '../../shared/adapters/dynamodb/journal-store.ts';
import { makeDynamoMatchStore } from '../../shared/adapters/dynamodb/match-store.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeDynamoReportAggregates } from '../../shared/adapters/dynamodb/report-aggregates.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { ledgerSettingsWith } from '../../shared/domain/entities.ts';
import { aggregateIncrements } from '../../shared/domain/ledger/aggregates.ts';
import { entryToJson } from '../../shared/domain/ledger/entry-json.ts';
import { EVENT_BUS_NAME, getEnv, queueUrl, tableName } from '../../shared/runtime/env.ts';
import type { BookingDeps } from './handler-core.ts';

export const defaultDeps = (): BookingDeps => {
  const { ddb, sqs, eventBridge } = awsClients();
  const table = tableName('main');
  const expenses = makeDynamoExpenseRepository(ddb, table);
  const accountingQueue = queueUrl('accounting');
  const aggregates = makeDynamoReportAggregates(ddb, table);
  const entities = makeDynamoEntityStore(ddb, table);
  return {
    journal: makeDynamoJournalStore(ddb, table),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    async enqueue(entry) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: accountingQueue,
          MessageGroupId: entry.companyId,
          MessageDeduplicationId: entry.id,
          MessageBody: JSON.stringify({ companyId: entry.companyId, entryId: entry.id, entry: entryToJson(entry) }),
        }),
      );
    },
    aggregate: (entry, tags) => aggregates.add(entry.companyId, entry.id, aggregateIncrements(entry, tags)),
    ledgerSettings: async (companyId, currency) => ledgerSettingsWith(currency, await entities.list(companyId)),
    now: () => new Date(),
    expense: (companyId, id) => expenses.get(companyId, id),
    receipts: makeDynamoReceiptRepository(ddb, table),
    directory: makeDynamoDirectory(ddb, table),
    matches: makeDynamoMatchStore(ddb, table),
    sha256: (text) => createHash('sha256').update(text).digest('hex'),
  };
};
