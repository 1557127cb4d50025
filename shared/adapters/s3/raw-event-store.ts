import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RawEventStore } from '../../ports/cards.ts';
import { putObject } from './document-store.ts';

/** Every verified webhook, as received (headers without secrets, body byte for byte), before it is parsed. */
export const makeS3RawEventStore = (s3: S3Client, bucket: string): RawEventStore => ({
  async put(raw) {
    const day = raw.receivedAt.slice(0, 10).replaceAll('-', '/');
    const digest = createHash('sha256').update(raw.body).digest('hex').slice(0, 16);
    const key = `webhooks/${raw.processor}/${day}/${raw.receivedAt}-${digest}.json`;
    await putObject(s3, {
      Bucket: bucket,
      Key: key,
      Body: Buffer.from(JSON.stringify(raw)),
      ContentType: 'application/json',
    });
    return { key };
  },
});
