import {
  AccessDeniedException,
  AnalyzeExpenseCommand,
  BadDocumentException,
  type ExpenseDocument,
  GetExpenseAnalysisCommand,
  type GetExpenseAnalysisResponse,
  InternalServerError,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  StartExpenseAnalysisCommand,
  TextractClient,
  ThrottlingException,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { describe, expect, it } from 'vitest';
import {
  countPdfPages,
  isRetryableTextractError,
  makeSemaphore,
  makeTextractExtractor,
  TEXTRACT_SYNC_MAX_BYTES,
  TextractCallError,
  type TextractCommand,
  type TextractExtractorOptions,
  type TextractSender,
} from '../../../shared/adapters/textract/textract-extractor.ts';
import { mapExpenseResponse } from '../../../shared/adapters/textract/textract-mapper.ts';
import { receiptToJson } from '../../../shared/domain/extraction/model.ts';
import { loadResponse, NOW } from './fixtures.ts';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 3]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const WEBP = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]);
const pdf = (pages: number): Uint8Array =>
  new TextEncoder().encode(
    `%PDF-1.4\n1 0 obj << /Type /Pages /Count ${pages} >> endobj\n${Array.from(
      { length: pages },
      (_, i) => `${i + 2} 0 obj << /Type /Page /Parent 1 0 R >> endobj\n`,
    ).join('')}%%EOF`,
  );

const throttling = () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

type Handler = (command: TextractCommand, call: number) => Promise<unknown> | unknown;

/** A fake TextractClient: counts calls and the most calls in flight at once. */
const fakeClient = (handler: Handler) => {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0, commands: [] as TextractCommand[] };
  const client: TextractSender = {
    async send(command) {
      stats.calls++;
      stats.commands.push(command);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2)); // let other calls pile up
        return await handler(command, stats.calls);
      } finally {
        stats.inFlight--;
      }
    },
  };
  return { client, stats };
};

const noSleep = () => {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
};

const extractor = (client: TextractSender, extra: Partial<TextractExtractorOptions> = {}) => {
  const { delays, sleep } = noSleep();
  return {
    delays,
    textract: makeTextractExtractor({
      client,
      concurrency: 2,
      maxAttempts: 6,
      baseDelayMs: 100,
      sleep,
      now: NOW,
      ...extra,
    }),
  };
};

const receiptResponse = () => ({ ...loadResponse('test_analyze_expense_from_path.json'), $metadata: {} });

describe('makeTextractExtractor: sync AnalyzeExpense', () => {
  it('a real TextractClient fits the injected client type', () => {
    const sender: TextractSender = new TextractClient({ region: 'eu-west-3', maxAttempts: 1 });
    expect(typeof sender.send).toBe('function');
  });

  it('sends the bytes to AnalyzeExpense and maps the real response', async () => {
    const { client, stats } = fakeClient(() => receiptResponse());
    const { textract } = extractor(client);
    const result = await textract.extract({
      bytes: JPEG,
      contentType: 'image/jpeg',
      hints: { country: 'FR', currency: 'EUR' },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(receiptToJson(result.receipt)).toMatchObject({
      engine: 'textract',
      vendor: 'MEGA MARKET PLUS',
      date: '2019-12-07',
      currency: 'USD',
      total: '1810.46',
    });
    expect(result.receipt.lineItems).toHaveLength(4);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(stats.calls).toBe(1);
    const command = stats.commands[0];
    expect(command).toBeInstanceOf(AnalyzeExpenseCommand);
    expect((command as AnalyzeExpenseCommand).input.Document?.Bytes).toBe(JPEG);
  });

  it('maps the no-summary response: 29 lines, no total, still a receipt', async () => {
    const { client } = fakeClient(() => loadResponse('test_analyze_expense_no_summary_fields.json'));
    const result = await extractor(client).textract.extract({ bytes: PNG, contentType: 'image/png' });
    expect(result.ok && result.receipt.lineItems.length).toBe(29);
    expect(result.ok && result.receipt.total).toBeUndefined();
  });

  it.each([
    ['empty', new Uint8Array(0), 'image/jpeg', 'unreadable', /0 bytes/],
    ['WebP', WEBP, 'image/webp', 'unsupported', /not a WEBP image/],
    ['text', new TextEncoder().encode('hello'), 'text/plain', 'unsupported', /not "text\/plain" content/],
    ['2-page PDF', pdf(2), 'application/pdf', 'unsupported', /2-page PDF.*async/],
  ])('refuses %s without calling Textract', async (_name, bytes, contentType, code, reason) => {
    const { client, stats } = fakeClient(() => receiptResponse());
    const result = await extractor(client).textract.extract({ bytes, contentType });
    expect(result).toMatchObject({ ok: false, code, engine: 'textract' });
    expect(!result.ok && result.error).toMatch(reason);
    expect(stats.calls).toBe(0);
  });

  it('refuses more than 10 MB (the sync limit) as too-large, pointing to the async path', async () => {
    const { client, stats } = fakeClient(() => receiptResponse());
    const bytes = new Uint8Array(TEXTRACT_SYNC_MAX_BYTES + 1);
    bytes.set(JPEG);
    const result = await extractor(client).textract.extract({ bytes, contentType: 'image/jpeg' });
    expect(result).toMatchObject({ ok: false, code: 'too-large', needsAsync: true });
    expect(stats.calls).toBe(0);
  });

  it('sends a one-page PDF and a TIFF', async () => {
    const { client, stats } = fakeClient(() => receiptResponse());
    const { textract } = extractor(client);
    expect((await textract.extract({ bytes: pdf(1), contentType: 'application/pdf' })).ok).toBe(true);
    const tiff = new Uint8Array([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]);
    expect((await textract.extract({ bytes: tiff, contentType: 'image/tiff' })).ok).toBe(true);
    expect(stats.calls).toBe(2);
    expect(countPdfPages(pdf(3))).toBe(3);
  });

  it.each([
    [new BadDocumentException({ message: 'bad', $metadata: {} }), 'unreadable', undefined],
    [new UnsupportedDocumentException({ message: 'multi-page', $metadata: {} }), 'unsupported', true],
    [new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } }), 'engine-error', undefined],
  ])('maps %s without retrying', async (error, code, needsAsync) => {
    const { client, stats } = fakeClient(() => {
      throw error;
    });
    const result = await extractor(client).textract.extract({ bytes: pdf(1), contentType: 'application/pdf' });
    expect(result).toMatchObject({ ok: false, code, awsError: error.name });
    expect(!result.ok && result.needsAsync).toBe(needsAsync);
    expect(!result.ok && result.error).toContain(`Textract AnalyzeExpense failed: ${error.name}`);
    expect(stats.calls).toBe(1);
  });
});

describe('makeTextractExtractor: retries and concurrency', () => {
  it('throttled twice, then a success: 3 calls, 2 backoffs with full jitter', async () => {
    const { client, stats } = fakeClient((_c, n) => {
      if (n <= 2) throw throttling();
      return receiptResponse();
    });
    const { textract, delays } = extractor(client, { random: () => 0.999 });
    const result = await textract.extract({ bytes: JPEG, contentType: 'image/jpeg' });
    expect(result.ok).toBe(true);
    expect(stats.calls).toBe(3);
    expect(delays).toEqual([99, 199]); // random × min(max, 100 × 2^(n-1))
  });

  it('jitter stays in [0, ceiling) and the ceiling is capped', async () => {
    const { client } = fakeClient(() => {
      throw throttling();
    });
    const { textract, delays } = extractor(client, { random: () => 0, maxAttempts: 3 });
    await textract.extract({ bytes: JPEG, contentType: 'image/jpeg' });
    expect(delays).toEqual([0, 0]);
    const capped = extractor(client, { random: () => 0.5, maxAttempts: 8, maxDelayMs: 1000 });
    await capped.textract.extract({ bytes: JPEG, contentType: 'image/jpeg' });
    expect(capped.delays).toEqual([50, 100, 200, 400, 500, 500, 500]);
  });

  it('always throttled: engine-error after maxAttempts, with the reason', async () => {
    const { client, stats } = fakeClient(() => {
      throw throttling();
    });
    const { textract, delays } = extractor(client);
    const result = await textract.extract({ bytes: JPEG, contentType: 'image/jpeg' });
    expect(result).toEqual({
      ok: false,
      code: 'engine-error',
      error: 'Textract throttled 6 times (ThrottlingException)',
      engine: 'textract',
      awsError: 'ThrottlingException',
    });
    expect(stats.calls).toBe(6);
    expect(delays).toHaveLength(5); // no sleep after the last attempt
  });

  it.each([
    new ProvisionedThroughputExceededException({ message: 'x', $metadata: {} }),
    new LimitExceededException({ message: 'x', $metadata: {} }),
    new InternalServerError({ message: 'x', $metadata: { httpStatusCode: 500 } }),
    Object.assign(new Error('Service Unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }),
  ])('retries %s', async (error) => {
    expect(isRetryableTextractError(error)).toBe(true);
    const { client, stats } = fakeClient((_c, n) => {
      if (n === 1) throw error;
      return receiptResponse();
    });
    expect((await extractor(client).textract.extract({ bytes: JPEG, contentType: 'image/jpeg' })).ok).toBe(true);
    expect(stats.calls).toBe(2);
  });

  it('a 5xx that never recovers reports the last error', async () => {
    const { client } = fakeClient(() => {
      throw new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } });
    });
    const result = await extractor(client, { maxAttempts: 2 }).textract.extract({
      bytes: JPEG,
      contentType: 'image/jpeg',
    });
    expect(!result.ok && result.error).toBe(
      'Textract AnalyzeExpense failed 2 times, last: InternalServerError (HTTP 500): boom',
    );
  });

  it.each([1, 2, 3])('never more than %i Textract calls in flight, across all calls of one extractor', async (n) => {
    const { client, stats } = fakeClient((command, call) => {
      if (call % 4 === 0) throw throttling(); // retries go through the cap too
      if (command instanceof GetExpenseAnalysisCommand) return { JobStatus: 'SUCCEEDED', ...receiptResponse() };
      return receiptResponse();
    });
    const { textract } = extractor(client, { concurrency: n });
    const results = await Promise.all([
      ...Array.from({ length: 12 }, () => textract.extract({ bytes: JPEG, contentType: 'image/jpeg' })),
      ...Array.from({ length: 4 }, (_, i) => textract.getExpenseAnalysisResult(`job-${i}`)),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(stats.maxInFlight).toBe(n);
    expect(stats.calls).toBeGreaterThan(16);
  });

  it('two extractor instances have their own caps', async () => {
    const { client, stats } = fakeClient(() => receiptResponse());
    const a = extractor(client, { concurrency: 1 }).textract;
    const b = extractor(client, { concurrency: 1 }).textract;
    await Promise.all([0, 1, 2].flatMap(() => [a, b].map((x) => x.extract({ bytes: PNG, contentType: 'image/png' }))));
    expect(stats.maxInFlight).toBe(2);
  });

  it('the semaphore hands slots over in order and recovers from a failing task', async () => {
    const sem = makeSemaphore(1);
    const order: number[] = [];
    const tasks = [1, 2, 3].map((i) =>
      sem.run(async () => {
        order.push(i);
        if (i === 2) throw new Error('task failed');
        return i;
      }),
    );
    const settled = await Promise.allSettled(tasks);
    expect(order).toEqual([1, 2, 3]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sem.active).toBe(0);
    expect(() => makeSemaphore(0)).toThrow(RangeError);
  });
});

describe('makeTextractExtractor: async path', () => {
  it('startExpenseAnalysis sends the S3 object, the SNS channel and the job tag, and returns the JobId', async () => {
    const { client, stats } = fakeClient((_c, n) => {
      if (n === 1) throw throttling();
      return { JobId: 'job-123' };
    });
    const jobId = await extractor(client).textract.startExpenseAnalysis({
      bucket: 'documents',
      key: 'c1/r1/invoice.pdf',
      snsTopicArn: 'arn:aws:sns:eu-west-3:123456789012:textract',
      roleArn: 'arn:aws:iam::123456789012:role/textract-sns',
      jobTag: 'c1:r1',
      clientRequestToken: 'r1',
    });
    expect(jobId).toBe('job-123');
    expect(stats.calls).toBe(2);
    const command = stats.commands[1] as StartExpenseAnalysisCommand;
    expect(command).toBeInstanceOf(StartExpenseAnalysisCommand);
    expect(command.input).toEqual({
      DocumentLocation: { S3Object: { Bucket: 'documents', Name: 'c1/r1/invoice.pdf' } },
      NotificationChannel: {
        SNSTopicArn: 'arn:aws:sns:eu-west-3:123456789012:textract',
        RoleArn: 'arn:aws:iam::123456789012:role/textract-sns',
      },
      JobTag: 'c1:r1',
      ClientRequestToken: 'r1',
    });
  });

  it('startExpenseAnalysis throws a TextractCallError carrying the failure', async () => {
    const { client } = fakeClient(() => {
      throw throttling();
    });
    const start = extractor(client, { maxAttempts: 2 }).textract.startExpenseAnalysis({
      bucket: 'b',
      key: 'k',
      snsTopicArn: 't',
      roleArn: 'r',
      jobTag: 'j',
    });
    await expect(start).rejects.toBeInstanceOf(TextractCallError);
    await expect(start).rejects.toMatchObject({
      failure: { code: 'engine-error', error: 'Textract throttled 2 times (ThrottlingException)' },
    });
  });

  it('getExpenseAnalysisResult follows NextToken, retries a throttled page, and maps the merged pages', async () => {
    const full = loadResponse('test_analyze_expense_from_path.json');
    const doc = full.ExpenseDocuments?.[0] as ExpenseDocument;
    const fields = doc.SummaryFields ?? [];
    const half = Math.floor(fields.length / 2);
    const pages: GetExpenseAnalysisResponse[] = [
      {
        JobStatus: 'SUCCEEDED',
        DocumentMetadata: { Pages: 1 },
        NextToken: 't1',
        ExpenseDocuments: [{ ExpenseIndex: 1, SummaryFields: fields.slice(0, half) }],
      },
      {
        JobStatus: 'SUCCEEDED',
        NextToken: 't2',
        ExpenseDocuments: [{ ExpenseIndex: 1, SummaryFields: fields.slice(half) }],
      },
      {
        JobStatus: 'SUCCEEDED',
        ExpenseDocuments: [{ ExpenseIndex: 1, LineItemGroups: doc.LineItemGroups ?? [] }],
      },
    ];
    const tokens: Array<string | undefined> = [];
    const { client, stats } = fakeClient((command, n) => {
      expect(command).toBeInstanceOf(GetExpenseAnalysisCommand);
      const input = (command as GetExpenseAnalysisCommand).input;
      expect(input.JobId).toBe('job-9');
      if (n === 2) throw throttling();
      tokens.push(input.NextToken);
      return pages[input.NextToken === undefined ? 0 : Number(input.NextToken.slice(1))];
    });
    const result = await extractor(client, { pageSize: 20 }).textract.getExpenseAnalysisResult('job-9', {
      country: 'FR',
      currency: 'EUR',
    });
    expect(tokens).toEqual([undefined, 't1', 't2']);
    expect(stats.calls).toBe(4);
    expect((stats.commands[0] as GetExpenseAnalysisCommand).input.MaxResults).toBe(20);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const direct = mapExpenseResponse(full, { country: 'FR', currency: 'EUR', now: NOW });
    expect(direct.ok && receiptToJson(result.receipt)).toEqual(direct.ok && receiptToJson(direct.receipt));
    expect(receiptToJson(result.receipt)).toMatchObject({ total: '1810.46', lineItems: [{}, {}, {}, {}] });
  });

  it('a failed or unfinished job is an engine-error with its status message', async () => {
    const failed = fakeClient(() => ({ JobStatus: 'FAILED', StatusMessage: 'Request has invalid parameters' }));
    expect(await extractor(failed.client).textract.getExpenseAnalysisResult('j1')).toMatchObject({
      ok: false,
      code: 'engine-error',
      error: 'Textract job j1 failed: Request has invalid parameters',
    });
    const running = fakeClient(() => ({ JobStatus: 'IN_PROGRESS' }));
    expect(await extractor(running.client).textract.getExpenseAnalysisResult('j2')).toMatchObject({
      ok: false,
      error: 'Textract job j2 is still in progress',
    });
  });

  it('a partly successful job keeps a warning', async () => {
    const { client } = fakeClient(() => ({
      JobStatus: 'PARTIAL_SUCCESS',
      Warnings: [{ ErrorCode: 'PAGE_SIZE_EXCEEDED', Pages: [3] }],
      ...receiptResponse(),
    }));
    const result = await extractor(client).textract.getExpenseAnalysisResult('j3');
    expect(result.ok && result.receipt.warnings.slice(-2)).toEqual([
      'Textract warning PAGE_SIZE_EXCEEDED on pages 3',
      'Textract job j3 partly succeeded: some pages were not analysed',
    ]);
  });

  it('stops after maxPages pages', async () => {
    const { client } = fakeClient(() => ({ JobStatus: 'SUCCEEDED', NextToken: 'again', ExpenseDocuments: [] }));
    const result = await extractor(client, { maxPages: 3 }).textract.getExpenseAnalysisResult('loop');
    expect(result).toMatchObject({
      ok: false,
      code: 'engine-error',
      error: 'Textract job loop: more than 3 result pages, stopped',
    });
  });
});
