import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backfillExpenseIndex } from '../../shared/adapters/dynamodb/expenses.ts';
import {
  backfillMissingReceiptsIndex,
  backfillOpenItems,
  backfillRefundedInFull,
  backfillSlotsOutOfMissing,
} from '../../shared/adapters/dynamodb/open-items.ts';
import { topology } from '../topology.ts';
import { dlqEnvName, envName, type QueueSpec } from '../topology-types.ts';

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Physical names of the local resources, derived from the topology like the CDK app does in AWS. */
export const localNames = (stage = 'local') => ({
  table: (logical: string) => `${topology.app}-${stage}-${kebab(logical)}`,
  bucket: (logical: string) => `${topology.app}-${stage}-${kebab(logical)}`,
  queue: (logical: string, spec: QueueSpec) => `${topology.app}-${stage}-${kebab(logical)}${spec.fifo ? '.fifo' : ''}`,
  dlq: (logical: string, spec: QueueSpec) =>
    `${topology.app}-${stage}-${kebab(logical)}-dlq${spec.fifo ? '.fifo' : ''}`,
  bus: `${topology.app}-${stage}`,
});

/**
 * A data directory from an older version lacks indexes added since: create them (DynamoDB adds one at a time)
 * and fill the new expense index from the stored expenses, so nothing written before disappears from lists.
 */
const addMissingIndexes = async (
  ddb: DynamoDBClient,
  TableName: string,
  indexes: Record<string, readonly string[]>,
) => {
  const table = await ddb.send(new DescribeTableCommand({ TableName }));
  const present = new Set((table.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const [IndexName, [pk = '', sk = '']] of Object.entries(indexes)) {
    if (present.has(IndexName)) continue;
    await ddb.send(
      new UpdateTableCommand({
        TableName,
        AttributeDefinitions: [pk, sk].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName,
              KeySchema: [
                { AttributeName: pk, KeyType: 'HASH' },
                { AttributeName: sk, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
    if (IndexName === 'gsi3' || IndexName === 'gsi4')
      await backfillExpenseIndex(DynamoDBDocumentClient.from(ddb), TableName);
  }
};

/**
 * Creates every table, bucket and queue the topology declares (idempotent: existing ones are kept with
 * their data) and returns the environment the functions need: the same variable names the CDK app sets.
 */
export const provision = async (clients: { ddb: DynamoDBClient; s3: S3Client; sqs: SQSClient }) => {
  const names = localNames();
  const env: Record<string, string> = {};
  const queueUrls: Record<string, { url: string; dlqUrl: string; arn: string }> = {};

  for (const [logical, spec] of Object.entries(topology.tables)) {
    const TableName = names.table(logical);
    const indexAttrs = Object.values(spec.indexes).flat();
    const attrs = [...new Set([spec.partitionKey, spec.sortKey, ...indexAttrs])];
    try {
      await clients.ddb.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attrs.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: spec.partitionKey, KeyType: 'HASH' },
            { AttributeName: spec.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: Object.entries(spec.indexes).map(([IndexName, [pk, sk]]) => ({
            IndexName,
            KeySchema: [
              { AttributeName: pk, KeyType: 'HASH' },
              { AttributeName: sk, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
        }),
      );
      if (spec.ttlAttribute) {
        await clients.ddb.send(
          new UpdateTimeToLiveCommand({
            TableName,
            TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
          }),
        );
      }
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(clients.ddb, TableName, spec.indexes);
    }
    // Receipts and charges stored before the open-items indexes get their keys, and charges missing their receipt
    // move from the old marker items to the employee's missing-receipt index, and authorization slots an unlink put
    // in the missing-receipt lists leave them, and purchases refunded in full before the refund did it leave them
    // too, a lost-receipt declaration pending on them withdrawn (once per data directory each).
    if (logical === 'main') {
      const doc = DynamoDBDocumentClient.from(clients.ddb);
      await backfillOpenItems(doc, TableName);
      await backfillMissingReceiptsIndex(doc, TableName);
      await backfillSlotsOutOfMissing(doc, TableName);
      await backfillRefundedInFull(doc, TableName);
    }
    env[envName('table', logical)] = TableName;
  }

  for (const logical of Object.keys(topology.buckets)) {
    const Bucket = names.bucket(logical);
    try {
      await clients.s3.send(new CreateBucketCommand({ Bucket }));
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
    env[envName('bucket', logical)] = Bucket;
  }

  for (const [logical, spec] of Object.entries(topology.queues) as [string, QueueSpec][]) {
    const fifo = spec.fifo ? { FifoQueue: 'true' } : {};
    const dlq = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: names.dlq(logical, spec), Attributes: { ...fifo } }),
    );
    const dlqAttrs = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: names.queue(logical, spec),
        Attributes: {
          ...fifo,
          ...(spec.fifo ? { ContentBasedDeduplication: 'false' } : {}),
          VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqAttrs.Attributes?.QueueArn,
            maxReceiveCount: spec.maxReceiveCount,
          }),
        },
      }),
    );
    const attrs = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queueUrls[logical] = {
      url: queue.QueueUrl ?? '',
      dlqUrl: dlq.QueueUrl ?? '',
      arn: attrs.Attributes?.QueueArn ?? '',
    };
    env[envName('queue', logical)] = queue.QueueUrl ?? '';
    env[dlqEnvName(logical)] = dlq.QueueUrl ?? '';
  }

  env.EVENT_BUS_NAME = names.bus;
  return { env, names, queueUrls };
};
