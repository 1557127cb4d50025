import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoWebhookEndpointStore } from '../../shared/adapters/dynamodb/webhooks.ts';
import { queueUrl, tableName } from '../../shared/runtime/env.ts';
import type { FanoutDeps } from './handler-core.ts';

export const defaultDeps = (): FanoutDeps => {
  const { ddb, sqs } = awsClients();
  const store = makeDynamoWebhookEndpointStore(ddb, tableName('main'));
  const queue = queueUrl('webhookDeliveries');
  return {
    endpoints: (companyId) => store.list(companyId),
    async enqueue(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const res = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queue,
            Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
          }),
        );
        if (res.Failed?.length) throw new Error(`${res.Failed.length} delivery message(s) refused by SQS`);
      }
    },
  };
};
