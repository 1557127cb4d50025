import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { parseTextractCompletion, type TextractExtractor } from '../../shared/adapters/textract/index.ts';
import { parseJobTag, recordExtraction } from '../../shared/domain/receipts/extract-receipt.ts';
import type { Directory } from '../../shared/ports/directory.ts';
import type { EventPublisher } from '../../shared/ports/event-publisher.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';

export interface TextractCompleteDeps {
  textract: Pick<TextractExtractor, 'getExpenseAnalysisResult'>;
  receipts: ReceiptRepository;
  directory: Directory;
  events: EventPublisher;
  now: () => Date;
}

/**
 * Textract's job completion (SNS → SQS) → the job's result, paged and mapped to the normalized receipt, recorded on
 * the receipt that started it (its job tag). A failed job fails the receipt with Textract's status.
 */
export const makeHandler = (deps: TextractCompleteDeps, logger: Pick<Logger, 'info' | 'warn'>) => {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (r: SQSRecord) => {
    const parsed = parseTextractCompletion(r.body);
    if (!parsed.ok) {
      logger.warn('not a Textract completion, ignored', { error: parsed.error });
      return;
    }
    const { JobId, Status, JobTag } = parsed.completion;
    const tag = JobTag ? parseJobTag(JobTag) : null;
    if (!tag) {
      logger.warn('Textract completion without a receipt job tag', { JobId });
      return;
    }
    const company = await deps.directory.company(tag.companyId);
    const result =
      Status === 'SUCCEEDED'
        ? await deps.textract.getExpenseAnalysisResult(JobId, {
            country: company?.country ?? 'FR',
            currency: company?.currency ?? 'EUR',
          })
        : ({
            ok: false,
            code: 'engine-error',
            error: `Textract job ${JobId} ended ${Status}`,
            engine: 'textract',
          } as const);
    const outcome = await recordExtraction(deps, {
      ...tag,
      from: 'EXTRACTING',
      attempt: Number(r.attributes.ApproximateReceiveCount ?? '1'),
      engine: 'textract',
      result,
    });
    logger.info('textract job recorded', { JobId, ...tag, outcome });
  };
  return (event: SQSEvent) => processPartialResponse(event, record, processor);
};
