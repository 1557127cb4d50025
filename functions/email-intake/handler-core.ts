import type { Logger } from '@aws-lambda-powertools/logger';
import { type S3ObjectCreatedEvent, s3ObjectCreatedEvent } from '../../events/s3.ts';
import { parseInboundEmail } from '../../shared/adapters/mail/parse-mime.ts';
import {
  type IngestEmailDeps,
  type IngestEmailResult,
  ingestEmail,
} from '../../shared/domain/receipts/ingest-email.ts';

export interface EmailIntakeDeps extends IngestEmailDeps {
  rawMailBucket: string;
  readRaw: (bucket: string, key: string) => Promise<Uint8Array>;
}

/**
 * S3 "Object Created" (raw MIME stored by SES, or by the local SMTP server) → receipts.
 * The raw message is already safe in S3 before this runs; a failure here is retried by the platform
 * and the message is never lost.
 */
export const makeHandler =
  (deps: EmailIntakeDeps, logger: Pick<Logger, 'info' | 'warn'>) =>
  async (event: unknown): Promise<IngestEmailResult> => {
    const e: S3ObjectCreatedEvent = s3ObjectCreatedEvent.parse(event);
    const { name: bucket } = e.detail.bucket;
    const { key } = e.detail.object;
    if (bucket !== deps.rawMailBucket) throw new Error(`unexpected bucket ${bucket}`);
    const raw = await deps.readRaw(bucket, key);
    const mail = await parseInboundEmail(raw, {
      mailId: key.slice(key.lastIndexOf('/') + 1),
      rawObject: { bucket, key },
      storedAt: e.time,
    });
    const result = await ingestEmail(deps, mail);
    if (result.outcome === 'quarantined') {
      logger.warn('inbound mail quarantined', { key, reason: result.reason, from: mail.from });
    } else {
      logger.info('inbound mail turned into receipts', { key, ...result });
    }
    return result;
  };
