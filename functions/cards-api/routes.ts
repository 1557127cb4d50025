import { API } from '../../shared/api/contract.ts';
import { available, type BudgetLine } from '../../shared/domain/cards/budget.ts';
import { type CompanyControls, periodKey } from '../../shared/domain/cards/controls.ts';
import { PROCESSORS, type Processor } from '../../shared/domain/cards/model.ts';
import { hasAnyRole } from '../../shared/domain/identity.ts';
import { moneyToJson } from '../../shared/domain/money.ts';
import { InvalidTransitionError } from '../../shared/domain/receipts/receipt.ts';
import type { BudgetStore } from '../../shared/ports/cards.ts';
import {
  type LostReceiptDeclaration,
  type MatchStore,
  type OnlineTransaction,
  refundedInFull,
} from '../../shared/ports/match-store.ts';
import { ConcurrentUpdateError } from '../../shared/ports/receipt-repository.ts';
import { toCsv } from '../../shared/runtime/csv.ts';
import {
  BadRequestError,
  jsonBody,
  NotFoundError,
  parseBody,
  parseQuery,
  pathParam,
  type Route,
} from '../../shared/runtime/http.ts';

export interface CardsApiDeps {
  matches: MatchStore;
  assignCard(input: {
    companyId: string;
    processor: Processor;
    cardId: string;
    employeeId: string | null;
  }): Promise<void>;
  userExists(companyId: string, userId: string): Promise<boolean>;
  controls: {
    get(companyId: string): Promise<CompanyControls | null>;
    put(companyId: string, c: unknown): Promise<CompanyControls>;
  };
  budgets: BudgetStore;
  listDecisions(companyId: string, limit: number): Promise<Record<string, unknown>[]>;
  /** Card payments still waiting for their receipt, oldest first; from/to (YYYY-MM-DD) bound the posting date. */
  listMissingReceipts(
    companyId: string,
    query: { limit: number; from?: string; to?: string },
  ): Promise<Record<string, unknown>[]>;
  now: () => Date;
}

const lineView = (l: BudgetLine) => ({
  lineId: l.lineId,
  limit: moneyToJson(l.limit),
  reserved: moneyToJson(l.reserved),
  settled: moneyToJson(l.settled),
  available: moneyToJson(available(l)),
});

/** A decided declaration as a message says it: "accepted by u_fin at 2026-05-13T10:00:00.000Z". */
const decidedText = (d: LostReceiptDeclaration) =>
  `${d.status.toLowerCase()}${d.decidedBy ? ` by ${d.decidedBy}` : ''}${d.decidedAt ? ` at ${d.decidedAt}` : ''}`;

/** 409: the declaration was decided already (its status, by whom and when), so this decision is not applied. */
const alreadyDecided = (id: string, d: LostReceiptDeclaration) =>
  new ConcurrentUpdateError(`the lost-receipt declaration for ${id} is already decided: ${decidedText(d)}`);

/**
 * Why no lost-receipt declaration may be made on this transaction, or null when one may (the store's conditional
 * write holds the same rule; this says which part failed). An authorization's receipt slot, pending or retired,
 * never: its capture is the payment that needs the receipt; nor a refund, a zero amount or a purchase refunded in
 * full, which need none. A declaration refused, or withdrawn by a link since undone, may be made again.
 */
const cannotDeclareLost = (tx: OnlineTransaction): string | null => {
  const id = tx.id;
  if (tx.capturedBy?.startsWith('ended:')) {
    return `transaction ${id} is an authorization hold that ended (${tx.capturedBy.slice('ended:'.length)}) without a charge: no receipt is needed`;
  }
  if (tx.capturedBy) {
    return `transaction ${id} is an authorization hold; declare the loss on its capture ${tx.capturedBy}`;
  }
  if (tx.pending)
    return `transaction ${id} is an authorization hold; declare the loss on its capture when it is posted`;
  // Only money that moved out waits for a receipt (the store's `waitsForReceipt`).
  if (tx.amount.minor < 0n) return `transaction ${id} is a refund: no receipt is needed`;
  if (tx.amount.minor === 0n) return `transaction ${id} is for no amount: no receipt is needed`;
  if (refundedInFull(tx.amount.minor, tx.refundedMinor ?? 0n)) {
    return `transaction ${id} is refunded in full (${(tx.refundIds ?? []).join(', ')}): no receipt is needed`;
  }
  if (tx.receiptId) return `transaction ${id} has its receipt (${tx.receiptId}): nothing to declare lost`;
  const d = tx.lostReceipt;
  if (d?.status === 'PENDING')
    return `a lost-receipt declaration for ${id} is already pending (made by ${d.by} at ${d.at})`;
  if (d?.status === 'ACCEPTED') return `the lost-receipt declaration for ${id} is already ${decidedText(d)}`;
  return null;
};

/**
 * Why the declaration read may not be decided for a reason other than a decision already taken, or null: a receipt
 * is linked to the transaction (a link withdraws a pending declaration; one left pending by a link made before that
 * rule is not decided either), the purchase is refunded in full (the refund completing it withdraws a pending
 * declaration, the same way), or the declaration was withdrawn by a link since undone (declare again).
 */
const cannotDecideLost = (tx: OnlineTransaction, d: LostReceiptDeclaration): string | null => {
  const id = tx.id;
  const withdrawn = d.status === 'WITHDRAWN' ? `: the lost-receipt declaration was ${decidedText(d)}` : '';
  if (tx.receiptId && (d.status === 'PENDING' || d.status === 'WITHDRAWN')) {
    return `a receipt is linked to transaction ${id} (${tx.receiptId})${withdrawn || ': no lost-receipt declaration to decide'}`;
  }
  if (refundedInFull(tx.amount.minor, tx.refundedMinor ?? 0n) && (d.status === 'PENDING' || d.status === 'WITHDRAWN')) {
    const refunds = (tx.refundIds ?? []).join(', ');
    const what = d.status === 'WITHDRAWN' ? `the lost-receipt declaration was ${decidedText(d)}` : 'nothing to decide';
    return `transaction ${id} is refunded in full (${refunds}): no receipt is needed, ${what}`;
  }
  if (d.status === 'WITHDRAWN') {
    return `the lost-receipt declaration for ${id} was ${decidedText(d)}${d.reason ? ` (${d.reason})` : ''}, nothing to decide: declare the loss again if the receipt is lost`;
  }
  return null;
};

/** Finance API over card controls: budgets, caps and lists, spend to date, real-time decisions. */
export const makeRoutes = (deps: CardsApiDeps): Record<string, Route> => ({
  'GET /cards/controls': async ({ principal }) => ({ body: (await deps.controls.get(principal.companyId)) ?? null }),

  'PUT /cards/controls': async ({ principal, event }) => {
    const checked = parseBody(API['PUT /cards/controls'].body, event); // validated (strict) against the contract
    if (checked.companyId && checked.companyId !== principal.companyId) {
      throw new BadRequestError('companyId', 'not your company');
    }
    // The company comes from the token, never from the body; the store keeps the JSON as sent (money as decimals).
    const input = jsonBody(event) as Record<string, unknown>;
    const controls = await deps.controls.put(principal.companyId, { ...input, companyId: principal.companyId });
    return { body: controls };
  },

  'GET /cards/budgets': async ({ principal, event }) => {
    const q = parseQuery(API['GET /cards/budgets'].query, event);
    const at = q.at ? new Date(q.at) : deps.now();
    const controls = await deps.controls.get(principal.companyId);
    const budgets = controls?.budgets ?? [];
    const wanted = budgets.flatMap((b) => {
      const key = periodKey(b.period, at, controls?.timeZone ?? 'UTC');
      return key ? [{ budget: b, lineId: `${b.id}#${key}`, key }] : [];
    });
    const lines = await deps.budgets.lines(
      principal.companyId,
      wanted.map((w) => w.lineId),
    );
    return {
      body: {
        at: at.toISOString(),
        items: wanted.map(({ budget, lineId, key }) => ({
          budgetId: budget.id,
          name: budget.name ?? budget.id,
          scope: budget.scope,
          period: key,
          ...lineView(
            lines[lineId] ?? {
              lineId,
              limit: budget.limit,
              reserved: { minor: 0n, currency: budget.limit.currency },
              settled: { minor: 0n, currency: budget.limit.currency },
            },
          ),
        })),
      },
    };
  },

  'PUT /cards/{processor}/{cardId}': async ({ principal, event }) => {
    const processor = pathParam(event, 'processor');
    if (!(PROCESSORS as readonly string[]).includes(processor)) {
      throw new BadRequestError('processor', `must be one of ${PROCESSORS.join(', ')}`);
    }
    const cardId = pathParam(event, 'cardId');
    const body = parseBody(API['PUT /cards/{processor}/{cardId}'].body, event);
    if (body.employeeId && !(await deps.userExists(principal.companyId, body.employeeId))) {
      throw new BadRequestError('employeeId', 'no such user in the company');
    }
    await deps.assignCard({
      companyId: principal.companyId,
      processor: processor as Processor,
      cardId,
      employeeId: body.employeeId,
    });
    return { body: { processor, cardId, employeeId: body.employeeId } };
  },

  'GET /cards/transactions': async ({ principal, event }) => {
    const q = parseQuery(API['GET /cards/transactions'].query, event);
    const limit = q.limit ?? (q.format === 'csv' ? 10_000 : 50);
    const items = await deps.listMissingReceipts(principal.companyId, {
      limit,
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
    });
    const now = deps.now().getTime();
    const rows: Record<string, unknown>[] = items.map((t) => ({
      ...t,
      ageDays: Math.floor((now - Date.parse(String(t.postedAt))) / 86_400_000),
    }));
    if (q.format === 'csv') {
      const content = toCsv(rows, [
        ['transactionId', (t) => t.id],
        ['employeeId', (t) => t.employeeId],
        ['postedAt', (t) => t.postedAt],
        ['merchant', (t) => t.merchantName],
        ['mcc', (t) => t.mcc],
        ['amount', (t) => t.amount],
        ['currency', (t) => t.currency],
        ['cardLast4', (t) => t.cardLast4],
        ['ageDays', (t) => t.ageDays],
        ['lostReceipt', (t) => (t.lostReceipt as { status?: string } | null)?.status ?? ''],
      ]);
      const fileName = `missing-receipts${q.from ? `-${q.from}` : ''}${q.to ? `-${q.to}` : ''}.csv`;
      return { body: null, file: { contentType: 'text/csv; charset=utf-8', fileName, content } };
    }
    return { body: { items: rows } };
  },

  'POST /cards/transactions/{id}/lost-receipt': async ({ principal, event }) => {
    const id = decodeURIComponent(pathParam(event, 'id'));
    const tx = await deps.matches.transaction(principal.companyId, id);
    if (!tx || (tx.employeeId !== principal.userId && !hasAnyRole(principal, ['admin', 'finance']))) {
      throw new NotFoundError(`transaction ${id} not found`);
    }
    const { description } = parseBody(API['POST /cards/transactions/{id}/lost-receipt'].body, event);
    // A refusal by the transaction's state is an invalid transition (409 "invalidtransition"); a write that lost a
    // race without such a reason is a concurrent update (409 "concurrentupdate").
    const refusal = cannotDeclareLost(tx);
    if (refusal) throw new InvalidTransitionError(refusal);
    const declaration = { by: principal.userId, at: deps.now().toISOString(), description, status: 'PENDING' as const };
    if (!(await deps.matches.declareLost(principal.companyId, id, declaration))) {
      // Changed between the read above and the write (linked, declared or retired meanwhile): say what stands now.
      const now = await deps.matches.transaction(principal.companyId, id);
      const reason = now && cannotDeclareLost(now);
      throw reason
        ? new InvalidTransitionError(reason)
        : new ConcurrentUpdateError(`transaction ${id} changed meanwhile: read it again`);
    }
    return { status: 201, body: { transactionId: id, lostReceipt: declaration } };
  },

  'POST /cards/transactions/{id}/lost-receipt/decision': async ({ principal, event }) => {
    const id = decodeURIComponent(pathParam(event, 'id'));
    // Another company's (or an unknown) transaction is "not found", whatever the body says.
    const tx = await deps.matches.transaction(principal.companyId, id);
    const declared = tx?.lostReceipt;
    if (!tx || !declared) throw new NotFoundError(`no lost-receipt declaration for ${id}`);
    // A receipt linked, refunded in full, or the declaration withdrawn (by a link or the refund that completed the
    // purchase): nothing to decide (an invalid transition).
    const refusal = cannotDecideLost(tx, declared);
    if (refusal) throw new InvalidTransitionError(refusal);
    // Decided already (a second decision, or one that lost a race): a conflict, with the decision that stands.
    if (declared.status !== 'PENDING') throw alreadyDecided(id, declared);
    const input = parseBody(API['POST /cards/transactions/{id}/lost-receipt/decision'].body, event);
    const decided = await deps.matches.decideLost(principal.companyId, id, {
      accepted: input.accepted,
      by: principal.userId,
      at: deps.now().toISOString(),
      reason: input.reason ?? null,
    });
    if (!decided) {
      // Decided, or withdrawn by a link or a refund, between the read above and the write (the store writes only on
      // the pending declaration it read, on a transaction without a receipt, not refunded in full): say what stands
      // now.
      const after = await deps.matches.transaction(principal.companyId, id);
      const now = after?.lostReceipt;
      const reason = after && now && cannotDecideLost(after, now);
      if (reason) throw new InvalidTransitionError(reason);
      throw now && now.status !== 'PENDING'
        ? alreadyDecided(id, now)
        : new ConcurrentUpdateError(`the lost-receipt declaration for ${id} changed meanwhile: read it again`);
    }
    return { body: { transactionId: id, lostReceipt: decided } };
  },

  'GET /cards/authorizations': async ({ principal, event }) => {
    const q = parseQuery(API['GET /cards/authorizations'].query, event);
    return { body: { items: await deps.listDecisions(principal.companyId, q.limit) } };
  },
});
