import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startCloudProcess } from '../support/local-cloud-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    smtpPort: number;
  }
}

/** One local cloud for the integration suite, on random ports, with a throw-away data dir. */
export default async function setup(project: TestProject) {
  const base = resolve(import.meta.dirname, '../../.tmp');
  const dataDir = mkdtempSync(join(base, 'itest-'));
  const cloud = await startCloudProcess(dataDir);
  project.provide('apiUrl', cloud.apiUrl);
  project.provide('smtpPort', cloud.smtpPort);
  return async () => {
    await cloud.stop();
    // QUITTANCE_ITEST_KEEP=1 keeps the data directory: `npm start` on it replays what the suite left behind.
    if (!process.env.QUITTANCE_ITEST_KEEP) rmSync(dataDir, { recursive: true, force: true });
    // QUITTANCE_ITEST_LOG=<file> keeps the cloud's whole output (with POWERTOOLS_LOG_LEVEL=INFO: every decision).
    if (process.env.QUITTANCE_ITEST_LOG) writeFileSync(process.env.QUITTANCE_ITEST_LOG, cloud.output());
    // What went wrong inside the cloud (failed invocations, dead letters, errors) is what a red CI run needs.
    const trouble = cloud
      .output()
      .split('\n')
      .filter((l) => /function \w+ failed after|dead-lettered|slot failed|end failed|"level":"ERROR"/.test(l));
    if (trouble.length > 0) {
      process.stderr.write(`\nlocal cloud trouble during the suite (${trouble.length} lines, last 60):\n`);
      process.stderr.write(`${trouble.slice(-60).join('\n')}\n`);
    }
  };
}
