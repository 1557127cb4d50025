import type { RequestListener } from 'node:http';
import net from 'node:net';
import { startFauxqs } from 'fauxqs';

export interface ObjectCreated {
  bucket: string;
  key: string;
  reason: 'PutObject' | 'CopyObject';
}

export interface Fauxqs {
  endpoint: string;
  port: number;
  /** The queue database's SQLite settings as read back ("wal, synchronous=normal"). */
  sqlite: string;
  /** Enqueues in-process, as SQS's SendMessage does (the local bus's queue targets). */
  sendMessage(queueName: string, body: string, region: string): void;
  /** Its HTTP request listener, for SDK clients in this process (see in-process-transport.ts). */
  requestListener: RequestListener;
  /**
   * Ends the long polls waiting on a queue now (each answers with what the queue holds, maybe nothing): a poller
   * that stops wakes its own receive instead of waiting out its 20 s.
   */
  wake(queueName: string): void;
  stop(): Promise<void>;
}

/**
 * fauxqs (S3 + SQS emulator) with its state persisted under dataDir (SQLite for queues, files for objects).
 * Two gaps of fauxqs are closed here:
 * - startFauxqs() listens on 0.0.0.0 whatever `host` says; we rewrite that one bind to 127.0.0.1 while it starts,
 *   because its own buildApp().listen() path would lose the persistence startFauxqs wires.
 * - It emits no S3 notifications; its message spy sees every upload, and we turn those into callbacks
 *   (the local cloud then emits the real "Object Created" event).
 * - Its queue database (node:sqlite, synchronous, on the event loop) commits every SendMessage, receive and delete
 *   with SQLite's default synchronous=FULL: an fsync each, during which the whole local cloud stands still
 *   (measured: a fifth of the process's CPU profile under 100 card authorizations a second). See relaxQueueFsync.
 */
export const startLocalS3Sqs = async (opts: {
  dataDir: string;
  port?: number;
  onObjectCreated: (e: ObjectCreated) => void;
}): Promise<Fauxqs> => {
  const originalListen = net.Server.prototype.listen;
  let httpServer: net.Server | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: net.Server.listen has many overloads; we only rewrite the host.
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: any[]) {
    httpServer = this;
    const [first, second] = args;
    if (first && typeof first === 'object' && (first.host === '0.0.0.0' || first.host === undefined)) {
      args[0] = { ...first, host: '127.0.0.1' };
    } else if (typeof first === 'number' && (second === '0.0.0.0' || typeof second !== 'string')) {
      args.splice(1, typeof second === 'string' ? 1 : 0, '127.0.0.1');
    }
    return originalListen.apply(this, args as Parameters<typeof originalListen>);
  } as typeof originalListen;
  await relaxQueueFsync();
  await trackWaitingQueues();
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  try {
    server = await startFauxqs({
      port: opts.port ?? 0,
      host: '127.0.0.1',
      logger: false,
      dataDir: `${opts.dataDir}/sqs`,
      s3StorageDir: `${opts.dataDir}/s3`,
      messageSpies: { bufferSize: 100 },
    });
  } finally {
    net.Server.prototype.listen = originalListen;
  }

  // A waiter whose predicate never matches stays registered for good and sees every new spy message.
  void server.spy.waitForMessage((m) => {
    if (m.service === 's3' && (m.status === 'uploaded' || m.status === 'copied')) {
      opts.onObjectCreated({
        bucket: m.bucket,
        key: m.key,
        reason: m.status === 'copied' ? 'CopyObject' : 'PutObject',
      });
    }
    return false;
  });

  return {
    port: server.port,
    endpoint: `http://127.0.0.1:${server.port}`,
    sqlite: queueDbMode,
    sendMessage: (queueName, body, region) => {
      server.sendMessage(queueName, body, { region });
    },
    requestListener: (req, res) => {
      httpServer?.emit('request', req, res);
    },
    wake: (queueName) => waitingQueues.get(queueName)?.cancelWaiters(),
    stop: () => server.stop(),
  };
};

/** fauxqs's queues that had a long poll waiting, by name (their waiters can then be ended: see `wake`). */
const waitingQueues = new Map<string, { cancelWaiters(): void }>();
let tracking = false;
/**
 * fauxqs keeps its queues out of reach; its queue class is reached by the file's URL (the module instance fauxqs
 * loads), and a queue is recorded when a long poll starts waiting on it.
 */
const trackWaitingQueues = async () => {
  if (tracking) return;
  tracking = true;
  type Queue = { name: string; cancelWaiters(): void; waitForMessages(seconds: number): Promise<void> };
  const { SqsQueue } = (await import(new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs')).href)) as {
    SqsQueue: { prototype: Queue };
  };
  const wait = SqsQueue.prototype.waitForMessages;
  SqsQueue.prototype.waitForMessages = function waitForMessages(this: Queue, seconds: number) {
    waitingQueues.set(this.name, this);
    return wait.call(this, seconds);
  };
};

/** What the last queue database opened was left with, read back from SQLite (shown at start, checked by a test). */
let queueDbMode = 'defaults (fauxqs persistence not patched)';
let relaxed = false;
/**
 * WAL with synchronous=NORMAL for fauxqs's queue database: a committed message survives a crash or restart of the
 * process (the WAL is replayed on open); only an OS crash or power cut may lose the last ones. fauxqs opens its
 * database in its PersistenceManager's constructor, which then prepares its statements: the pragma goes in first.
 * The class is not exported, so it is reached by the file's URL (the same module instance fauxqs itself loads).
 */
const relaxQueueFsync = async () => {
  if (relaxed) return;
  relaxed = true;
  type Db = { exec(sql: string): void; prepare(sql: string): { get(): Record<string, unknown> | undefined } };
  const { PersistenceManager } = (await import(new URL('./persistence.js', import.meta.resolve('fauxqs')).href)) as {
    PersistenceManager: { prototype: { db: Db; prepareStatements(): unknown } };
  };
  const prepare = PersistenceManager.prototype.prepareStatements;
  PersistenceManager.prototype.prepareStatements = function prepareStatements(
    this: typeof PersistenceManager.prototype,
  ) {
    this.db.exec('PRAGMA synchronous = NORMAL');
    const journal = this.db.prepare('PRAGMA journal_mode').get()?.journal_mode;
    const sync = this.db.prepare('PRAGMA synchronous').get()?.synchronous; // 1 = NORMAL
    queueDbMode = `${String(journal)}, synchronous=${sync === 1 ? 'normal' : String(sync)}`;
    return prepare.call(this);
  };
};
