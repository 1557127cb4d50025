import { resolve } from 'node:path';
import { type LocalCloud, startLocalCloud } from './cloud.ts';
import { DEMO_COMPANY, DEMO_USERS } from './seed.ts';

/** `npm start`: the whole system on 127.0.0.1; Ctrl-C (SIGINT) or SIGTERM stops every part, Java included. */
const dataDir = resolve(process.env.QUITTANCE_DATA_DIR ?? '.data');
const apiPort = Number(process.env.PORT ?? 3000);
const smtpPort = Number(process.env.SMTP_PORT ?? 2525);

const retryDelaysMs = process.env.QUITTANCE_RETRY_DELAYS_MS?.split(',').map(Number);
// Read before anything else: if whatever started us dies without passing a signal on (npm kills its shell
// wrapper, the shell does not forward), we are re-parented and must stop too.
const initialParent = process.ppid;

let cloud: LocalCloud | undefined;
let stopping = false;
const shutdown = async (reason: string, code: number) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n[local] ${reason}: stopping…\n`);
  const force = setTimeout(() => process.exit(code), 15_000);
  force.unref();
  await starting.catch(() => undefined); // a signal during start-up stops what has started
  await cloud?.stop();
  process.stdout.write('[local] stopped\n');
  process.exit(code);
};
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('SIGHUP', () => void shutdown('SIGHUP', 0));
setInterval(() => {
  if (process.ppid !== initialParent) void shutdown('parent process exited', 0);
}, 500).unref();
process.on('uncaughtException', (error) => {
  process.stderr.write(`[local] uncaught: ${error.stack ?? error.message}\n`);
  void shutdown('uncaught exception', 1);
});
process.on('unhandledRejection', (error) => {
  process.stderr.write(`[local] unhandled rejection: ${(error as Error)?.stack ?? String(error)}\n`);
});

const starting = startLocalCloud({ dataDir, apiPort, smtpPort, retryDelaysMs });
cloud = await starting.catch((error: unknown) => {
  process.stderr.write(`Quittance local cloud failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
if (stopping) await new Promise(() => undefined); // shutdown() exits the process

// Machine-readable line for the test harness (which starts the cloud on random ports).
if (process.env.QUITTANCE_READY_LINE) {
  process.stdout.write(
    `QUITTANCE_READY ${JSON.stringify({ apiUrl: cloud.apiUrl, smtpPort: cloud.smtpPort, pid: process.pid })}\n`,
  );
}

const alice = DEMO_USERS.find((u) => u.userId === 'u_alice');
process.stdout.write(
  [
    '',
    `Quittance local cloud is up in ${(cloud.startedInMs / 1000).toFixed(1)} s${cloud.seeded ? ' (demo company seeded)' : ''}`,
    '',
    `  HTTP API     ${cloud.apiUrl}          health: ${cloud.apiUrl}/health`,
    `  SMTP (in)    127.0.0.1:${cloud.smtpPort}              receipts address: ${DEMO_COMPANY.receiptsAddress}`,
    `  DynamoDB     ${cloud.endpoints.dynamodb}`,
    `  S3 + SQS     ${cloud.endpoints.s3sqs}`,
    `  Data         ${cloud.dataDir}`,
    '',
    `Demo users (company "demo"): ${DEMO_USERS.map((u) => `${u.email} [${u.roles.join(',')}]`).join(', ')}`,
    '',
    'Try it:',
    '  npm run demo                                   # sends a receipt e-mail and lists it through the API',
    `  swaks --server 127.0.0.1:${cloud.smtpPort} --from ${alice?.email} --to ${DEMO_COMPANY.receiptsAddress} --attach receipt.pdf`,
    '  TOKEN=$(npx quittance token --email finance@demo.quittance.local)',
    `  curl -H "Authorization: Bearer $TOKEN" ${cloud.apiUrl}/receipts`,
    '',
    'Ctrl-C stops everything; data stays in the data folder for the next start.',
    '',
  ].join('\n'),
);
