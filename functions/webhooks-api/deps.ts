import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoDeliveryLog, makeDynamoWebhookEndpointStore } from '../../shared/adapters/dynamodb/webhooks.ts';
import { webhookSettings } from '../../shared/adapters/webhooks/settings.ts';
import { newSigningSecret } from '../../shared/domain/webhooks/signature.ts';
import { queueUrl, tableName } from '../../shared/runtime/env.ts';
import type { WebhooksApiDeps } from './routes.ts';

export const defaultDeps = (): WebhooksApiDeps => {
  const { ddb, sqs } = awsClients();
  const table = tableName('main');
  const deliveries = queueUrl('webhookDeliveries');
  return {
    endpoints: makeDynamoWebhookEndpointStore(ddb, table),
    async enqueue(message) {
      await sqs.send(new SendMessageCommand({ QueueUrl: deliveries, MessageBody: JSON.stringify(message) }));
    },
    deliveries: makeDynamoDeliveryLog(ddb, table),
    // The company's administration log, in the shape the admin API writes and reads (GET /admin/log).
    async audit(companyId, entry) {
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `C#${companyId}#ADMINLOG`,
            sk: `${entry.at}#${entry.target}#${entry.action}`,
            entity: 'AdminLog',
            ...entry,
          },
        }),
      );
    },
    newId: () => randomUUID().replaceAll('-', '').slice(0, 16),
    newSecret: () => newSigningSecret(),
    now: () => new Date(),
    allowLoopbackHttp: webhookSettings().allowLoopbackHttp,
  };
};
