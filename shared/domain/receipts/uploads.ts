import { z } from 'zod';
import type { Directory } from '../../ports/directory.ts';
import type { DocumentStore } from '../../ports/document-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { sniffReceiptKind } from './attachments.ts';
import type { Receipt } from './receipt.ts';
import { type RegisterDocumentDeps, registerDocument } from './register-document.ts';

/** Content types an upload may declare (the bytes are checked again when the file arrives). */
export const UPLOAD_CONTENT_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/tiff',
  'image/heic',
  'image/heif',
  'application/xml',
  'text/xml',
] as const;

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const UPLOAD_URL_TTL_SECONDS = 900;

/** A file name as given by a person: no path, no control characters (it becomes part of an S3 key). */
export const fileNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((n) => ![...n].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20), {
    error: 'must not contain slashes or control characters',
  });

export const uploadRequestSchema = z.object({
  fileName: fileNameSchema,
  contentType: z.enum(UPLOAD_CONTENT_TYPES, { error: `must be one of ${UPLOAD_CONTENT_TYPES.join(', ')}` }),
  size: z
    .number()
    .int()
    .positive()
    .max(MAX_UPLOAD_BYTES, { error: `must be at most ${MAX_UPLOAD_BYTES} bytes (10 MB)` }),
});
export type UploadRequest = z.infer<typeof uploadRequestSchema>;

/** uploads/<company>/<employee>/<upload id>/<file name>: who uploaded is in the key the API chose, not in the file. */
export const uploadKey = (companyId: string, employeeId: string, uploadId: string, fileName: string) =>
  `uploads/${companyId}/${employeeId}/${uploadId}/${encodeURIComponent(fileName)}`;

export const parseUploadKey = (key: string) => {
  const m = /^uploads\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(key);
  if (!m) return null;
  const [, companyId = '', employeeId = '', uploadId = '', file = ''] = m;
  let fileName = file;
  try {
    fileName = decodeURIComponent(file);
  } catch {
    // keep the raw segment
  }
  return { companyId, employeeId, uploadId, fileName };
};

/** Issues a presigned PUT for one receipt file of the calling employee. */
export const createUpload = async (
  deps: { documents: DocumentStore; newId: () => string; now: () => Date },
  input: { companyId: string; employeeId: string; request: UploadRequest },
) => {
  const uploadId = deps.newId();
  const key = uploadKey(input.companyId, input.employeeId, uploadId, input.request.fileName);
  const url = await deps.documents.presignPut({
    key,
    contentType: input.request.contentType,
    contentLength: input.request.size,
    expiresInSeconds: UPLOAD_URL_TTL_SECONDS,
  });
  return {
    uploadId,
    method: 'PUT' as const,
    url,
    headers: { 'content-type': input.request.contentType, 'content-length': String(input.request.size) },
    expiresAt: new Date(deps.now().getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
  };
};

export interface IngestUploadDeps extends RegisterDocumentDeps {
  directory: Directory;
  events: EventPublisher;
}

/**
 * A file arrived under uploads/: it becomes a receipt of the employee the API issued the link to, through the
 * same registration as e-mailed receipts (duplicate files detected, ReceiptReceived published). A file whose
 * bytes are no receipt format (whatever its declared type) becomes a failed receipt with the reason, kept.
 */
export const ingestUpload = async (
  deps: IngestUploadDeps,
  input: { bucket: string; key: string; receivedAt: string; bytes: Uint8Array },
): Promise<{ receipt: Receipt } | { ignored: string }> => {
  const parsed = parseUploadKey(input.key);
  if (!parsed) return { ignored: `object ${input.key} is not an upload key` };
  const user = await deps.directory.user(parsed.companyId, parsed.employeeId);
  if (!user) return { ignored: `upload ${parsed.uploadId} names an unknown user` };
  const tooLarge = input.bytes.length > MAX_UPLOAD_BYTES;
  const { receipt, event } = await registerDocument(deps, {
    companyId: parsed.companyId,
    employeeId: parsed.employeeId,
    receiptId: `rcpt_${parsed.uploadId}`,
    bytes: tooLarge ? input.bytes.subarray(0, 0) : input.bytes,
    kind: tooLarge ? null : sniffReceiptKind(input.bytes),
    fileName: parsed.fileName,
    source: { channel: 'upload', uploadId: parsed.uploadId, rawObject: { bucket: input.bucket, key: input.key } },
    receivedAt: input.receivedAt,
    actor: `user:${parsed.employeeId}`,
    note: `uploaded (${parsed.fileName})`,
  });
  if (event) await deps.events.publish([event]);
  return { receipt };
};
