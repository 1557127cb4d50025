import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { SMTPServer } from 'smtp-server';
import { putObject } from '../../shared/adapters/s3/document-store.ts';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * A local stand-in for SES's sender authentication. Offline there is no DNS to check SPF or DKIM, so it applies
 * the part of DMARC that needs none: the From header's domain must align with the envelope sender's domain.
 * A mail whose From claims another domain than the one that sent it (the classic spoof) gets dmarc=fail.
 */
const localAuthenticationResults = (envelopeFrom: string, raw: Buffer): string => {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const headerEnd = head.search(/\r?\n\r?\n/);
  const fromHeader = /^from:(.*(?:\r?\n[ \t].*)*)/im.exec(headerEnd >= 0 ? head.slice(0, headerEnd) : head)?.[1] ?? '';
  const headerAddress = /<([^>]+)>/.exec(fromHeader)?.[1] ?? fromHeader.trim();
  const aligned = !envelopeFrom || !headerAddress || domainOf(envelopeFrom) === domainOf(headerAddress);
  return `Authentication-Results: quittance-local; spf=pass smtp.mailfrom=${envelopeFrom || '<>'}; dkim=none; dmarc=${aligned ? 'pass' : 'fail'} header.from=${domainOf(headerAddress)}`;
};

/** SES accepts messages up to 40 MB. */
const MAX_MESSAGE = 40 * 1024 * 1024;

/**
 * Inbound e-mail as SES receives it: an SMTP server on 127.0.0.1 that accepts mail for the receipts domain,
 * prepends the headers SES adds (Return-Path, Received … for <recipient>, spam/virus verdicts), and stores the raw
 * MIME in the raw-mail bucket under inbound/<message id>, one object per recipient, as SES's S3 action does.
 * The object-created event then drives the same email-intake function as in AWS.
 */
export const startSmtpServer = (opts: {
  port: number;
  domain: string;
  s3: S3Client;
  bucket: string;
  log: (line: string) => void;
}): Promise<{ server: SMTPServer; port: number }> => {
  const inDomain = (address: string) => {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return domain === opts.domain || domain.endsWith(`.${opts.domain}`);
  };
  const server = new SMTPServer({
    name: 'quittance-local-smtp',
    banner: 'Quittance local inbound mail (stores raw MIME like SES)',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!inDomain(address.address)) {
        const error = new Error(`relay denied: this server only receives mail for *.${opts.domain}`) as Error & {
          responseCode: number;
        };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const error = new Error('message exceeds 40 MB') as Error & { responseCode: number };
          error.responseCode = 552;
          return callback(error);
        }
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const auth = localAuthenticationResults(from, raw);
        const date = new Date().toUTCString();
        try {
          for (const rcpt of session.envelope.rcptTo) {
            const messageId = randomBytes(20).toString('hex');
            const headers = [
              `Return-Path: <${from}>`,
              `Received: from ${session.clientHostname} ([${session.remoteAddress}]) by quittance-local-smtp with SMTP id ${messageId} for ${rcpt.address}; ${date}`,
              auth,
              'X-SES-Spam-Verdict: PASS',
              'X-SES-Virus-Verdict: PASS',
              '',
            ].join('\r\n');
            await putObject(opts.s3, {
              Bucket: opts.bucket,
              Key: `inbound/${messageId}`,
              Body: Buffer.concat([Buffer.from(headers), raw]),
              ContentType: 'message/rfc822',
            });
            opts.log(`mail from ${from} for ${rcpt.address} stored as s3://${opts.bucket}/inbound/${messageId}`);
          }
          callback(null, 'stored');
        } catch (error) {
          opts.log(`could not store inbound mail: ${(error as Error).message}`);
          const e = new Error('temporary failure storing the message, try again') as Error & { responseCode: number };
          e.responseCode = 451;
          callback(e);
        }
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      const address = server.server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : opts.port });
    });
  });
};
