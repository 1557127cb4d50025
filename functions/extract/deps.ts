import { TextractClient } from '@aws-sdk/client-textract';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDirectory } from '../../shared/adapters/dynamodb/directory.ts';
import { makeDynamoReceiptRepository } from '../../shared/adapters/dynamodb/receipt-repository.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { makeBuiltinExtractor } from '../../shared/adapters/extraction/builtin.ts';
import { makeS3DocumentStore } from '../../shared/adapters/s3/document-store.ts';
import { makeTextractExtractor } from '../../shared/adapters/textract/index.ts';
import type { ExtractReceiptDeps } from '../../shared/domain/receipts/extract-receipt.ts';
import { bucketName, EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';

export const defaultDeps = (): ExtractReceiptDeps => {
  const { ddb, s3, eventBridge } = awsClients();
  const table = tableName('main');
  // The adapter retries throttling itself, behind its own concurrency cap: no SDK retries on top.
  const textract = makeTextractExtractor({ client: new TextractClient({ maxAttempts: 1 }), concurrency: 2 });
  return {
    receipts: makeDynamoReceiptRepository(ddb, table),
    documents: makeS3DocumentStore(s3, bucketName('documents')),
    directory: makeDynamoDirectory(ddb, table),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    extractors: {
      builtin: makeBuiltinExtractor(),
      textract,
    },
    // Multi-page documents through Textract's asynchronous API, where the deployment configured its topic.
    ...(process.env.TEXTRACT_SNS_TOPIC_ARN && process.env.TEXTRACT_ROLE_ARN
      ? {
          asyncExtraction: {
            textract: {
              start: ({ bucket, key, jobTag }: { bucket: string; key: string; jobTag: string }) =>
                textract.startExpenseAnalysis({
                  bucket,
                  key,
                  jobTag,
                  snsTopicArn: getEnv('TEXTRACT_SNS_TOPIC_ARN'),
                  roleArn: getEnv('TEXTRACT_ROLE_ARN'),
                }),
            },
          },
        }
      : {}),
    now: () => new Date(),
  };
};
