import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `npm run bench:start`: time from `npm start` to `GET /health` = 200, on an empty data dir (cold: creates
 * tables, buckets, seeds the demo company) and again on the same data dir (warm), a few runs each.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const RUNS = Number(process.env.RUNS ?? 3);

const timeStart = async (dataDir: string, port: number): Promise<number> => {
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), SMTP_PORT: String(port + 1), QUITTANCE_DATA_DIR: dataDir },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - t0;
      if (performance.now() - t0 > 60_000) throw new Error('no healthy answer in 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-(child.pid ?? 0), 'SIGTERM');
    await exited;
  }
};

const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dataDir = mkdtempSync(join(ROOT, '.tmp', 'bench-start-'));
  cold.push(await timeStart(dataDir, 3900));
  warm.push(await timeStart(dataDir, 3900));
  rmSync(dataDir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (xs: number[]) =>
  `median ${(median(xs) / 1000).toFixed(2)} s (runs: ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`;
const report = [
  '# Local cloud start time',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:start\` on the dev machine (2 cores).`,
  'Time from spawning `npm start` to the first `GET /health` answered 200 (every local service ready).',
  '',
  '| start | time |',
  '|---|---|',
  `| cold (empty data dir: tables, buckets, demo company created) | ${fmt(cold)} |`,
  `| warm (existing data dir) | ${fmt(warm)} |`,
  '',
].join('\n');
writeFileSync(join(ROOT, 'docs/benchmarks/start.md'), report);
process.stdout.write(report);
