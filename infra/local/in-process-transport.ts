import type { RequestListener } from 'node:http';
import { Readable } from 'node:stream';
import inject from 'light-my-request';

/**
 * The SDK's HTTP handler for emulators that live in the local cloud's own process (S3/SQS, the event bus): the
 * request the SDK built and signed is handed to the emulator's HTTP request listener without a loopback socket
 * (light-my-request, fastify's own injector, builds the IncomingMessage/ServerResponse pair). Serialization,
 * signing, the emulator's routing and parsing all stay as they are; what goes is the TCP round trip through the
 * kernel: a socket write and read on each side and the HTTP framing, for a call that never leaves the process
 * (QUITTANCE_LOOPBACK=1 puts the sockets back, for comparison). DynamoDB Local is another process and keeps its socket.
 */
interface SdkHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const queryString = (query: SdkHttpRequest['query']): string => {
  const parts: string[] = [];
  for (const key of Object.keys(query ?? {}).sort()) {
    const value = query?.[key];
    if (value === null || value === undefined) parts.push(encode(key));
    else for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encode(key)}=${encode(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
};

const payloadOf = (body: unknown): string | Buffer | NodeJS.ReadableStream | undefined => {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as NodeJS.ReadableStream).pipe === 'function') return body as NodeJS.ReadableStream;
  throw new Error(`in-process transport: unsupported request body (${typeof body})`);
};

export const inProcessHttpHandler = (listener: RequestListener) => ({
  metadata: { handlerProtocol: 'http/1.1' },
  async handle(request: SdkHttpRequest) {
    const res = await inject(listener, {
      method: request.method,
      url: `${request.path}${queryString(request.query)}`,
      headers: request.headers,
      payload: payloadOf(request.body),
      remoteAddress: '127.0.0.1',
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    // The shape of @smithy's HttpResponse (the SDK checks it by shape); the body is a stream, as from a socket.
    return {
      response: {
        statusCode: res.statusCode,
        reason: res.statusMessage,
        headers,
        body: Readable.from([res.rawPayload]),
      },
    };
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs: () => ({}),
  destroy() {},
});
