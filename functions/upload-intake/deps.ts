import { createHash } from 'node:crypto';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { makeS3DocumentStore, readObject } from '../../shared/adapters/s3/document-store.ts';
import { bucketName, EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';

export const defaultDeps = () => {
  const { ddb, s3, eventBridge } = awsClients();
  const table = tableName('main');
  return {
    receipts: makeDynamoReceiptRepository(ddb, table),
    documents: makeS3DocumentStore(s3, bucketName('documents')),
    directory: makeDynamoDirectory(ddb, table),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    sha256: (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex'),
    readObject: (bucket: string, key: string) => readObject(s3, bucket, key),
  };
};
