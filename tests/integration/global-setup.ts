import { mkdtempSync, rmSync } from 'node:fs';
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
    rmSync(dataDir, { recursive: true, force: true });
  };
}
