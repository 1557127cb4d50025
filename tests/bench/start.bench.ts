import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `npm run bench:start`: time from `npm start` to `GET /health` = 200, on an empty data dir (cold: creates
 * tables, buckets, seeds the demo company) and again on the same data dir (warm), a few runs each; and the time
 * from SIGTERM (what Ctrl-C also does) to the exit, which must be the orderly stop ("[local] stopped"), not the
 * forced exit 15 s later.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const RUNS = Number(process.env.RUNS ?? 3);

interface Run {
  readonly startMs: number;
  readonly stopMs: number;
  /** The local cloud said "[local] stopped": every part stopped before the exit. */
  readonly orderly: boolean;
}

const timeStart = async (dataDir: string, port: number): Promise<Run> => {
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), SMTP_PORT: String(port + 1), QUITTANCE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  // npm exits at once on SIGTERM; the local cloud (which holds the pipe) exits when it has stopped.
  const ended = new Promise((r) => child.stdout?.once('close', r));
  const stop = async (): Promise<number> => {
    const t1 = performance.now();
    process.kill(-(child.pid ?? 0), 'SIGTERM');
    await ended;
    return performance.now() - t1;
  };
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) {
      const startMs = performance.now() - t0;
      const stopMs = await stop();
      return { startMs, stopMs, orderly: output.includes('[local] stopped') };
    }
    if (performance.now() - t0 > 60_000) {
      await stop();
      throw new Error('no healthy answer in 60 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
};

const cold: Run[] = [];
const warm: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  const dataDir = mkdtempSync(join(ROOT, '.tmp', 'bench-start-'));
  cold.push(await timeStart(dataDir, 3900));
  warm.push(await timeStart(dataDir, 3900));
  rmSync(dataDir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (xs: number[]) =>
  `median ${(median(xs) / 1000).toFixed(2)} s (runs: ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`;
const runs = [...cold, ...warm];
const orderly = runs.filter((r) => r.orderly).length;
const report = [
  '# Local cloud start time',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:start\` on the dev machine (2 cores).`,
  'Time from spawning `npm start` to the first `GET /health` answered 200 (every local service ready), and from',
  'SIGTERM (as Ctrl-C) to the exit of the whole process group.',
  '',
  '| step | time |',
  '|---|---|',
  `| cold start (empty data dir: tables, buckets, demo company created) | ${fmt(cold.map((r) => r.startMs))} |`,
  `| warm start (existing data dir) | ${fmt(warm.map((r) => r.startMs))} |`,
  `| stop (SIGTERM → exit; ${orderly} of ${runs.length} orderly, "[local] stopped") | ${fmt(runs.map((r) => r.stopMs))} |`,
  '',
].join('\n');
writeFileSync(join(ROOT, 'docs/benchmarks/start.md'), report);
process.stdout.write(report);
