import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface OutboxMessage {
  messageId: string;
  sentAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers: { name: string; value: string }[];
}

/**
 * The local stand-in for SES outbound: the SES v2 SendEmail API (REST-JSON, POST /v2/email/outbound-emails),
 * so functions use the real SDK client; every message is kept as a JSON file under <dataDir>/outbox and
 * listed by GET /_local/outbox on the API port.
 */
export const startSesOutbox = (
  dataDir: string,
): Promise<{ server: Server; endpoint: string; list: () => OutboxMessage[] }> => {
  const dir = join(dataDir, 'outbox');
  mkdirSync(dir, { recursive: true });
  const list = (): OutboxMessage[] =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as OutboxMessage);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || !req.url?.startsWith('/v2/email/outbound-emails')) {
        return reply(404, { message: 'only SendEmail is emulated' });
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          FromEmailAddress?: string;
          Destination?: { ToAddresses?: string[] };
          Content?: {
            Simple?: {
              Subject?: { Data?: string };
              Body?: { Text?: { Data?: string } };
              Headers?: { Name: string; Value: string }[];
            };
          };
        };
        const simple = body.Content?.Simple;
        if (!body.Destination?.ToAddresses?.length || !simple) {
          return reply(400, { message: 'Destination.ToAddresses and Content.Simple are required' });
        }
        const sentAt = new Date().toISOString();
        const message: OutboxMessage = {
          messageId: randomUUID(),
          sentAt,
          from: body.FromEmailAddress ?? '',
          to: body.Destination.ToAddresses,
          subject: simple.Subject?.Data ?? '',
          text: simple.Body?.Text?.Data ?? '',
          headers: (simple.Headers ?? []).map((h) => ({ name: h.Name, value: h.Value })),
        };
        writeFileSync(
          join(dir, `${sentAt.replace(/[:.]/g, '-')}-${message.messageId}.json`),
          JSON.stringify(message, null, 2),
        );
        reply(200, { MessageId: message.messageId });
      } catch (error) {
        reply(400, { message: `bad request: ${(error as Error).message}` });
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, endpoint: `http://127.0.0.1:${port}`, list });
    }),
  );
};
