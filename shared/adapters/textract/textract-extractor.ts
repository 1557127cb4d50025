/**
 * The AWS Textract implementation of the Extractor port.
 *
 * - Sync: AnalyzeExpense with the bytes, for one page ≤ 10 MB (JPEG, PNG, PDF, TIFF).
 * - Async (multi-page PDFs in S3): StartExpenseAnalysis with an SNS completion channel, then GetExpenseAnalysis paged
 *   through NextToken and mapped once merged. The SNS message has a zod schema in textract-completion.ts.
 * - Every call to Textract goes through one semaphore per extractor instance (default 2 in flight: Textract's default
 *   quotas are a few TPS) and is retried on throttling / 5xx with exponential backoff and full jitter.
 *
 * The client is injected (anything with `send(command)`): the wiring creates a TextractClient with `maxAttempts: 1`
 * so the SDK's own retries do not multiply with these.
 */
import {
  AnalyzeExpenseCommand,
  type AnalyzeExpenseCommandOutput,
  GetExpenseAnalysisCommand,
  type GetExpenseAnalysisCommandOutput,
  StartExpenseAnalysisCommand,
  type StartExpenseAnalysisCommandOutput,
} from '@aws-sdk/client-textract';
import type {
  ExtractionFailure,
  ExtractionFailureCode,
  ExtractionInput,
  ExtractionResult,
  Extractor,
} from '../../ports/extractor.ts';
import { imageFormat } from '../extraction/sniff.ts';
import {
  type ExpenseResponse,
  mapExpenseResponse,
  mergeExpensePages,
  type TextractMapOptions,
} from './textract-mapper.ts';

export type TextractCommand = AnalyzeExpenseCommand | StartExpenseAnalysisCommand | GetExpenseAnalysisCommand;

/** What the extractor needs of a TextractClient. A real client fits; tests pass a fake. */
export interface TextractSender {
  send(command: TextractCommand): Promise<unknown>;
}

/** Sync AnalyzeExpense limit: Document.Bytes is at most 10 MB (10 485 760 bytes). */
export const TEXTRACT_SYNC_MAX_BYTES = 10 * 1024 * 1024;

export interface TextractExtractorOptions {
  client: TextractSender;
  /** Textract calls in flight at once for this extractor instance (all calls share it). Default 2. */
  concurrency?: number;
  /** Attempts per Textract call, the first included. Default 6. */
  maxAttempts?: number;
  /** First backoff ceiling; attempt n waits random(0, min(maxDelayMs, baseDelayMs × 2^(n-1))). Default 200 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling. Default 20 s. */
  maxDelayMs?: number;
  /** Injected for tests. Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests: a number in [0, 1). Default Math.random. */
  random?: () => number;
  /** Monotonic clock in ms (elapsedMs). Default performance.now. */
  clock?: () => number;
  /** Reference date for date plausibility. Default: now. */
  now?: Date;
  /** GetExpenseAnalysis MaxResults per page (Textract's maximum is 20). */
  pageSize?: number;
  /** Safety cap on GetExpenseAnalysis pages followed. Default 100. */
  maxPages?: number;
}

export interface StartExpenseAnalysisInput {
  bucket: string;
  key: string;
  /** S3 object version, when the bucket is versioned. */
  version?: string;
  snsTopicArn: string;
  /** Role Textract assumes to publish to the topic. */
  roleArn: string;
  /** Echoed in the completion message: the pipeline puts the company and receipt ids here. */
  jobTag: string;
  /** Idempotency: the same token within 7 days returns the same JobId. */
  clientRequestToken?: string;
  /** KMS key used to read the S3 object, when encrypted with a customer key. */
  kmsKeyId?: string;
}

/** A failure with what the pipeline needs to route it. */
export interface TextractFailure extends ExtractionFailure {
  engine: 'textract';
  /** Textract's error name, when there was one. */
  awsError?: string;
  /** Several pages: the sync API cannot read it, use startExpenseAnalysis. */
  needsAsync?: boolean;
}

export type TextractResult = ExtractionSuccess | TextractFailure;
type ExtractionSuccess = Extract<ExtractionResult, { ok: true }>;

export interface TextractExtractor extends Extractor {
  extract(input: ExtractionInput): Promise<TextractResult>;
  /** Starts an async analysis of an S3 object (multi-page PDF); returns the JobId. Throws TextractCallError. */
  startExpenseAnalysis(input: StartExpenseAnalysisInput): Promise<string>;
  /** Reads every page of a finished job's result and maps the merged response. */
  getExpenseAnalysisResult(jobId: string, hints?: { country?: string; currency?: string }): Promise<TextractResult>;
}

/** Thrown by startExpenseAnalysis when Textract refuses or keeps throttling. */
export class TextractCallError extends Error {
  override readonly name = 'TextractCallError';
  constructor(
    readonly failure: TextractFailure,
    options?: { cause?: unknown },
  ) {
    super(failure.error, options);
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

interface AwsLikeError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

const asAwsError = (e: unknown): AwsLikeError => (typeof e === 'object' && e !== null ? (e as AwsLikeError) : {});

/** Throttling (by name) or a server-side error (5xx, InternalServerError): worth retrying. */
export const isRetryableTextractError = (e: unknown): boolean => {
  const err = asAwsError(e);
  if (err.name && THROTTLING.has(err.name)) return true;
  if (err.name === 'InternalServerError' || err.name === 'ServiceUnavailableException') return true;
  const status = err.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500 && status <= 599;
};

const isThrottling = (e: unknown): boolean => {
  const name = asAwsError(e).name;
  return Boolean(name && THROTTLING.has(name));
};

/** Textract's refusals of a document, mapped to the port's failure codes. */
const failureCodeFor = (name: string | undefined): ExtractionFailureCode => {
  switch (name) {
    case 'UnsupportedDocumentException':
      return 'unsupported';
    case 'BadDocumentException':
    case 'InvalidS3ObjectException':
      return 'unreadable';
    case 'DocumentTooLargeException':
      return 'too-large';
    default:
      return 'engine-error';
  }
};

const errorText = (e: unknown): string => {
  const err = asAwsError(e);
  const status = err.$metadata?.httpStatusCode;
  return [err.name ?? 'Error', status ? `(HTTP ${status})` : undefined, err.message ? `: ${err.message}` : undefined]
    .filter(Boolean)
    .join(' ')
    .replace(' :', ':');
};

/** A counting semaphore: at most `limit` holders; waiters are served in order. */
export const makeSemaphore = (limit: number) => {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer: ${limit}`);
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve)); // the releaser hands over its slot
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active(): number {
      return active;
    },
    get waiting(): number {
      return waiting.length;
    },
  };
};

type DocFormat = 'jpeg' | 'png' | 'pdf' | 'tiff';

const sniffFormat = (bytes: Uint8Array): DocFormat | string | undefined => {
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) return 'pdf';
  return imageFormat(bytes);
};

/**
 * Pages of a PDF counted from its uncompressed page objects ("/Type /Page"). Page trees inside compressed object
 * streams are invisible to this: 0 then means "unknown" and Textract decides.
 */
export const countPdfPages = (bytes: Uint8Array): number => {
  const text = new TextDecoder('latin1').decode(bytes);
  return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
};

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const makeTextractExtractor = (options: TextractExtractorOptions): TextractExtractor => {
  const { client } = options;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? (() => performance.now());
  const pageSize = options.pageSize;
  const maxPages = options.maxPages ?? 100;
  const semaphore = makeSemaphore(options.concurrency ?? 2);

  const fail = (code: ExtractionFailureCode, error: string, extra: Partial<TextractFailure> = {}): TextractFailure => ({
    ok: false,
    code,
    error,
    engine: 'textract',
    ...extra,
  });

  /** One Textract call: behind the semaphore, retried with full jitter; the final error becomes a failure. */
  const call = async <T>(what: string, command: TextractCommand): Promise<{ ok: true; value: T } | TextractFailure> => {
    let throttled = 0;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        // The slot is held for the request only, not during the backoff.
        const value = (await semaphore.run(() => client.send(command))) as T;
        return { ok: true, value };
      } catch (e) {
        lastError = e;
        if (!isRetryableTextractError(e)) {
          const name = asAwsError(e).name;
          return fail(failureCodeFor(name), `Textract ${what} failed: ${errorText(e)}`, name ? { awsError: name } : {});
        }
        if (isThrottling(e)) throttled++;
        if (attempt < maxAttempts) {
          const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
          await sleep(Math.floor(random() * ceiling));
        }
      }
    }
    const name = asAwsError(lastError).name;
    const reason =
      throttled === maxAttempts
        ? `Textract throttled ${throttled} times (${name})`
        : `Textract ${what} failed ${maxAttempts} times, last: ${errorText(lastError)}`;
    return fail('engine-error', reason, name ? { awsError: name } : {});
  };

  const mapOptions = (hints?: { country?: string; currency?: string }): TextractMapOptions => ({
    ...(hints?.country ? { country: hints.country } : {}),
    ...(hints?.currency ? { currency: hints.currency } : {}),
    ...(options.now ? { now: options.now } : {}),
  });

  const toResult = (response: ExpenseResponse, started: number, hints?: ExtractionInput['hints']): TextractResult => {
    const mapped = mapExpenseResponse(response, mapOptions(hints));
    if (!mapped.ok) return fail(mapped.code, mapped.error);
    return { ok: true, receipt: mapped.receipt, elapsedMs: Math.max(0, clock() - started) };
  };

  const extract = async (input: ExtractionInput): Promise<TextractResult> => {
    const started = clock();
    const { bytes } = input;
    if (bytes.byteLength === 0) return fail('unreadable', 'empty file (0 bytes)');
    if (bytes.byteLength > TEXTRACT_SYNC_MAX_BYTES) {
      return fail(
        'too-large',
        `${bytes.byteLength} bytes: over the 10 MB limit of Textract's synchronous AnalyzeExpense`,
        { needsAsync: true },
      );
    }
    const format = sniffFormat(bytes);
    if (format !== 'jpeg' && format !== 'png' && format !== 'pdf' && format !== 'tiff') {
      const what = format ? `a ${format.toUpperCase()} image` : `"${input.contentType}" content`;
      return fail('unsupported', `Textract AnalyzeExpense reads JPEG, PNG, PDF and TIFF, not ${what}`);
    }
    if (format === 'pdf') {
      const pages = countPdfPages(bytes);
      if (pages > 1) {
        return fail('unsupported', `a ${pages}-page PDF: the synchronous API reads one page, use the async analysis`, {
          needsAsync: true,
        });
      }
    }
    const result = await call<AnalyzeExpenseCommandOutput>(
      'AnalyzeExpense',
      new AnalyzeExpenseCommand({ Document: { Bytes: bytes } }),
    );
    if (!result.ok) {
      // Textract refuses multi-page PDFs/TIFFs in the sync API as unsupported documents.
      if (result.awsError === 'UnsupportedDocumentException' && (format === 'pdf' || format === 'tiff')) {
        return { ...result, needsAsync: true };
      }
      return result;
    }
    return toResult(result.value, started, input.hints);
  };

  const startExpenseAnalysis = async (input: StartExpenseAnalysisInput): Promise<string> => {
    const result = await call<StartExpenseAnalysisCommandOutput>(
      'StartExpenseAnalysis',
      new StartExpenseAnalysisCommand({
        DocumentLocation: {
          S3Object: { Bucket: input.bucket, Name: input.key, ...(input.version ? { Version: input.version } : {}) },
        },
        NotificationChannel: { SNSTopicArn: input.snsTopicArn, RoleArn: input.roleArn },
        JobTag: input.jobTag,
        ...(input.clientRequestToken ? { ClientRequestToken: input.clientRequestToken } : {}),
        ...(input.kmsKeyId ? { KMSKeyId: input.kmsKeyId } : {}),
      }),
    );
    if (!result.ok) throw new TextractCallError(result);
    const jobId = result.value.JobId;
    if (!jobId) throw new TextractCallError(fail('engine-error', 'Textract StartExpenseAnalysis returned no JobId'));
    return jobId;
  };

  const getExpenseAnalysisResult = async (
    jobId: string,
    hints?: { country?: string; currency?: string },
  ): Promise<TextractResult> => {
    const started = clock();
    const pages: GetExpenseAnalysisCommandOutput[] = [];
    let nextToken: string | undefined;
    do {
      if (pages.length >= maxPages) {
        return fail('engine-error', `Textract job ${jobId}: more than ${maxPages} result pages, stopped`);
      }
      const result = await call<GetExpenseAnalysisCommandOutput>(
        'GetExpenseAnalysis',
        new GetExpenseAnalysisCommand({
          JobId: jobId,
          ...(nextToken ? { NextToken: nextToken } : {}),
          ...(pageSize ? { MaxResults: pageSize } : {}),
        }),
      );
      if (!result.ok) return result;
      const page = result.value;
      if (page.JobStatus === 'FAILED') {
        return fail('engine-error', `Textract job ${jobId} failed: ${page.StatusMessage ?? 'no reason given'}`);
      }
      if (page.JobStatus === 'IN_PROGRESS') {
        return fail('engine-error', `Textract job ${jobId} is still in progress`);
      }
      pages.push(page);
      nextToken = page.NextToken;
    } while (nextToken);
    const merged = mergeExpensePages(pages);
    const outcome = toResult(merged, started, hints);
    if (outcome.ok && pages[0]?.JobStatus === 'PARTIAL_SUCCESS') {
      outcome.receipt.warnings.push(`Textract job ${jobId} partly succeeded: some pages were not analysed`);
    }
    return outcome;
  };

  return { extract, startExpenseAnalysis, getExpenseAnalysisResult };
};
