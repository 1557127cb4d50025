import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoMatchStore } from '../../shared/adapters/dynamodb/match-store.ts';
import { makeDynamoQuarantineRepository } from '../../shared/adapters/dynamodb/quarantine-repository.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { makeS3DocumentStore } from '../../shared/adapters/s3/document-store.ts';
import { bucketName, EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';
import type { ReceiptsApiDeps } from './routes.ts';

export const defaultDeps = (): ReceiptsApiDeps => {
  const { ddb, s3, eventBridge } = awsClients();
  const table = tableName('main');
  return {
    receipts: makeDynamoReceiptRepository(ddb, table),
    matches: makeDynamoMatchStore(ddb, table),
    documents: makeS3DocumentStore(s3, bucketName('documents')),
    quarantine: makeDynamoQuarantineRepository(ddb, table),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    now: () => new Date(),
  };
};
