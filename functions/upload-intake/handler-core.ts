import type { Logger } from '@aws-lambda-powertools/logger';
import { s3ObjectCreatedEvent } from '../../events/s3.ts';
import { type IngestUploadDeps, ingestUpload } from '../../shared/domain/receipts/uploads.ts';

/** S3 "Object Created" under documents/uploads/ (a presigned PUT completed) → a receipt. */
export const makeHandler =
  (
    deps: IngestUploadDeps & { readObject: (bucket: string, key: string) => Promise<Uint8Array> },
    logger: Pick<Logger, 'info' | 'warn'>,
  ) =>
  async (event: unknown) => {
    const e = s3ObjectCreatedEvent.parse(event);
    const bucket = e.detail.bucket.name;
    const key = e.detail.object.key;
    const bytes = await deps.readObject(bucket, key);
    const result = await ingestUpload(deps, { bucket, key, bytes, receivedAt: e.time });
    if ('ignored' in result) logger.warn('upload ignored', { key, reason: result.ignored });
    else logger.info('upload received', { key, receiptId: result.receipt.id, status: result.receipt.status });
    return result;
  };
