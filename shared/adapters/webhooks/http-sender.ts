import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { parseRetryAfter, type SendResult, type WebhookSenderPort } from '../../domain/webhooks/delivery.ts';
import { forbiddenAddress } from '../../domain/webhooks/url-guard.ts';

/** How much of an answer is read (the log keeps an excerpt); the rest is discarded unread. */
const MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * Resolves like the system resolver, then refuses the connection when any address is one the URL guard forbids:
 * the check runs on the address the socket actually connects to, so a public name that resolves to a private
 * address, or is re-pointed after the endpoint was registered (DNS rebinding), is refused at send time.
 */
export const guardedLookup =
  (allowLoopback: boolean): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as LookupAddress[];
      const refused = list.map((a) => forbiddenAddress(a.address, { allowLoopback })).find((r) => r !== null);
      if (refused || list.length === 0) {
        const e = Object.assign(new Error(`refused to connect: ${hostname} resolves to ${refused ?? 'nothing'}`), {
          code: 'EWEBHOOKADDR',
        });
        return callback(e, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };

/**
 * POSTs webhook deliveries with node:http(s): a hard deadline over the whole exchange, redirects not followed
 * (a 3xx is an answer like any other non-2xx), at most 16 KiB of the answer read, the guarded resolver above.
 */
export const makeHttpWebhookSender = (opts: { allowLoopback: boolean; now?: () => Date }): WebhookSenderPort => ({
  post: (url, headers, body, timeoutMs) =>
    new Promise<SendResult>((resolve) => {
      const target = new URL(url);
      const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const done = (r: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup: guardedLookup(opts.allowLoopback),
          agent: false,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () =>
            done({
              kind: 'response',
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ...(() => {
                const ms = parseRetryAfter(
                  res.headers['retry-after'] as string | undefined,
                  (opts.now ?? (() => new Date()))(),
                );
                return ms === undefined ? {} : { retryAfterMs: ms };
              })(),
            });
          res.on('data', (c: Buffer) => {
            if (size < MAX_RESPONSE_BYTES) chunks.push(c.subarray(0, MAX_RESPONSE_BYTES - size));
            size += c.length;
            if (size >= MAX_RESPONSE_BYTES) {
              finish();
              res.destroy();
            }
          });
          res.on('end', finish);
          res.on('error', finish);
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        done({ kind: 'error', message: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) =>
        done({ kind: 'error', message: error.code ? `${error.code}: ${error.message}` : error.message }),
      );
      req.end(body);
    }),
});
