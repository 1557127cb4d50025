import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import {
  cardAuthorizationDecidedDetail,
  cardAuthorizationEndedDetail,
  cardTransactionPostedDetail,
} from '../../events/cards.ts';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { type CashOutSource, cashOutIncrements, cashOutSourceId } from '../../shared/domain/cards/cash-out.ts';
import type { AggregateIncrement } from '../../shared/domain/ledger/aggregates.ts';
import {
  authorizationSlotId,
  endAuthorization,
  matchTransaction,
  type OnlineMatchDeps,
} from '../../shared/domain/matching/online.ts';
import { slotFromAuthorization } from '../../shared/domain/matching/slots.ts';
import { parseJsonBody } from '../../shared/runtime/json-body.ts';

const message = z.discriminatedUnion('detail-type', [
  eventBridgeEnvelope('CardAuthorizationDecided', cardAuthorizationDecidedDetail),
  eventBridgeEnvelope('CardTransactionPosted', cardTransactionPostedDetail),
  eventBridgeEnvelope('CardAuthorizationEnded', cardAuthorizationEndedDetail),
]);

export interface CardActivityDeps extends OnlineMatchDeps {
  /** Adds each source's increments to the maintained reports exactly once (one write for the batch if it can). */
  addToReports(companyId: string, sources: { sourceId: string; increments: AggregateIncrement[] }[]): Promise<void>;
}

/**
 * Card activity that is not on the authorization's critical path, read from a queue in batches with bounded
 * concurrency (so a burst of authorizations never competes with the decisions themselves): the weekly cash-out
 * report (approved authorizations, captures less refunds), the receipt slots of approved authorizations, and their
 * closing when an authorization ends without a capture.
 * Partial batch failures: a record that fails stays on the queue; a malformed one is logged and dropped to the DLQ.
 */
export const makeHandler =
  (deps: CardActivityDeps, logger: Pick<Logger, 'info' | 'warn'>) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    const parsed = event.Records.flatMap((r) => {
      const m = parseJsonBody(message, r.body);
      if (!m.success) {
        logger.warn('malformed card activity message', { messageId: r.messageId });
        failures.push({ itemIdentifier: r.messageId });
        return [];
      }
      return [{ id: r.messageId, e: m.data }];
    });
    const byCompany = new Map<
      string,
      { ids: string[]; sources: { sourceId: string; increments: AggregateIncrement[] }[] }
    >();
    for (const { id, e } of parsed) {
      const source = { type: e['detail-type'], detail: e.detail } as CashOutSource;
      const increments = cashOutIncrements(source);
      if (increments.length === 0) continue;
      const group = byCompany.get(e.detail.companyId) ?? { ids: [], sources: [] };
      group.ids.push(id);
      group.sources.push({ sourceId: cashOutSourceId(source), increments });
      byCompany.set(e.detail.companyId, group);
    }
    for (const [companyId, g] of byCompany) {
      await deps.addToReports(companyId, g.sources).catch((error: unknown) => {
        logger.warn('cash-out report not updated', { companyId, error: String(error) });
        failures.push(...g.ids.map((itemIdentifier) => ({ itemIdentifier })));
      });
    }
    for (const { id, e } of parsed) {
      if (e['detail-type'] !== 'CardAuthorizationEnded' || !e.detail.employeeId) continue;
      try {
        const result = await endAuthorization(deps, {
          companyId: e.detail.companyId,
          slotId: authorizationSlotId(e.detail.processor, e.detail.authorizationId),
          employeeId: e.detail.employeeId,
          status: e.detail.status,
          at: e.detail.endedAt,
        });
        logger.info('authorization ended: slot closed', { authorizationId: e.detail.authorizationId, ...result });
      } catch (error) {
        logger.warn('authorization end failed', { authorizationId: e.detail.authorizationId, error: String(error) });
        failures.push({ itemIdentifier: id });
      }
    }
    for (const { id, e } of parsed) {
      if (e['detail-type'] !== 'CardAuthorizationDecided' || failures.some((f) => f.itemIdentifier === id)) continue;
      const slot = slotFromAuthorization(e.detail);
      if (!slot) continue;
      try {
        const result = await matchTransaction(deps, slot);
        logger.info('authorization slot', { authorizationId: e.detail.authorizationId, ...result });
      } catch (error) {
        logger.warn('authorization slot failed', { authorizationId: e.detail.authorizationId, error: String(error) });
        failures.push({ itemIdentifier: id });
      }
    }
    return { batchItemFailures: failures };
  };
