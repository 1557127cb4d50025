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
  stop(): Promise<void>;
}

/**
 * fauxqs (S3 + SQS emulator) with its state persisted under dataDir (SQLite for queues, files for objects).
 * Two gaps of fauxqs are closed here:
 * - startFauxqs() listens on 0.0.0.0 whatever `host` says; we rewrite that one bind to 127.0.0.1 while it starts,
 *   because its own buildApp().listen() path would lose the persistence startFauxqs wires.
 * - It emits no S3 notifications; its message spy sees every upload, and we turn those into callbacks
 *   (the local cloud then emits the real "Object Created" event).
 */
export const startLocalS3Sqs = async (opts: {
  dataDir: string;
  port?: number;
  onObjectCreated: (e: ObjectCreated) => void;
}): Promise<Fauxqs> => {
  const originalListen = net.Server.prototype.listen;
  // biome-ignore lint/suspicious/noExplicitAny: net.Server.listen has many overloads; we only rewrite the host.
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: any[]) {
    const [first, second] = args;
    if (first && typeof first === 'object' && (first.host === '0.0.0.0' || first.host === undefined)) {
      args[0] = { ...first, host: '127.0.0.1' };
    } else if (typeof first === 'number' && (second === '0.0.0.0' || typeof second !== 'string')) {
      args.splice(1, typeof second === 'string' ? 1 : 0, '127.0.0.1');
    }
    return originalListen.apply(this, args as Parameters<typeof originalListen>);
  } as typeof originalListen;
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
    stop: () => server.stop(),
  };
};
