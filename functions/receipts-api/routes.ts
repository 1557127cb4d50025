import { ulid } from 'ulidx';
import { API } from '../../shared/api/contract.ts';
import { hasAnyRole, type Principal, type Role, requireRole } from '../../shared/domain/identity.ts';
import { matchedEvents } from '../../shared/domain/matching/online.ts';
import type { Receipt } from '../../shared/domain/receipts/receipt.ts';
import { createUpload } from '../../shared/domain/receipts/uploads.ts';
import type { DocumentStore } from '../../shared/ports/document-store.ts';
import type { EventPublisher } from '../../shared/ports/event-publisher.ts';
import type { MatchLink, MatchStore, Suggestion } from '../../shared/ports/match-store.ts';
import type { QuarantineRepository } from '../../shared/ports/quarantine-repository.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';
import { ConcurrentUpdateError } from '../../shared/ports/receipt-repository.ts';
import { toCsv } from '../../shared/runtime/csv.ts';
import {
  BadRequestError,
  NotFoundError,
  parseBody,
  parseQuery,
  pathParam,
  type Route,
} from '../../shared/runtime/http.ts';

export interface ReceiptsApiDeps {
  receipts: ReceiptRepository;
  matches: MatchStore;
  documents: DocumentStore;
  quarantine: QuarantineRepository;
  events: EventPublisher;
  now: () => Date;
  newId?: () => string;
}

/** Roles that see every receipt of the company; others see only their own. */
const COMPANY_WIDE: readonly Role[] = ['admin', 'finance', 'auditor'];
const DOCUMENT_LINK_TTL = 900;

const scopeEmployee = (p: Principal, requested: string | undefined): string | undefined =>
  hasAnyRole(p, COMPANY_WIDE) ? requested : p.userId;

const view = (r: Receipt & { link?: MatchLink; suggestions?: Suggestion[] }) => ({
  id: r.id,
  status: r.status,
  employeeId: r.employeeId,
  channel: r.source.channel,
  ...(r.source.channel === 'email' ? { from: r.source.from, subject: r.source.subject } : {}),
  receivedAt: r.receivedAt,
  updatedAt: r.updatedAt,
  document: {
    fileName: r.document.fileName,
    contentType: r.document.contentType,
    size: r.document.size,
    sha256: r.document.sha256,
  },
  duplicateOf: r.duplicateOf ?? null,
  possibleDuplicateOf: r.possibleDuplicateOf ?? null,
  extraction: r.extraction ?? null,
  failure: r.failure ?? null,
  match: r.link ?? null,
  suggestions: r.suggestions ?? [],
});

export const makeRoutes = (deps: ReceiptsApiDeps): Record<string, Route> => {
  const visibleReceipt = async (principal: Principal, id: string): Promise<Receipt> => {
    const receipt = await deps.receipts.get(principal.companyId, id);
    // Someone else's receipt is "not found" for an employee: no existence oracle.
    if (!receipt || (!hasAnyRole(principal, COMPANY_WIDE) && receipt.employeeId !== principal.userId)) {
      throw new NotFoundError(`receipt ${id} not found`);
    }
    return receipt;
  };

  return {
    'GET /receipts': async ({ principal, event }) => {
      const q = parseQuery(API['GET /receipts'].query, event);
      const page = await deps.receipts.list(principal.companyId, {
        limit: q.limit,
        cursor: q.cursor ?? null,
        employeeId: scopeEmployee(principal, q.employeeId),
        ...(q.status ? { status: q.status } : {}),
        ...(q.unmatched ? { unmatched: true } : {}),
      });
      if (q.format === 'csv') {
        const content = toCsv(page.items.map(view), [
          ['id', (r) => r.id],
          ['status', (r) => r.status],
          ['employeeId', (r) => r.employeeId],
          ['receivedAt', (r) => r.receivedAt],
          ['vendor', (r) => r.extraction?.vendor],
          ['date', (r) => r.extraction?.date],
          ['total', (r) => r.extraction?.total],
          ['currency', (r) => r.extraction?.currency],
          ['matchedTransaction', (r) => r.match?.transactionId],
          ['duplicateOf', (r) => r.duplicateOf],
          ['sha256', (r) => r.document.sha256],
        ]);
        return { body: null, file: { contentType: 'text/csv; charset=utf-8', fileName: 'receipts.csv', content } };
      }
      return { body: { items: page.items.map(view), nextCursor: page.nextCursor } };
    },

    'GET /receipts/{id}': async ({ principal, event }) => {
      const receipt = await visibleReceipt(principal, pathParam(event, 'id'));
      const markup = /^text\//.test(receipt.document.contentType);
      const [history, url] = await Promise.all([
        deps.receipts.history(principal.companyId, receipt.id),
        deps.documents.presignGet(receipt.document, DOCUMENT_LINK_TTL, {
          ...(markup ? { asPlainText: true, attachmentName: receipt.document.fileName ?? 'receipt.txt' } : {}),
        }),
      ]);
      return {
        body: {
          ...view(receipt),
          document: { ...view(receipt).document, url, urlExpiresIn: DOCUMENT_LINK_TTL },
          history,
        },
      };
    },

    'POST /receipts/uploads': async ({ principal, event }) => {
      const request = parseBody(API['POST /receipts/uploads'].body, event);
      const upload = await createUpload(
        { documents: deps.documents, newId: deps.newId ?? (() => ulid()), now: deps.now },
        { companyId: principal.companyId, employeeId: principal.userId, request },
      );
      return { status: 201, body: { ...upload, receiptId: `rcpt_${upload.uploadId}` } };
    },

    'POST /receipts/{id}/retry': async ({ principal, event }) => {
      requireRole(principal, ['admin', 'finance']);
      const receipt = await visibleReceipt(principal, pathParam(event, 'id'));
      if (receipt.status !== 'EXTRACTION_FAILED') {
        throw new BadRequestError(
          'status',
          `only a receipt whose extraction failed can be retried (it is ${receipt.status})`,
        );
      }
      const at = deps.now().toISOString();
      const updated = await deps.receipts.transition(principal.companyId, receipt.id, {
        from: 'EXTRACTION_FAILED',
        to: 'RECEIVED',
        patch: { failure: undefined },
        history: { at, status: 'RECEIVED', actor: `user:${principal.userId}`, note: 'extraction retried' },
      });
      await deps.events.publish([
        {
          name: 'ReceiptReceived',
          detail: {
            companyId: updated.companyId,
            receiptId: updated.id,
            employeeId: updated.employeeId,
            channel: updated.source.channel,
            document: updated.document,
            receivedAt: updated.receivedAt,
          },
        },
      ]);
      return { status: 202, body: view(updated) };
    },

    'POST /receipts/{id}/link': async ({ principal, event }) => {
      const receipt = await visibleReceipt(principal, pathParam(event, 'id'));
      const body = parseBody(API['POST /receipts/{id}/link'].body, event);
      const visibleTransaction = async (id: string) => {
        const tx = await deps.matches.transaction(principal.companyId, id);
        if (!tx || (!hasAnyRole(principal, COMPANY_WIDE) && tx.employeeId !== principal.userId)) {
          throw new NotFoundError(`transaction ${id} not found`);
        }
        return tx;
      };
      const at = deps.now().toISOString();
      const by = `user:${principal.userId}`;
      const reasons = ['linked by a person'];
      if (body.transactionIds || body.receiptIds) {
        // A sum decided by a person: every item checked visible, written in one all-or-nothing transaction.
        const transactions = await Promise.all(
          (body.transactionIds ?? [body.transactionId as string]).map(visibleTransaction),
        );
        const others = await Promise.all((body.receiptIds ?? []).map((id) => visibleReceipt(principal, id)));
        const receiptIds = [receipt.id, ...others.map((r) => r.id)];
        if (
          new Set(receiptIds).size !== receiptIds.length ||
          new Set(transactions.map((t) => t.id)).size !== transactions.length
        ) {
          throw new BadRequestError('receiptIds', 'an item is listed twice');
        }
        const group = {
          shape: body.transactionIds ? ('receipt-to-many' as const) : ('many-to-transaction' as const),
          receiptIds,
          transactionIds: transactions.map((t) => t.id),
          score: 1,
          reasons,
        };
        if (!(await deps.matches.linkGroup(principal.companyId, { ...group, transactions, by, at }))) {
          throw new ConcurrentUpdateError('a receipt or a transaction is already linked: unlink it first');
        }
        const employees = new Map([receipt, ...others].map((r) => [r.id, r.employeeId]));
        await deps.events.publish(matchedEvents(principal.companyId, group, by, at, (id) => employees.get(id) ?? null));
        return { body: { receiptId: receipt.id, group } };
      }
      const transactionId = (await visibleTransaction(body.transactionId as string)).id;
      const link: MatchLink = { transactionId, score: 1, reasons, by, at };
      if (!(await deps.matches.link(principal.companyId, receipt.id, link))) {
        throw new ConcurrentUpdateError('the receipt or the transaction is already linked: unlink it first');
      }
      await deps.events.publish(
        matchedEvents(
          principal.companyId,
          { shape: 'one-to-one', receiptIds: [receipt.id], transactionIds: [transactionId], score: 1, reasons },
          by,
          at,
          () => receipt.employeeId,
        ),
      );
      return { body: { receiptId: receipt.id, match: link } };
    },

    'POST /receipts/{id}/unlink': async ({ principal, event }) => {
      const receipt = await visibleReceipt(principal, pathParam(event, 'id'));
      const removed = await deps.matches.unlink(
        principal.companyId,
        receipt.id,
        `user:${principal.userId}`,
        deps.now().toISOString(),
      );
      if (!removed) throw new BadRequestError('id', 'the receipt is not linked');
      return { body: { receiptId: receipt.id, unlinked: removed.transactionId } };
    },

    'GET /quarantine': async ({ principal, event }) => {
      requireRole(principal, ['admin', 'finance', 'auditor']);
      const q = parseQuery(API['GET /quarantine'].query, event);
      const items = await deps.quarantine.list(principal.companyId, q.limit);
      return { body: { items } };
    },
  };
};
