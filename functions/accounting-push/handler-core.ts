import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { accountingPushMessage } from '../../events/ledger.ts';
import { entryFromJson } from '../../shared/domain/ledger/entry-json.ts';
import type { PostedEntry } from '../../shared/domain/ledger/model.ts';
import { type AccountingRecord, type PushDeps, processAccountingBatch } from '../../shared/domain/ledger/push.ts';
import { parseJsonBody } from '../../shared/runtime/json-body.ts';

export interface AccountingPushDeps extends Omit<PushDeps, 'deadLetter' | 'delay'> {
  deadLetter(receiptHandle: string, body: string, reason: string): Promise<void>;
  delay(receiptHandle: string, delayMs: number): Promise<void>;
}

/**
 * The accounting queue (SQS FIFO, one group per company) → the company's accounting connector, with an idempotency
 * key per entry, backoff through the message visibility, partial batch failures, and the DLQ after the last attempt
 * or at once for a permanent refusal. A malformed message goes straight to the DLQ with its reason.
 */
export const makeHandler =
  (deps: AccountingPushDeps, logger: Pick<Logger, 'info' | 'warn'>) => async (event: SQSEvent) => {
    const handles = new Map<string, { receiptHandle: string; body: string }>();
    const records: AccountingRecord[] = [];
    for (const r of event.Records) {
      const parsed = parseJsonBody(accountingPushMessage, r.body);
      if (!parsed.success) {
        await deps.deadLetter(r.receiptHandle, r.body, `malformed message: ${parsed.error.message}`);
        continue;
      }
      handles.set(r.messageId, { receiptHandle: r.receiptHandle, body: r.body });
      records.push({
        messageId: r.messageId,
        groupId: r.attributes.MessageGroupId ?? parsed.data.companyId,
        attempt: Number(r.attributes.ApproximateReceiveCount ?? '1'),
        entry: entryFromJson(parsed.data.entry) as PostedEntry,
      });
    }
    const result = await processAccountingBatch(records, {
      ...deps,
      deadLetter: async (record, reason) => {
        const h = handles.get(record.messageId);
        if (h) await deps.deadLetter(h.receiptHandle, h.body, reason);
      },
      delay: async (record, delayMs) => {
        const h = handles.get(record.messageId);
        if (h) await deps.delay(h.receiptHandle, delayMs);
      },
    });
    for (const o of result.outcomes) logger.info('accounting push', { ...o });
    return { batchItemFailures: result.batchItemFailures };
  };
