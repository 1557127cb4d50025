import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fauxqs, startLocalS3Sqs } from '../../infra/local/fauxqs.ts';
import { startQueuePoller } from '../../infra/local/queue-pollers.ts';

/**
 * The local event source mapping against the real S3/SQS emulator: batching window, partial batch failures.
 */
const REGION = 'eu-west-3';
let fauxqs: Fauxqs;
let sqs: SQSClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quittance-poller-'));
  fauxqs = await startLocalS3Sqs({ dataDir: dir, onObjectCreated: () => {} });
  sqs = new SQSClient({
    region: REGION,
    endpoint: fauxqs.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  await fauxqs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const queue = async (name: string) => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = QueueUrl ?? '';
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: attrs.Attributes?.QueueArn ?? '' };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitFor = async (check: () => boolean, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
};

type Batch = { Records: { body: string; messageId: string }[] };

describe('local SQS event source mapping', () => {
  it('gathers records for the batching window, then invokes once with all of them', async () => {
    const q = await queue('window-test');
    const batches: string[][] = [];
    const poller = startQueuePoller(
      sqs,
      {
        functionName: 'windowed',
        queueUrl: q.url,
        queueArn: q.arn,
        batchSize: 10,
        maxBatchingWindowSeconds: 1,
        visibilityTimeoutSeconds: 30,
        invoke: async (e) => {
          batches.push((e as Batch).Records.map((r) => r.body));
          return { batchItemFailures: [] };
        },
      },
      REGION,
      () => {},
    );
    try {
      for (let i = 0; i < 4; i++) {
        await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: `m${i}` }));
        await sleep(100);
      }
      await waitFor(() => batches.flat().length === 4);
      // All four arrived within the window of the first: one invocation.
      expect(batches).toEqual([['m0', 'm1', 'm2', 'm3']]);
    } finally {
      await poller.stop();
    }
  });

  it('without a window: a failed record comes back, the others are deleted', async () => {
    const q = await queue('nowindow-test');
    const seen: string[] = [];
    let failOnce = true;
    const poller = startQueuePoller(
      sqs,
      {
        functionName: 'plain',
        queueUrl: q.url,
        queueArn: q.arn,
        batchSize: 10,
        visibilityTimeoutSeconds: 1,
        invoke: async (e) => {
          const records = (e as Batch).Records;
          seen.push(...records.map((r) => r.body));
          const failed = records.filter((r) => r.body === 'bad' && failOnce);
          if (failed.length) failOnce = false;
          return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
        },
      },
      REGION,
      () => {},
    );
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'first' }));
      await waitFor(() => seen.includes('first'));
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'bad' }));
      await waitFor(() => seen.filter((b) => b === 'bad').length === 2);
      await sleep(1_500);
      // 'first' was deleted after its success and never seen again; 'bad' came back once after its visibility.
      expect(seen.filter((b) => b === 'first')).toHaveLength(1);
      expect(seen.filter((b) => b === 'bad')).toHaveLength(2);
    } finally {
      await poller.stop();
    }
  });
});
