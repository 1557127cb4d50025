import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  buildExpenseEntry,
  defaultLedgerSettings,
  entryToJson,
  type PostedEntry,
  postEntry,
} from '../../shared/domain/ledger/index.ts';
import { money } from '../../shared/domain/money.ts';
import { startCloudProcess } from '../support/local-cloud-process.ts';

/**
 * `npm run bench:accounting`: throughput of the accounting consumer on the local cloud. N posted entries of several
 * companies go into the accounting FIFO queue (one message group per company); the accounting-push function posts
 * each to the accounting stand-in over HTTP with its idempotency key; measured until the stand-in holds them all.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const N = Number(process.env.N ?? 1000);
const COMPANIES = Number(process.env.COMPANIES ?? 5);

const entries: PostedEntry[] = Array.from({ length: N }, (_, i) => {
  const companyId = `co_${i % COMPANIES}`;
  const { entry } = buildExpenseEntry(
    {
      companyId,
      entityId: null,
      expenseId: `exp_bench_${i}`,
      kind: 'card',
      cardProgramme: 'stripe',
      employee: { id: `u_${i % 50}`, name: `Employee ${i % 50}` },
      label: `Merchant ${i % 97}`,
      bookingDate: '2026-11-20',
      currency: 'EUR',
      lines: [{ category: 'meal', amount: money(1100 + i, 'EUR'), vat: [{ rate: '10', amount: money(100, 'EUR') }] }],
      evidence: { invoice: true, inCompanyName: true, vatCountry: 'FR' },
      piece: { ref: `rcpt_${i}`, kind: 'receipt', date: '2026-11-20', documentSha256: null },
      conversion: null,
    },
    defaultLedgerSettings('EUR'),
  );
  return postEntry(entry, Math.floor(i / COMPANIES) + 1, '2026-11-20T12:00:00.000Z');
});

const dataDir = mkdtempSync(join(ROOT, '.tmp', 'bench-accounting-'));
const cloud = await startCloudProcess(dataDir);
try {
  const info = (await (await fetch(`${cloud.apiUrl}/_local/info`)).json()) as {
    endpoints: { s3sqs: string };
    queues: Record<string, { url: string }>;
  };
  const sqs = new SQSClient({
    region: 'eu-west-3',
    endpoint: info.endpoints.s3sqs,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const queueUrl = info.queues.accounting?.url ?? '';
  const t0 = performance.now();
  for (let i = 0; i < entries.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: entries.slice(i, i + 10).map((e, j) => ({
          Id: String(j),
          MessageGroupId: e.companyId,
          MessageDeduplicationId: e.id,
          MessageBody: JSON.stringify({ companyId: e.companyId, entryId: e.id, entry: entryToJson(e) }),
        })),
      }),
    );
  }
  const enqueuedMs = performance.now() - t0;
  let received = 0;
  while (received < N && performance.now() - t0 < 600_000) {
    const res = (await (await fetch(`${cloud.apiUrl}/_local/accounting/manual-journals`)).json()) as {
      items: unknown[];
    };
    received = res.items.length;
    if (received < N) await new Promise((r) => setTimeout(r, 250));
  }
  const totalMs = performance.now() - t0;
  const report = [
    '# Accounting consumer throughput',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:accounting\` on the 2-core dev machine (local cloud).`,
    `${N} posted entries of ${COMPANIES} companies into the accounting FIFO queue (one group per company, batches of 10,`,
    'two pollers); the consumer posts each to the accounting stand-in over HTTP with its idempotency key and records it.',
    '',
    '| metric | value |',
    '|---|---|',
    `| entries received by the accounting system | ${received} / ${N} |`,
    `| enqueued in | ${(enqueuedMs / 1000).toFixed(2)} s |`,
    `| all posted after | ${(totalMs / 1000).toFixed(2)} s |`,
    `| **throughput** | **${(received / (totalMs / 1000)).toFixed(1)} entries/s** |`,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'docs/benchmarks/accounting.md'), report);
  process.stdout.write(report);
} finally {
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
