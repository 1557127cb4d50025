import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QUIET_SDK_LOGGER, setInProcessTransports } from '../../shared/adapters/aws/clients.ts';
import type { FunctionName } from '../topology.ts';
import { topology } from '../topology.ts';
import type { QueueSpec } from '../topology-types.ts';
import { makeAccountingStandIn } from './accounting-standin.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { type BusEvent, makeEventBus } from './event-bus.ts';
import { startLocalS3Sqs } from './fauxqs.ts';
import { makeFunctionRuntime } from './function-runtime.ts';
import { type HttpRoute, startHttpApi } from './http-api.ts';
import { makeLocalIdentity } from './identity.ts';
import { inProcessHttpHandler } from './in-process-transport.ts';
import { LOCAL_WEBHOOK_SECRETS } from './local-secrets.ts';
import { provision } from './provision.ts';
import { redriveQueue, startQueuePoller } from './queue-pollers.ts';
import { findLogin, LOCAL_MAIL_DOMAIN, seedDemoCompany } from './seed.ts';
import { startSesOutbox } from './ses-outbox.ts';
import { startSmtpServer } from './smtp.ts';

export interface LocalCloudOptions {
  /** Where every local service keeps its state (QUITTANCE_DATA_DIR, default .data/). */
  dataDir: string;
  /** 0 picks a free port (tests). */
  apiPort: number;
  smtpPort: number;
  seed?: boolean;
  /** Delays between the 3 delivery attempts of bus events (Lambda async invoke retries). */
  retryDelaysMs?: readonly number[];
  log?: (line: string) => void;
}

export const REGION = 'eu-west-3';

/** The event EventBridge Scheduler sends a function. */
const scheduledEvent = () => ({
  version: '0',
  id: crypto.randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '000000000000',
  time: new Date().toISOString(),
  region: REGION,
  resources: [],
  detail: {},
});

const pick = (env: NodeJS.ProcessEnv, names: string[]) =>
  Object.fromEntries(names.flatMap((n) => (env[n] ? [[n, env[n]]] : [])));
const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/**
 * The whole system on 127.0.0.1, with no AWS account and no Docker: DynamoDB Local, fauxqs (S3 + SQS),
 * the local EventBridge, an SMTP server for inbound mail, the HTTP API with a local JWT issuer, SQS pollers
 * and schedules, all generated from the topology and invoking the same handler modules Lambda runs.
 */
export const startLocalCloud = async (opts: LocalCloudOptions) => {
  const log = opts.log ?? ((line: string) => process.stdout.write(`[local] ${line}\n`));
  const dataDir = resolve(opts.dataDir);
  mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
  const started = Date.now();
  const stoppers: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch((e: unknown) => log(`stop: ${(e as Error).message}`));
    stoppers.length = 0;
  };

  try {
    const bus = makeEventBus({ dataDir, region: REGION, log, retryDelaysMs: opts.retryDelaysMs });
    stoppers.push(() => bus.stop());

    // Object-created events may fire before we know the S3 client: queue them until it is ready.
    let onObjectCreated: (bucket: string, key: string) => void = () => undefined;
    const [ddbLocal, fauxqs, busApi, outbox] = await Promise.all([
      startDynamoDbLocal({ dbPath: join(dataDir, 'dynamodb') }),
      startLocalS3Sqs({
        dataDir: join(dataDir, 'fauxqs'),
        onObjectCreated: (e) => onObjectCreated(e.bucket, e.key),
      }),
      bus.startApi(),
      startSesOutbox(dataDir),
    ]);
    log(`DynamoDB Local: SQLite ${ddbLocal.sqlite}; S3/SQS emulator queues: SQLite ${fauxqs.sqlite}`);
    stoppers.push(
      () => ddbLocal.stop(),
      () => fauxqs.stop(),
      () => new Promise((r) => busApi.server.close(r)),
    );

    // The functions' SDK clients find the emulators through the SDK's own endpoint variables.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: ddbLocal.endpoint,
      AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
      AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: busApi.endpoint,
      AWS_ENDPOINT_URL_SESV2: outbox.endpoint,
      MAIL_FROM: `receipts@${LOCAL_MAIL_DOMAIN}`,
      ...LOCAL_WEBHOOK_SECRETS,
      ...pick(process.env, Object.keys(LOCAL_WEBHOOK_SECRETS)),
      S3_FORCE_PATH_STYLE: 'true',
      STAGE: 'local',
      POWERTOOLS_METRICS_NAMESPACE: 'Quittance',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    });
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const logger = QUIET_SDK_LOGGER;
    const ddb = new DynamoDBClient({ region: REGION, endpoint: ddbLocal.endpoint, credentials, logger });
    const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
    // SDK clients in this process reach the in-process emulators without a socket (QUITTANCE_LOOPBACK=1: over TCP).
    const viaSocket = process.env.QUITTANCE_LOOPBACK === '1';
    const s3sqsHandler = viaSocket ? undefined : inProcessHttpHandler(fauxqs.requestListener);
    const busHandler = viaSocket
      ? undefined
      : inProcessHttpHandler((req, res) => busApi.server.emit('request', req, res));
    setInProcessTransports({ s3: s3sqsHandler, sqs: s3sqsHandler, eventBridge: busHandler });
    const s3 = new S3Client({
      region: REGION,
      endpoint: fauxqs.endpoint,
      credentials,
      logger,
      forcePathStyle: true,
      ...(s3sqsHandler ? { requestHandler: s3sqsHandler } : {}),
    });
    const sqs = new SQSClient({
      region: REGION,
      endpoint: fauxqs.endpoint,
      credentials,
      logger,
      ...(s3sqsHandler ? { requestHandler: s3sqsHandler } : {}),
    });

    const { env, names, queueUrls } = await provision({ ddb, s3, sqs });
    Object.assign(process.env, env);
    const table = env.TABLE_MAIN ?? '';

    const runtime = makeFunctionRuntime(PROJECT_ROOT, log);
    const functions = Object.entries(topology.functions) as [FunctionName, (typeof topology.functions)[FunctionName]][];

    // Rules: application events, S3 object-created on the default bus, and queue subscriptions.
    for (const [name, spec] of functions) {
      const t = spec.trigger;
      if (t.type === 'event') {
        bus.addRule({
          name: `fn:${name}`,
          bus: names.bus,
          pattern: t.pattern,
          deliver: (e) => runtime.invoke(name, e).then(() => undefined),
        });
      } else if (t.type === 'objectCreated') {
        bus.addRule({
          name: `fn:${name}`,
          bus: 'default',
          pattern: {
            source: ['aws.s3'],
            'detail-type': ['Object Created'],
            detail: { bucket: { name: [names.bucket(t.bucket)] }, object: { key: [{ prefix: t.prefix }] } },
          },
          deliver: (e) => runtime.invoke(name, e).then(() => undefined),
        });
      }
    }
    for (const [logical, spec] of Object.entries(topology.queues) as [string, QueueSpec][]) {
      const q = queueUrls[logical];
      if (spec.subscribe && q) {
        bus.addRule({
          name: `queue:${logical}`,
          bus: names.bus,
          pattern: spec.subscribe,
          // EventBridge delivers to SQS inside AWS, not through anyone's SDK: the emulator's own sendMessage saves
          // a signed HTTP round trip per event on the local cloud's one thread (FIFO targets keep the SDK path).
          deliver: async (e: BusEvent) => {
            if (spec.fifo) {
              await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: JSON.stringify(e) }));
            } else {
              fauxqs.sendMessage(names.queue(logical, spec), JSON.stringify(e), REGION);
            }
          },
        });
      }
    }

    const objectCreated = (bucket: string, key: string, size: number, etag: string, requestId: string) => ({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      time: new Date().toISOString(),
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: '0',
        bucket: { name: bucket },
        object: { key, size, etag, sequencer: Date.now().toString(16) },
        'request-id': requestId,
        requester: '000000000000',
        'source-ip-address': '127.0.0.1',
        reason: 'PutObject',
      },
    });
    onObjectCreated = (bucket, key) => {
      // As in AWS, where only the buckets and prefixes the topology routes emit anything: an object nobody listens
      // for (a raw card webhook body, a journal entry's payload) costs no HeadObject and no bus event.
      if (!bus.routes('default', objectCreated(bucket, key, 0, '', 'local'))) return;
      void s3
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .then((head) =>
          bus.put(
            'default',
            objectCreated(
              bucket,
              key,
              head.ContentLength ?? 0,
              (head.ETag ?? '').replaceAll('"', ''),
              head.$metadata.requestId ?? 'local',
            ),
          ),
        )
        .catch((error: unknown) =>
          log(`object-created event for s3://${bucket}/${key} failed: ${(error as Error).message}`),
        );
    };

    // Queue consumers behave like Lambda event source mappings.
    const pollers: { stop(): Promise<void> }[] = [];
    for (const [name, spec] of functions) {
      const t = spec.trigger;
      if (t.type !== 'queue') continue;
      const q = queueUrls[t.queue];
      const qspec = (topology.queues as Record<string, QueueSpec>)[t.queue];
      if (!q || !qspec) continue;
      const queueName = names.queue(t.queue, qspec);
      // Like Lambda scaling an SQS event source up to its maximum concurrency: that many pollers.
      for (let i = 0; i < (t.maxConcurrency ?? 2); i++) {
        const poller = startQueuePoller(
          sqs,
          {
            functionName: name,
            queueUrl: q.url,
            queueArn: q.arn,
            batchSize: t.batchSize,
            ...(t.maxBatchingWindowSeconds ? { maxBatchingWindowSeconds: t.maxBatchingWindowSeconds } : {}),
            // QUITTANCE_MAX_VISIBILITY_S (tests): a failed batch is retried within seconds, not minutes.
            visibilityTimeoutSeconds: Math.min(
              qspec.visibilityTimeoutSeconds,
              Number(process.env.QUITTANCE_MAX_VISIBILITY_S ?? Number.POSITIVE_INFINITY),
            ),
            invoke: (e) => runtime.invoke(name, e),
            // Lambda's long poll: idle, a poller asks once per 20 s (the emulator answers as soon as a message
            // comes), and its stop ends the wait.
            longPollSeconds: 20,
            wake: () => fauxqs.wake(queueName),
          },
          REGION,
          log,
        );
        pollers.push(poller);
      }
    }
    // Stopped together: each wakes its receive and finishes its batch, side by side (one after the other, with
    // one-second polls, Ctrl-C took 15 s).
    stoppers.push(() => Promise.all(pollers.map((p) => p.stop())));

    // Schedules: rate(N unit) expressions fire on timers like EventBridge Scheduler.
    for (const [name, spec] of functions) {
      const t = spec.trigger;
      if (t.type !== 'schedule') continue;
      const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(t.expression);
      if (!m) throw new Error(`${name}: unsupported schedule expression ${t.expression}`);
      const unit = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 }[m[2] as 'day'];
      const timer = setInterval(
        () => void runtime.invoke(name, scheduledEvent()).catch(() => undefined),
        Number(m[1]) * unit * 1000,
      );
      timer.unref();
      stoppers.push(async () => clearInterval(timer));
    }

    // HTTP API and the local identity provider (the issuer needs the port, known once listening).
    let identity: Awaited<ReturnType<typeof makeLocalIdentity>> | undefined;
    const routes: HttpRoute[] = functions.flatMap(([name, spec]) =>
      spec.trigger.type === 'http'
        ? spec.trigger.routes.map((routeKey) => ({
            routeKey,
            auth: spec.trigger.type === 'http' ? spec.trigger.auth : 'jwt',
            invoke: (event: unknown) => runtime.invoke(name, event),
          }))
        : [],
    );
    let smtpPort = 0;
    let ready = false;
    const accounting = makeAccountingStandIn(dataDir);
    const health = async () => {
      const checks = await Promise.allSettled([
        ddb.send(new ListTablesCommand({})),
        s3.send(new ListBucketsCommand({})),
        sqs.send(new ListQueuesCommand({})),
      ]);
      const services = {
        dynamodb: checks[0].status === 'fulfilled' ? 'ok' : 'down',
        s3: checks[1].status === 'fulfilled' ? 'ok' : 'down',
        sqs: checks[2].status === 'fulfilled' ? 'ok' : 'down',
        smtp: smtpPort ? 'ok' : 'down',
        eventBus: busApi.server.listening ? 'ok' : 'down',
        identity: identity ? 'ok' : 'down',
        startup: ready ? 'ok' : 'starting',
      };
      return { ok: Object.values(services).every((s) => s === 'ok'), services };
    };
    const api = await startHttpApi({
      port: opts.apiPort,
      routes,
      log,
      verifyToken: (token) => {
        if (!identity) throw new Error('identity provider not ready');
        return identity.verify(token);
      },
      local: async (req, body) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (req.method === 'GET' && path === '/health') {
          const h = await health();
          return { status: h.ok ? 200 : 503, body: { status: h.ok ? 'ok' : 'starting', services: h.services } };
        }
        if (path.startsWith('/_local/accounting/')) {
          const answer = accounting.handle(req.method ?? 'GET', path, req.headers, body);
          if (answer) return answer;
        }
        const schedule = /^\/_local\/schedules\/([A-Za-z]+)\/run$/.exec(path);
        if (req.method === 'POST' && schedule) {
          const name = schedule[1] as FunctionName;
          if (topology.functions[name]?.trigger.type !== 'schedule') {
            return { status: 404, body: { error: 'not_found', message: `no scheduled function ${schedule[1]}` } };
          }
          let detail: Record<string, unknown> = {};
          try {
            detail = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
          } catch {
            return {
              status: 400,
              body: { error: 'validation_failed', message: 'body must be JSON (the event detail)' },
            };
          }
          // ?time=ISO runs the schedule as if fired then (the event's `time`, as EventBridge stamps it).
          const time = new URL(req.url ?? '/', 'http://x').searchParams.get('time');
          if (time !== null && Number.isNaN(Date.parse(time))) {
            return { status: 400, body: { error: 'validation_failed', message: 'time must be an ISO 8601 date-time' } };
          }
          const fired = { ...scheduledEvent(), ...(time ? { time: new Date(time).toISOString() } : {}) };
          const result = await runtime.invoke(name, { ...fired, detail });
          return { status: 200, body: { result } };
        }
        const redrive = /^\/_local\/queues\/([A-Za-z]+)\/redrive$/.exec(path);
        if (req.method === 'POST' && redrive) {
          const q = queueUrls[redrive[1] ?? ''];
          if (!q) return { status: 404, body: { error: 'not_found', message: `no queue ${redrive[1]}` } };
          return { status: 200, body: { moved: await redriveQueue(sqs, q.dlqUrl, q.url) } };
        }
        if (req.method === 'GET' && path === '/_local/info') {
          // Operators' and benchmarks' view of the local resources (never exposed in AWS).
          return {
            status: 200,
            body: { endpoints: { dynamodb: ddbLocal.endpoint, s3sqs: fauxqs.endpoint }, queues: queueUrls, env },
          };
        }
        if (req.method === 'GET' && path === '/_local/outbox') {
          const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
          return { status: 200, body: { items: outbox.list().filter((m) => !to || m.to.includes(to)) } };
        }
        if (req.method === 'GET' && path === '/_local/idp/.well-known/jwks.json' && identity) {
          return { status: 200, body: identity.jwks };
        }
        if (req.method === 'POST' && path === '/_local/token' && identity) {
          let email = '';
          try {
            email = String((JSON.parse(body.toString('utf8')) as { email?: unknown }).email ?? '');
          } catch {
            return { status: 400, body: { error: 'validation_failed', message: 'body must be JSON {"email": "…"}' } };
          }
          const user = email ? await findLogin(doc, table, email) : null;
          if (!user)
            return { status: 404, body: { error: 'not_found', message: `no active user with login ${email}` } };
          return { status: 200, body: await identity.sign(user) };
        }
        return null;
      },
    });
    stoppers.push(() => new Promise((r) => api.server.close(r)));
    // Functions read their settings when first invoked, which happens after this.
    process.env.ACCOUNTING_API_URL ??= `${api.url}/_local/accounting`;
    process.env.PUBLIC_API_URL ??= api.url;
    // Webhook endpoints may be plain http on 127.0.0.1 / localhost here (receivers in development and tests).
    process.env.WEBHOOKS_ALLOW_LOOPBACK_HTTP ??= 'true';
    identity = await makeLocalIdentity({
      keyFile: join(dataDir, 'identity', 'local-jwk.json'),
      issuer: `${api.url}/_local/idp`,
    });

    const smtp = await startSmtpServer({
      port: opts.smtpPort,
      domain: LOCAL_MAIL_DOMAIN,
      s3,
      bucket: env.BUCKET_RAW_MAIL ?? '',
      log,
    });
    smtpPort = smtp.port;
    stoppers.push(() => new Promise<void>((r) => smtp.server.close(() => r())));

    const seeded = opts.seed === false ? false : await seedDemoCompany(doc, table);
    const replayed = bus.replayPending();
    if (replayed) log(`redelivering ${replayed} event(s) left pending by the previous run`);
    ready = true;

    return {
      apiUrl: api.url,
      apiPort: api.port,
      smtpPort: smtp.port,
      dataDir,
      seeded,
      startedInMs: Date.now() - started,
      endpoints: { dynamodb: ddbLocal.endpoint, s3sqs: fauxqs.endpoint, eventBridge: busApi.endpoint },
      env: { ...env },
      bus,
      health,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

export type LocalCloud = Awaited<ReturnType<typeof startLocalCloud>>;
