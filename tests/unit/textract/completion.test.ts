import { describe, expect, it } from 'vitest';
import {
  parseTextractCompletion,
  textractCompletionSchema,
} from '../../../shared/adapters/textract/textract-completion.ts';

// The shape Textract publishes (AWS docs, "Calling Amazon Textract asynchronous operations").
const message = {
  JobId: '6b9d3b8e6c1f4b8e9f3a7f2d1c0b9a8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a',
  Status: 'SUCCEEDED',
  API: 'StartExpenseAnalysis',
  JobTag: 'c1:r1',
  Timestamp: 1718862439000,
  DocumentLocation: { S3ObjectName: 'c1/r1/invoice.pdf', S3Bucket: 'quittance-documents' },
};

describe('Textract SNS completion message', () => {
  it('parses the raw message (object or JSON string)', () => {
    expect(parseTextractCompletion(message)).toEqual({ ok: true, completion: message });
    expect(parseTextractCompletion(JSON.stringify(message))).toEqual({ ok: true, completion: message });
  });

  it('parses it inside an SNS envelope (SQS without raw delivery) and a Lambda SNS record', () => {
    const envelope = { Type: 'Notification', MessageId: 'm1', TopicArn: 'arn:t', Message: JSON.stringify(message) };
    expect(parseTextractCompletion(JSON.stringify(envelope))).toMatchObject({
      ok: true,
      completion: { JobId: message.JobId },
    });
    const record = { EventSource: 'aws:sns', Sns: { Message: JSON.stringify(message) } };
    expect(parseTextractCompletion(record)).toMatchObject({ ok: true, completion: { JobTag: 'c1:r1' } });
  });

  it.each(['FAILED', 'ERROR'])('accepts the %s status', (Status) => {
    expect(textractCompletionSchema.parse({ ...message, Status }).Status).toBe(Status);
  });

  it('JobTag is optional; a stringified Timestamp becomes a number', () => {
    const { JobTag: _, ...noTag } = message;
    const r = textractCompletionSchema.parse({ ...noTag, Timestamp: '1718862439000' });
    expect(r.JobTag).toBeUndefined();
    expect(r.Timestamp).toBe(1718862439000);
  });

  it.each([
    ['an unknown status', { ...message, Status: 'IN_PROGRESS' }, /Status/],
    ['no DocumentLocation', { ...message, DocumentLocation: undefined }, /DocumentLocation/],
    ['no JobId', { ...message, JobId: '' }, /JobId/],
    ['another API', { ...message, API: 'StartDocumentTextDetection' }, /not StartExpenseAnalysis/],
    ['not JSON', 'not json {', /not JSON/],
  ])('refuses %s', (_name, input, error) => {
    const r = parseTextractCompletion(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(error);
  });
});
