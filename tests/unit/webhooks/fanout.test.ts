import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { WebhookDeliveryMessage } from '../../../events/webhooks.ts';
import { makeHandler } from '../../../functions/webhook-fanout/handler-core.ts';
import type { WebhookEndpoint } from '../../../shared/domain/webhooks/endpoints.ts';

const sample = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../../events/samples', `${name}.json`), 'utf8');
const sqs = (...bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as unknown as SQSEvent;
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const ep = (id: string, over: Partial<WebhookEndpoint>): WebhookEndpoint => ({
  id,
  url: 'https://hooks.example.com/',
  events: ['expense.approved'],
  description: '',
  status: 'enabled',
  disabledReason: null,
  secret: 'whsec_AAAA',
  previousSecret: null,
  previousSecretExpiresAt: null,
  createdAt: '',
  createdBy: '',
  updatedAt: '',
  ...over,
});

describe('webhook fan-out', () => {
  it('one message per enabled endpoint of the company listening to the type; others and other events get none', async () => {
    const sent: WebhookDeliveryMessage[] = [];
    const asked: string[] = [];
    const handler = makeHandler(
      {
        endpoints: async (companyId) => {
          asked.push(companyId);
          return [
            ep('we_a', {}),
            ep('we_b', { events: ['entry.posted', 'expense.approved'] }),
            ep('we_off', { status: 'disabled' }),
            ep('we_other', { events: ['receipt.extracted'] }),
          ];
        },
        enqueue: async (m) => void sent.push(...m),
      },
      logger,
    );
    const result = await handler(sqs(sample('ExpenseApproved'), sample('ExpenseSubmitted'), sample('ExpenseApproved')));
    expect(result.batchItemFailures).toEqual([]);
    expect(asked).toEqual(['demo']); // read once per company and batch
    expect(sent.map((m) => m.endpointId)).toEqual(['we_a', 'we_b', 'we_a', 'we_b']);
    expect(sent[0]).toMatchObject({ companyId: 'demo', event: { type: 'expense.approved' } });
    expect(sent[0]?.event.id).toBe(sent[2]?.event.id);
  });

  it('keeps a record whose event is malformed or whose enqueue fails (partial batch failure)', async () => {
    const handler = makeHandler(
      {
        endpoints: async () => [ep('we_a', {})],
        enqueue: async () => {
          throw new Error('SQS down');
        },
      },
      logger,
    );
    const bad = JSON.stringify({ ...JSON.parse(sample('ExpenseApproved')), detail: { companyId: 'demo' } });
    const result = await handler(sqs(bad, sample('ExpenseApproved'), 'not json'));
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'm0' },
      { itemIdentifier: 'm1' },
      { itemIdentifier: 'm2' },
    ]);
  });
});
