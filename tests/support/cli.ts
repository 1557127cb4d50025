import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs `quittance <args>` (cli/main.ts) in a child process against the given API; its exit code and stdout. */
export const runCli = (args: string[], apiUrl: string, env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, QUITTANCE_API_URL: apiUrl, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
