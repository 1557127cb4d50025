import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DocumentStore } from '../../ports/document-store.ts';

export const makeS3DocumentStore = (s3: S3Client, bucket: string): DocumentStore => ({
  async put({ key, bytes, contentType, metadata }) {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, Metadata: metadata }),
    );
    return { bucket, key };
  },
  async get(ref) {
    const res = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    if (!res.Body) throw new Error(`s3://${ref.bucket}/${ref.key} has no body`);
    return res.Body.transformToByteArray();
  },
  presignGet(ref, expiresInSeconds) {
    return getSignedUrl(s3, new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
      expiresIn: expiresInSeconds,
    });
  },
});

export const readObject = async (s3: S3Client, bucket: string, key: string): Promise<Uint8Array> => {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return res.Body.transformToByteArray();
};
