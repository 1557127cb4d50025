import { TextractClient } from '@aws-sdk/client-textract';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { makeTextractExtractor } from '../../shared/adapters/textract/index.ts';
import { EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';
import type { TextractCompleteDeps } from './handler-core.ts';

export const defaultDeps = (): TextractCompleteDeps => {
  const { ddb, eventBridge } = awsClients();
  const table = tableName('main');
  return {
    textract: makeTextractExtractor({ client: new TextractClient({ maxAttempts: 1 }), concurrency: 2 }),
    receipts: makeDynamoReceiptRepository(ddb, table),
    directory: makeDynamoDirectory(ddb, table),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    now: () => new Date(),
  };
};
