import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeS3DocumentStore } from '../../shared/adapters/s3/document-store.ts';
import { bucketName, tableName } from '../../shared/runtime/env.ts';
import type { ReceiptsApiDeps } from './routes.ts';

export const defaultDeps = (): ReceiptsApiDeps => {
  const { ddb, s3 } = awsClients();
  return {
    receipts: makeDynamoReceiptRepository(ddb, tableName('main')),
    documents: makeS3DocumentStore(s3, bucketName('documents')),
  };
};
