import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface RunningCloud {
  apiUrl: string;
  smtpPort: number;
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Starts the local cloud exactly as `npm start` does (same entry point, same Node), on random ports and a
 * data dir of the test's own, and waits for its ready line.
 */
export const startCloudProcess = async (dataDir: string, env: Record<string, string> = {}): Promise<RunningCloud> => {
  const child = spawn(
    process.execPath,
    [
      // Diagnostics: e.g. QUITTANCE_CLOUD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the cloud.
      ...(process.env.QUITTANCE_CLOUD_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--disable-warning=ExperimentalWarning',
      '--import',
      'tsx',
      'infra/local/main.ts',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        SMTP_PORT: '0',
        QUITTANCE_DATA_DIR: dataDir,
        QUITTANCE_READY_LINE: '1',
        QUITTANCE_RETRY_DELAYS_MS: '200,400',
        // A queue batch that failed is received again after 15 s instead of the topology's 1–3 minutes.
        QUITTANCE_MAX_VISIBILITY_S: '15',
        // Outbound webhook retries: ~0.3 s, 0.9 s, … instead of minutes (SQS visibility rounds up to whole seconds).
        WEBHOOK_RETRY_BASE_MS: '300',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const ready = await new Promise<{ apiUrl: string; smtpPort: number }>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`local cloud did not start in 90 s:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /QUITTANCE_READY (\{.*\})/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveReady(JSON.parse(m[1]) as { apiUrl: string; smtpPort: number });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local cloud exited with ${code}:\n${out}`));
    });
  });
  return {
    ...ready,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null) return resolveStop(child.exitCode);
        child.once('exit', (code) => resolveStop(code));
        child.kill(signal);
      }),
  };
};
