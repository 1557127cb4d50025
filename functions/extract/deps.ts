import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { makeBuiltinExtractor } from '../../shared/adapters/extraction/builtin.ts';
import { makeS3DocumentStore } from '../../shared/adapters/s3/document-store.ts';
import type { ExtractReceiptDeps } from '../../shared/domain/receipts/extract-receipt.ts';
import { bucketName, EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';

export const defaultDeps = (): ExtractReceiptDeps => {
  const { ddb, s3, eventBridge } = awsClients();
  const table = tableName('main');
  return {
    receipts: makeDynamoReceiptRepository(ddb, table),
    documents: makeS3DocumentStore(s3, bucketName('documents')),
    directory: makeDynamoDirectory(ddb, table),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    extractors: { builtin: makeBuiltinExtractor() },
    now: () => new Date(),
  };
};
