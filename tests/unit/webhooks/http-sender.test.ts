import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHttpWebhookSender } from '../../../shared/adapters/webhooks/http-sender.ts';

let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/elsewhere' });
      return void res.end();
    }
    if (req.url === '/busy') {
      res.writeHead(503, { 'retry-after': '120' });
      return void res.end('busy');
    }
    if (req.url === '/big') return void res.end('x'.repeat(100_000));
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => res.end(`got ${req.headers['webhook-id']} ${body}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://localhost:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('webhook HTTP sender', () => {
  const local = makeHttpWebhookSender({ allowLoopback: true });

  it('posts the body with the headers and reads the answer', async () => {
    expect(await local.post(`${base}/ok`, { 'webhook-id': 'evt_1' }, '{"a":1}', 1_000)).toEqual({
      kind: 'response',
      status: 200,
      body: 'got evt_1 {"a":1}',
    });
  });

  it('refuses to connect when the name resolves to a forbidden address (checked at connection time)', async () => {
    const before = hits.length;
    const r = await makeHttpWebhookSender({ allowLoopback: false }).post(`${base}/ok`, {}, '{}', 1_000);
    expect(r).toMatchObject({ kind: 'error', message: expect.stringContaining('refused to connect: localhost') });
    expect(hits.length).toBe(before);
  });

  it('gives up after the timeout, does not follow redirects, reads Retry-After, bounds what it reads', async () => {
    expect(await local.post(`${base}/slow`, {}, '{}', 200)).toEqual({
      kind: 'error',
      message: 'no answer within 200 ms',
    });
    expect(await local.post(`${base}/redirect`, {}, '{}', 1_000)).toMatchObject({ kind: 'response', status: 302 });
    expect(hits).not.toContain('/elsewhere');
    expect(await local.post(`${base}/busy`, {}, '{}', 1_000)).toMatchObject({ status: 503, retryAfterMs: 120_000 });
    const big = await local.post(`${base}/big`, {}, '{}', 1_000);
    expect(big.kind === 'response' && big.body.length).toBe(16 * 1024);
  });
});
