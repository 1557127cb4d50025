import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DocumentStore } from '../../ports/document-store.ts';

export const makeS3DocumentStore = (s3: S3Client, bucket: string): DocumentStore => ({
  async put({ key, bytes, contentType, metadata }) {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, Metadata: metadata }),
    );
    return { bucket, key };
  },
  get: (ref) => readObject(s3, ref.bucket, ref.key),
  presignGet(ref, expiresInSeconds, options) {
    const command = new GetObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      ...(options?.attachmentName
        ? { ResponseContentDisposition: `attachment; filename="${options.attachmentName.replace(/[^\w.-]/g, '_')}"` }
        : {}),
      ...(options?.asPlainText ? { ResponseContentType: 'text/plain; charset=utf-8' } : {}),
    });
    return getSignedUrl(s3, command, { expiresIn: expiresInSeconds });
  },
  presignPut({ key, contentType, contentLength, expiresInSeconds }) {
    return getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: contentLength }),
      { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) },
    );
  },
  async head(ref) {
    try {
      const res = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return { size: res.ContentLength ?? 0, contentType: res.ContentType ?? null };
    } catch (error) {
      if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return null;
      throw error;
    }
  },
});

export const readObject = async (s3: S3Client, bucket: string, key: string): Promise<Uint8Array> => {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return res.Body.transformToByteArray();
};
