import { createHash } from 'node:crypto';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoQuarantineRepository } from '../../shared/adapters/dynamodb/quarantine-repository.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { makeS3DocumentStore, readObject } from '../../shared/adapters/s3/document-store.ts';
import { makeSesMailer } from '../../shared/adapters/ses/mailer.ts';
import { bucketName, EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';
import type { EmailIntakeDeps } from './handler-core.ts';

export const defaultDeps = (): EmailIntakeDeps => {
  const { ddb, s3, eventBridge, ses } = awsClients();
  const table = tableName('main');
  return {
    rawMailBucket: bucketName('rawMail'),
    readRaw: (bucket, key) => readObject(s3, bucket, key),
    directory: makeDynamoDirectory(ddb, table),
    receipts: makeDynamoReceiptRepository(ddb, table),
    quarantine: makeDynamoQuarantineRepository(ddb, table),
    documents: makeS3DocumentStore(s3, bucketName('documents')),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    mailer: makeSesMailer(ses, getEnv('MAIL_FROM')),
    sha256: (bytes) => createHash('sha256').update(bytes).digest('hex'),
  };
};
