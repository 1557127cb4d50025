import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface PollerSpec {
  functionName: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  /** Lambda's MaximumBatchingWindowInSeconds: how long to gather records before invoking with a partial batch. */
  maxBatchingWindowSeconds?: number;
  visibilityTimeoutSeconds: number;
  invoke: (event: unknown) => Promise<unknown>;
  /**
   * How long a receive waits for a message (SQS long polling; default 1 s). Lambda's pollers wait 20 s; a longer
   * wait means fewer receives while idle, and `wake` then ends it when the poller stops.
   */
  longPollSeconds?: number;
  /** Ends the receive waiting on the queue (see Fauxqs.wake). */
  wake?: () => void;
}

const toRecord = (m: Message, arn: string, region: string) => ({
  messageId: m.MessageId ?? '',
  receiptHandle: m.ReceiptHandle ?? '',
  body: m.Body ?? '',
  attributes: m.Attributes ?? {},
  messageAttributes: Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
      k,
      {
        stringValue: v.StringValue,
        binaryValue: v.BinaryValue,
        stringListValues: [],
        binaryListValues: [],
        dataType: v.DataType,
      },
    ]),
  ),
  md5OfBody:
    m.MD5OfBody ??
    createHash('md5')
      .update(m.Body ?? '')
      .digest('hex'),
  eventSource: 'aws:sqs',
  eventSourceARN: arn,
  awsRegion: region,
});

/**
 * A Lambda SQS event source mapping: long-polls the queue, invokes the function with up to batchSize records,
 * deletes what succeeded. With a partial batch response ({ batchItemFailures }) only the failed records stay;
 * a thrown error leaves the whole batch. Failed records reappear after the visibility timeout and move to the
 * DLQ after maxReceiveCount receives (the queue's redrive policy, enforced by the emulator as by SQS).
 */
export const startQueuePoller = (sqs: SQSClient, spec: PollerSpec, region: string, log: (l: string) => void) => {
  let running = true;
  let current: Promise<void> = Promise.resolve();

  const receive = async (max: number, waitSeconds: number) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: spec.queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: spec.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  const loop = async () => {
    while (running) {
      let messages: Message[] = [];
      try {
        messages = await receive(spec.batchSize, spec.longPollSeconds ?? 1);
        // A batching window: once a record is in hand, gather more until the batch is full or the window ends
        // (one look at the end of the window, then as long as full receives keep coming), as Lambda does.
        const windowMs = (spec.maxBatchingWindowSeconds ?? 0) * 1000;
        if (messages.length > 0 && messages.length < spec.batchSize && windowMs > 0) {
          await new Promise((r) => setTimeout(r, windowMs));
          while (running && messages.length < spec.batchSize) {
            const want = Math.min(10, spec.batchSize - messages.length);
            const more = await receive(want, 0);
            messages.push(...more);
            if (more.length < want) break; // nothing more waiting for now
          }
        }
      } catch (error) {
        if (!running) return;
        log(`poller ${spec.functionName}: receive failed: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      if (messages.length === 0) continue;
      const records = messages.map((m) => toRecord(m, spec.queueArn, region));
      let failed = new Set<string>();
      try {
        const result = (await spec.invoke({ Records: records })) as
          | { batchItemFailures?: { itemIdentifier: string }[] }
          | undefined;
        failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        log(`poller ${spec.functionName}: batch of ${records.length} failed: ${(error as Error).message}`);
        continue; // the whole batch becomes visible again after the visibility timeout
      }
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: spec.queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
    }
  };

  current = loop();
  return {
    async stop() {
      running = false;
      // Woken again until the loop ends: a receive may still be on its way to the queue when the first wake comes.
      spec.wake?.();
      const again = spec.wake ? setInterval(spec.wake, 50) : undefined;
      await current;
      clearInterval(again);
    },
  };
};

/**
 * Moves every message of a dead-letter queue back to its source queue (what SQS StartMessageMoveTask does in AWS),
 * keeping FIFO message groups; returns how many moved.
 */
export const redriveQueue = async (sqs: SQSClient, dlqUrl: string, sourceUrl: string): Promise<number> => {
  let moved = 0;
  const fifo = sourceUrl.endsWith('.fifo');
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) return moved;
    for (const m of messages) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: sourceUrl,
          MessageBody: m.Body ?? '',
          ...(fifo
            ? {
                MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive',
                MessageDeduplicationId: `${m.MessageId ?? moved}-redrive-${Date.now()}`,
              }
            : {}),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: m.ReceiptHandle ?? '' }));
      moved++;
    }
  }
};
