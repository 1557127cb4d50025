import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { dlqEnvName } from '../../infra/topology-types.ts';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeDynamoReminderDirectory } from '../../shared/adapters/dynamodb/reminder-directory.ts';
import { makeDynamoDeliveryLog, makeDynamoWebhookEndpointStore } from '../../shared/adapters/dynamodb/webhooks.ts';
import { makeSesMailer } from '../../shared/adapters/ses/mailer.ts';
import { makeHttpWebhookSender } from '../../shared/adapters/webhooks/http-sender.ts';
import { webhookSettings } from '../../shared/adapters/webhooks/settings.ts';
import { disabledNotice } from '../../shared/domain/webhooks/delivery.ts';
import { getEnv, queueUrl, tableName } from '../../shared/runtime/env.ts';
import type { WebhookDeliverDeps } from './handler-core.ts';

export const defaultDeps = (): WebhookDeliverDeps => {
  const { ddb, sqs, ses } = awsClients();
  const table = tableName('main');
  const queue = queueUrl('webhookDeliveries');
  const dlq = getEnv(dlqEnvName('webhookDeliveries'));
  const { allowLoopbackHttp, policy } = webhookSettings();
  const endpoints = makeDynamoWebhookEndpointStore(ddb, table);
  const people = makeDynamoReminderDirectory(ddb, table);
  const mailer = makeSesMailer(ses, getEnv('MAIL_FROM'));
  return {
    endpoints: {
      get: (c, id) => endpoints.get(c, id),
      disable: (c, id, r, now) => endpoints.disable(c, id, r, now),
      markDelivered: (c, id, at) => endpoints.markDelivered(c, id, at),
    },
    log: makeDynamoDeliveryLog(ddb, table),
    sender: makeHttpWebhookSender({ allowLoopback: allowLoopbackHttp }),
    allowLoopbackHttp,
    policy,
    now: () => new Date(),
    random: Math.random,
    async deadLetter(_receiptHandle, body, reason) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq,
          MessageBody: body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
        }),
      );
    },
    async notifyDisabled(companyId, endpoint, reason) {
      const mail = disabledNotice(endpoint, reason);
      for (const p of await people.people(companyId)) {
        if (p.active && p.email && p.roles.includes('admin')) await mailer.send({ to: p.email, ...mail });
      }
    },
    async delay(receiptHandle, delayMs) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.min(43_200, Math.ceil(delayMs / 1000)),
        }),
      );
    },
  };
};
