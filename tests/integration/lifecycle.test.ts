import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSampleReceiptPdf } from '../../infra/local/sample-receipt.ts';
import { makeApi, sendMail } from '../support/api-client.ts';
import { type RunningCloud, startCloudProcess } from '../support/local-cloud-process.ts';

const descendants = (pid: number): number[] => {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const result: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of pairs) {
      if (parent === p) {
        result.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return result;
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Local addresses of every listening TCP socket owned by these pids, from `ss -ltnp`. */
const listeners = (pids: number[]): string[] =>
  execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => pids.some((p) => l.includes(`pid=${p},`)))
    .map((l) => l.trim().split(/\s+/)[3] ?? '');

describe('local cloud lifecycle', () => {
  const dataDir = mkdtempSync(join(resolve(import.meta.dirname, '../../.tmp'), 'lifecycle-'));
  let cloud: RunningCloud | undefined;
  afterAll(async () => {
    await cloud?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('binds only 127.0.0.1, leaves no process after SIGTERM, and keeps receipts across a restart', async () => {
    cloud = await startCloudProcess(dataDir);
    // DynamoDB Local's SQLite runs with a write-ahead log (synchronous=normal): if a DynamoDB Local upgrade made the
    // launcher's tuning fail, the defaults would stay (safe, slower) and this says so.
    expect(cloud.output()).toContain(
      'DynamoDB Local: SQLite wal, synchronous=normal; S3/SQS emulator queues: SQLite wal, synchronous=normal',
    );
    const pids = [cloud.child.pid ?? 0, ...descendants(cloud.child.pid ?? 0)];
    expect(pids.length).toBeGreaterThan(1); // node + DynamoDB Local's Java
    const addresses = listeners(pids);
    expect(addresses.length).toBeGreaterThanOrEqual(5); // API, SMTP, S3/SQS, event bus, DynamoDB
    for (const a of addresses) expect(a).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/);

    const subject = `Persist ${randomUUID()}`;
    await sendMail(cloud.smtpPort, {
      from: 'bob@demo.quittance.local',
      to: 'receipts@demo.quittance.local',
      subject,
      attachments: [{ filename: 'p.pdf', content: Buffer.from(await makeSampleReceiptPdf()) }],
    });
    let api = makeApi(cloud.apiUrl);
    const before = await api.eventually(async () => {
      const res = await api.get<{ items: { id: string; subject: string }[] }>(
        '/receipts',
        await api.token('finance@demo.quittance.local'),
      );
      return res.body.items.find((r) => r.subject === subject);
    });

    expect(await cloud.stop('SIGTERM')).toBe(0);
    // The orderly stop finished (every part stopped), not the forced exit that follows it after 15 s.
    expect(cloud.output()).toContain('[local] stopped');
    await new Promise((r) => setTimeout(r, 300));
    expect(pids.filter(alive)).toEqual([]);

    cloud = await startCloudProcess(dataDir);
    api = makeApi(cloud.apiUrl);
    const after = await api.get<{ items: { id: string }[] }>(
      '/receipts',
      await api.token('finance@demo.quittance.local'),
    );
    expect(after.body.items.map((r) => r.id)).toContain(before.id);
  });

  it('loses nothing committed when killed (SIGKILL: no shutdown at all; WAL commits are written, not fsynced)', async () => {
    cloud ??= await startCloudProcess(dataDir);
    let api = makeApi(cloud.apiUrl);
    const crashSubject = `Crash ${randomUUID()}`;
    await sendMail(cloud.smtpPort, {
      from: 'bob@demo.quittance.local',
      to: 'receipts@demo.quittance.local',
      subject: crashSubject,
      attachments: [{ filename: 'c.pdf', content: Buffer.from(await makeSampleReceiptPdf()) }],
    });
    const finance = await api.token('finance@demo.quittance.local');
    const written = await api.eventually(async () => {
      const res = await api.get<{ items: { id: string; subject: string; status: string }[] }>('/receipts', finance);
      return res.body.items.find((r) => r.subject === crashSubject && r.status === 'EXTRACTED');
    });
    const crashed = [cloud.child.pid ?? 0, ...descendants(cloud.child.pid ?? 0)];
    await cloud.stop('SIGKILL');
    for (let i = 0; i < 50 && crashed.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(crashed.filter(alive)).toEqual([]); // DynamoDB Local follows when its stdin closes

    cloud = await startCloudProcess(dataDir);
    api = makeApi(cloud.apiUrl);
    const recovered = await api.get<{ id: string; subject: string; status: string; file?: unknown }>(
      `/receipts/${written.id}`,
      await api.token('finance@demo.quittance.local'),
    );
    expect(recovered.body).toMatchObject({ id: written.id, subject: crashSubject, status: 'EXTRACTED' });
  }, 120_000);
});
