import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import { makeApi } from '../support/api-client.ts';
import { startCloudProcess } from '../support/local-cloud-process.ts';

/**
 * `npm run bench:intake`: text-PDF receipts per second through the whole local pipeline, from the first SMTP
 * send to the last receipt EXTRACTED (SMTP → S3 raw → email-intake → DynamoDB → EventBridge → SQS → extract →
 * DynamoDB), on a fresh local cloud. Each mail carries a distinct one-page PDF receipt.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const N = Number(process.env.N ?? 300);
const SENDERS = Number(process.env.SENDERS ?? 8);

const dataDir = mkdtempSync(join(ROOT, '.tmp', 'bench-intake-'));
const cloud = await startCloudProcess(dataDir, { QUITTANCE_RETRY_DELAYS_MS: '500,1000' });
try {
  const api = makeApi(cloud.apiUrl);
  const token = await api.token('finance@demo.quittance.local');
  const pdfs = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      makeSampleReceiptPdf({
        total: `${10 + (i % 90)},${String(i % 100).padStart(2, '0')}`,
        vendor: `CAFE NUMERO ${i}`,
      }),
    ),
  );
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: cloud.smtpPort,
    pool: true,
    maxConnections: SENDERS,
    ignoreTLS: true,
  });
  // Warm-up: the first extraction loads the PDF engine (a Lambda cold start); not counted.
  await transport.sendMail({
    from: 'alice@demo.quittance.local',
    to: 'receipts@demo.quittance.local',
    subject: 'warm-up',
    attachments: [{ filename: 'w.pdf', content: Buffer.from(await makeSampleReceiptPdf({ vendor: 'WARM UP' })) }],
  });
  await api.eventually(async () => {
    const { body } = await api.get<{ items: { status: string }[] }>('/receipts?limit=5', token);
    return body.items.some((r) => r.status === 'EXTRACTED') ? true : undefined;
  }, 60_000);

  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < N) {
        const i = next++;
        await transport.sendMail({
          from: i % 2 ? 'alice@demo.quittance.local' : 'bob@demo.quittance.local',
          to: 'receipts@demo.quittance.local',
          subject: `bench ${i}`,
          attachments: [{ filename: `r${i}.pdf`, content: Buffer.from(pdfs[i] ?? new Uint8Array()) }],
        });
      }
    }),
  );
  const sentMs = performance.now() - t0;
  transport.close();

  const countStatuses = async () => {
    const counts: Record<string, number> = {};
    let cursor: string | null = null;
    do {
      const page: { body: { items: { status: string; subject?: string }[]; nextCursor: string | null } } =
        await api.get(`/receipts?limit=100${cursor ? `&cursor=${cursor}` : ''}`, token);
      for (const r of page.body.items) {
        if (r.subject?.startsWith('bench ')) counts[r.status] = (counts[r.status] ?? 0) + 1;
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    return counts;
  };
  let counts: Record<string, number> = {};
  for (;;) {
    counts = await countStatuses();
    const settled = (counts.EXTRACTED ?? 0) + (counts.EXTRACTION_FAILED ?? 0);
    if (settled >= N || performance.now() - t0 > 300_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const totalMs = performance.now() - t0;
  const rate = (counts.EXTRACTED ?? 0) / (totalMs / 1000);
  const report = [
    '# Intake throughput',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:intake\` (N=${N}, ${SENDERS} SMTP connections) on the 2-core dev machine.`,
    'From the first SMTP send to the last receipt EXTRACTED, through the whole local pipeline',
    '(SMTP → S3 raw → email-intake → DynamoDB → EventBridge → SQS → extract (built-in engine, PDF text) → DynamoDB).',
    '',
    '| metric | value |',
    '|---|---|',
    `| receipts extracted | ${counts.EXTRACTED ?? 0} / ${N} (failed: ${counts.EXTRACTION_FAILED ?? 0}) |`,
    `| all mails accepted by SMTP after | ${(sentMs / 1000).toFixed(2)} s |`,
    `| all receipts extracted after | ${(totalMs / 1000).toFixed(2)} s |`,
    `| **throughput** | **${rate.toFixed(1)} receipts/s** (target ≥ 20) |`,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'docs/benchmarks/intake.md'), report);
  process.stdout.write(report);
} finally {
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
