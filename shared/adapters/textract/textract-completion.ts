/**
 * The message Textract publishes to SNS when an asynchronous job (StartExpenseAnalysis) ends:
 * `{ JobId, Status, API, JobTag, Timestamp, DocumentLocation: { S3ObjectName, S3Bucket } }`.
 * It reaches the pipeline raw (SNS → SQS with raw message delivery), inside the SNS envelope (SNS → SQS without it),
 * or inside a Lambda SNS event record: parseTextractCompletion accepts the three.
 */
import { z } from 'zod';

export const textractCompletionSchema = z.object({
  JobId: z.string().min(1),
  Status: z.enum(['SUCCEEDED', 'FAILED', 'ERROR']),
  API: z.string().min(1),
  /** Absent when the job was started without one. */
  JobTag: z.string().optional(),
  /** Milliseconds since the epoch (a number; some relays stringify it). */
  Timestamp: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  DocumentLocation: z.object({
    S3ObjectName: z.string().min(1),
    S3Bucket: z.string().min(1),
  }),
});
export type TextractCompletion = z.infer<typeof textractCompletionSchema>;

const snsEnvelope = z.object({ Type: z.literal('Notification'), Message: z.string() });
const lambdaSnsRecord = z.object({ Sns: z.object({ Message: z.string() }) });

const parseJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

export type CompletionParse = { ok: true; completion: TextractCompletion } | { ok: false; error: string };

/** Reads a completion from a raw message, an SNS envelope or a Lambda SNS record (object or JSON string). */
export const parseTextractCompletion = (input: unknown): CompletionParse => {
  let value = typeof input === 'string' ? parseJson(input) : input;
  if (value === undefined) return { ok: false, error: 'not JSON' };
  const record = lambdaSnsRecord.safeParse(value);
  if (record.success) value = parseJson(record.data.Sns.Message);
  else {
    const envelope = snsEnvelope.safeParse(value);
    if (envelope.success) value = parseJson(envelope.data.Message);
  }
  const parsed = textractCompletionSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, error: `not a Textract completion message: ${z.prettifyError(parsed.error)}` };
  }
  if (!/ExpenseAnalysis$/.test(parsed.data.API)) {
    return { ok: false, error: `a completion for ${parsed.data.API}, not StartExpenseAnalysis` };
  }
  return { ok: true, completion: parsed.data };
};
