import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClients } from '../../shared/adapters/aws/clients.ts';
import {
  makeDynamoBudgetStore,
  makeDynamoCardDirectory,
  makeDynamoCardLedgerRepository,
  makeDynamoControlsRepository,
} from '../../shared/adapters/dynamodb/cards.ts';
import { makeEventBridgePublisher } from '../../shared/adapters/events/eventbridge-publisher.ts';
import { makeS3RawEventStore } from '../../shared/adapters/s3/raw-event-store.ts';
import {
  makeEnvWebhookSecrets,
  makeSecretsManagerWebhookSecrets,
} from '../../shared/adapters/secrets/webhook-secrets.ts';
import type { WebhookDeps } from '../../shared/domain/cards/process-webhook.ts';
import { bucketName, EVENT_BUS_NAME, getEnv, tableName } from '../../shared/runtime/env.ts';

export const defaultDeps = (log: WebhookDeps['log']): WebhookDeps => {
  const { ddb, s3, eventBridge } = awsClients();
  const table = tableName('main');
  const fromSecretsManager = Object.keys(process.env).some((k) => k.startsWith('WEBHOOK_SECRET_ARN_'));
  const secretsClient = fromSecretsManager ? new SecretsManagerClient({}) : null;
  return {
    secrets: secretsClient
      ? makeSecretsManagerWebhookSecrets(async (id) => {
          const res = await secretsClient.send(new GetSecretValueCommand({ SecretId: id }));
          return res.SecretString ?? '';
        })
      : makeEnvWebhookSecrets(),
    rawEvents: makeS3RawEventStore(s3, bucketName('rawEvents')),
    cards: makeDynamoCardDirectory(ddb, table),
    controls: makeDynamoControlsRepository(ddb, table),
    budgets: makeDynamoBudgetStore(ddb, table),
    ledger: makeDynamoCardLedgerRepository(ddb, table),
    events: makeEventBridgePublisher(eventBridge, getEnv(EVENT_BUS_NAME)),
    now: () => new Date(),
    log,
  };
};
