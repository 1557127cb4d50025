import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DocumentStore } from '../../ports/document-store.ts';

export const makeS3DocumentStore = (s3: S3Client, bucket: string): DocumentStore => ({
  async put({ key, bytes, contentType, contentDisposition, metadata }) {
    await putObject(s3, {
      Bucket: bucket,
      Key: key,
      Body: bytes,
      ContentType: contentType,
      ContentDisposition: contentDisposition,
      Metadata: metadata,
    });
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

/** One PUT for small objects, a multipart upload (8 MB parts) for large ones (e-mails up to 40 MB). */
export const putObject = async (
  s3: S3Client,
  params: ConstructorParameters<typeof PutObjectCommand>[0] & { Body: Uint8Array },
): Promise<void> => {
  if (params.Body.length <= 8 * 1024 * 1024) {
    await s3.send(new PutObjectCommand(params));
    return;
  }
  await new Upload({ client: s3, params, partSize: 8 * 1024 * 1024, queueSize: 2 }).done();
};
