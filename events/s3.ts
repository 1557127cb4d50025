import { z } from 'zod';
import { eventBridgeEnvelope } from './envelope.ts';

/**
 * "Object Created" as S3 sends it to EventBridge (bucket with EventBridge notifications enabled).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
export const s3ObjectCreatedDetail = z.object({
  version: z.string(),
  bucket: z.object({ name: z.string() }),
  object: z.object({
    key: z.string(),
    size: z.number().int().nonnegative().optional(),
    etag: z.string().optional(),
    'version-id': z.string().optional(),
    sequencer: z.string().optional(),
  }),
  'request-id': z.string(),
  requester: z.string(),
  'source-ip-address': z.string().optional(),
  reason: z.string(),
});

export const s3ObjectCreatedEvent = eventBridgeEnvelope('Object Created', s3ObjectCreatedDetail).extend({
  source: z.literal('aws.s3'),
});
export type S3ObjectCreatedEvent = z.infer<typeof s3ObjectCreatedEvent>;
