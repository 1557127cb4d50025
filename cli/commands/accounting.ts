import { parseArgs } from 'node:util';
import { SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { apiUrl } from '../api-url.ts';
import { type Command, UsageError } from '../command.ts';

/**
 * `quittance accounting redrive`: replays the accounting dead-letter queue into the accounting queue, once the
 * cause (a closed period, a connector outage…) is fixed. Entries keep their idempotency keys, so a replay never
 * creates a journal twice in the accounting system.
 */
export const accountingCommand: Command = {
  name: 'accounting',
  usage: [
    'Usage: quittance accounting redrive [--dlq-arn ARN --source-arn ARN]',
    '',
    'Local cloud (default): moves every message of the accounting DLQ back to the accounting queue.',
    'AWS: with --dlq-arn and --source-arn, starts an SQS message move task (StartMessageMoveTask) with the',
    '     credentials and region of the environment.',
  ].join('\n'),
  async run(argv) {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'dlq-arn': { type: 'string' }, 'source-arn': { type: 'string' } },
    });
    if (positionals[0] !== 'redrive' || positionals.length !== 1) throw new UsageError('expected: accounting redrive');
    if (values['dlq-arn'] || values['source-arn']) {
      if (!values['dlq-arn'] || !values['source-arn']) throw new UsageError('--dlq-arn and --source-arn go together');
      const res = await new SQSClient({}).send(
        new StartMessageMoveTaskCommand({ SourceArn: values['dlq-arn'], DestinationArn: values['source-arn'] }),
      );
      process.stdout.write(`${JSON.stringify({ taskHandle: res.TaskHandle })}\n`);
      return 0;
    }
    const res = await fetch(`${apiUrl()}/_local/queues/accounting/redrive`, { method: 'POST' }).catch(
      (error: unknown) => {
        throw new Error(`cannot reach the local cloud at ${apiUrl()} (is \`npm start\` running?): ${String(error)}`);
      },
    );
    const body = (await res.json()) as { moved?: number; message?: string };
    if (!res.ok) throw new Error(body.message ?? `redrive failed with HTTP ${res.status}`);
    process.stdout.write(`${JSON.stringify({ moved: body.moved })}\n`);
    return 0;
  },
};
