import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { makeHttpAccountingConnector } from '../../shared/adapters/accounting/http-connector.ts';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { entryTotals } from '../../shared/domain/ledger/model.ts';
import { formatMoney } from '../../shared/domain/money.ts';
import { EVENT_BUS_NAME, getEnv, queueUrl, tableName } from '../../shared/runtime/env.ts';
import type { AccountingPushDeps } from './handler-core.ts';

export const defaultDeps = (): AccountingPushDeps => {
  const { ddb, sqs, eventBridge } = awsClients();
  const table = tableName('main');
  const queue = queueUrl('accounting');
  const dlq = getEnv('QUEUE_ACCOUNTING_DLQ');
  const events = makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME));
  const connector = makeHttpAccountingConnector(getEnv('ACCOUNTING_API_URL'));
  const pushedKey = (companyId: string, entryId: string) => ({ pk: `C#${companyId}#PUSHED#${entryId}`, sk: 'PUSHED' });
  return {
    connectorFor: async () => connector,
    pushed: {
      async get(companyId, entryId) {
        const res = await ddb.send(
          new GetCommand({ TableName: table, Key: pushedKey(companyId, entryId), ConsistentRead: true }),
        );
        return res.Item ? { externalId: String(res.Item.externalId) } : null;
      },
      async put(companyId, entryId, externalId, name) {
        await ddb.send(
          new PutCommand({
            TableName: table,
            Item: { ...pushedKey(companyId, entryId), entity: 'Pushed', externalId, connector: name },
          }),
        );
      },
    },
    async announce(entry, name, externalId) {
      await events.publish([
        {
          name: 'JournalEntryPosted',
          detail: {
            companyId: entry.companyId,
            entryId: entry.id,
            ecritureNum: entry.ecritureNum,
            connector: name,
            externalId,
            total: formatMoney(entryTotals(entry).debit),
            currency: entry.currency.companyCurrency,
            postedAt: new Date().toISOString(),
          },
        },
      ]);
    },
    async deadLetter(_receiptHandle, body, reason) {
      // Same group and deduplication as the original: a redrive replays it in order.
      const parsed = JSON.parse(body) as { companyId?: string; entryId?: string };
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq,
          MessageBody: body,
          MessageGroupId: parsed.companyId ?? 'unknown',
          MessageDeduplicationId: `${parsed.entryId ?? 'unknown'}-${Date.now()}`,
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
        }),
      );
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
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
  };
};
