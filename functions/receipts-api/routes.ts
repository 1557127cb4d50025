import { z } from 'zod';
import { hasAnyRole, type Principal, type Role } from '../../shared/domain/identity.ts';
import type { Receipt } from '../../shared/domain/receipts/receipt.ts';
import type { DocumentStore } from '../../shared/ports/document-store.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';
import { NotFoundError, parseQuery, pathParam, type Route } from '../../shared/runtime/http.ts';

export interface ReceiptsApiDeps {
  receipts: ReceiptRepository;
  documents: DocumentStore;
}

/** Roles that see every receipt of the company; others see only their own. */
const COMPANY_WIDE: readonly Role[] = ['admin', 'finance', 'auditor'];

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).optional(),
  employeeId: z.string().min(1).optional(),
});

const scopeEmployee = (p: Principal, requested: string | undefined): string | undefined =>
  hasAnyRole(p, COMPANY_WIDE) ? requested : p.userId;

const view = (r: Receipt) => ({
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
});

export const makeRoutes = (deps: ReceiptsApiDeps): Record<string, Route> => ({
  'GET /receipts': async ({ principal, event }) => {
    const q = parseQuery(listQuery, event);
    const page = await deps.receipts.list(principal.companyId, {
      limit: q.limit,
      cursor: q.cursor ?? null,
      employeeId: scopeEmployee(principal, q.employeeId),
    });
    return { body: { items: page.items.map(view), nextCursor: page.nextCursor } };
  },

  'GET /receipts/{id}': async ({ principal, event }) => {
    const id = pathParam(event, 'id');
    const receipt = await deps.receipts.get(principal.companyId, id);
    // Someone else's receipt is "not found" for an employee: no existence oracle.
    if (!receipt || (!hasAnyRole(principal, COMPANY_WIDE) && receipt.employeeId !== principal.userId)) {
      throw new NotFoundError(`receipt ${id} not found`);
    }
    const [history, url] = await Promise.all([
      deps.receipts.history(principal.companyId, id),
      deps.documents.presignGet(receipt.document, 900),
    ]);
    return { body: { ...view(receipt), document: { ...view(receipt).document, url, urlExpiresIn: 900 }, history } };
  },
});
