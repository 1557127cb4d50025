import { describe, expect, it } from 'vitest';
import { type CardsApiDeps, makeRoutes } from '../../../functions/cards-api/routes.ts';
import { money } from '../../../shared/domain/money.ts';
import type { LostReceiptDeclaration, MatchStore, OnlineTransaction } from '../../../shared/ports/match-store.ts';
import { type HttpEvent, httpRouter } from '../../../shared/runtime/http.ts';

/**
 * An employee declares a card payment's receipt lost. Only a payment that waits for its receipt takes a declaration:
 * an authorization hold (pending, captured or ended), a refund or a zero amount, a payment with its receipt, or one
 * with a declaration pending or accepted is a 409 that says why (and, for a captured hold, which capture to declare
 * on); never a 500.
 */
const base: OnlineTransaction = {
  companyId: 'c1',
  id: 't1',
  employeeId: 'u1',
  merchantName: 'Bistro',
  mcc: '5812',
  amount: money(4_200n, 'EUR'),
  merchantAmount: null,
  authorizedAt: '2026-05-10T12:00:00.000Z',
  postedAt: '2026-05-10T18:00:00.000Z',
  cardLast4: '4242',
  receiptId: null,
};

const setup = (stored: Partial<OnlineTransaction>, opts: { changedMeanwhile?: Partial<OnlineTransaction> } = {}) => {
  let tx: OnlineTransaction = { ...base, ...stored };
  const errors: unknown[] = [];
  const writes: LostReceiptDeclaration[] = [];
  const matches = {
    transaction: async (_co: string, id: string) => (id === tx.id ? tx : null),
    declareLost: async (_co: string, _id: string, d: LostReceiptDeclaration) => {
      if (opts.changedMeanwhile) {
        // Someone else wrote between the route's read and this conditional write, which then fails.
        tx = { ...tx, ...opts.changedMeanwhile };
        return false;
      }
      writes.push(d);
      return true;
    },
  } as unknown as MatchStore;
  const router = httpRouter(
    makeRoutes({ matches, now: () => new Date('2026-05-13T10:00:00.000Z') } as unknown as CardsApiDeps),
    (e) => errors.push(e),
  );
  const declare = async (id = tx.id) => {
    const res = await router({
      routeKey: 'POST /cards/transactions/{id}/lost-receipt',
      pathParameters: { id: encodeURIComponent(id) },
      body: JSON.stringify({ description: 'Lunch with a client, paper ticket lost' }),
      isBase64Encoded: false,
      requestContext: {
        authorizer: { jwt: { claims: { sub: 'u1', 'custom:companyId': 'c1', 'cognito:groups': ['employee'] } } },
      },
    } as unknown as HttpEvent);
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  return { declare, errors, writes };
};

describe('POST /cards/transactions/{id}/lost-receipt', () => {
  it('declares on a payment waiting for its receipt, and again after a refusal', async () => {
    for (const stored of [
      {},
      {
        lostReceipt: {
          by: 'u1',
          at: '2026-05-11T00:00:00.000Z',
          description: 'lost',
          status: 'REFUSED',
          decidedBy: 'u_fin',
        } as const,
      },
    ]) {
      const { declare, errors, writes } = setup(stored);
      const res = await declare();
      expect(res.status).toBe(201);
      expect(res.body.lostReceipt).toMatchObject({ by: 'u1', status: 'PENDING' });
      expect(writes).toHaveLength(1);
      expect(errors).toEqual([]);
    }
  });

  it('refuses a pending authorization hold: declare on its capture when posted', async () => {
    const { declare, errors, writes } = setup({ id: 'stripe:auth:ia_1', postedAt: null, pending: true });
    const res = await declare();
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'invalidtransition',
      message:
        'transaction stripe:auth:ia_1 is an authorization hold; declare the loss on its capture when it is posted',
    });
    expect(writes).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('refuses a captured hold, naming its capture', async () => {
    const { declare, writes } = setup({ id: 'stripe:auth:ia_1', pending: true, capturedBy: 'stripe:ipi_9' });
    const res = await declare();
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(
      'transaction stripe:auth:ia_1 is an authorization hold; declare the loss on its capture stripe:ipi_9',
    );
    expect(writes).toEqual([]);
  });

  it('refuses a hold that ended without a charge: nothing was paid', async () => {
    const { declare } = setup({ id: 'stripe:auth:ia_1', pending: true, capturedBy: 'ended:reversed' });
    const res = await declare();
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(
      'transaction stripe:auth:ia_1 is an authorization hold that ended (reversed) without a charge: no receipt is needed',
    );
  });

  it('refuses a refund, and a zero amount: no receipt is needed', async () => {
    const refund = setup({ id: 'stripe:ipi_r1', amount: money(-4_200n, 'EUR') });
    const res = await refund.declare();
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'invalidtransition',
      message: 'transaction stripe:ipi_r1 is a refund: no receipt is needed',
    });
    expect(refund.writes).toEqual([]);
    expect(refund.errors).toEqual([]);
    // Linked to its purchase or not, with a declaration refused before or not: still a refund.
    const linked = setup({
      amount: money(-1n, 'EUR'),
      refundOf: {
        transactionId: 't0',
        score: 0.9,
        reasons: ['same merchant'],
        by: 'system',
        at: '2026-05-12T00:00:00.000Z',
      },
      lostReceipt: { by: 'u1', at: '2026-05-11T00:00:00.000Z', description: 'lost', status: 'REFUSED' },
    });
    expect((await linked.declare()).body.message).toBe('transaction t1 is a refund: no receipt is needed');
    expect(linked.writes).toEqual([]);
    const zero = setup({ amount: money(0n, 'EUR') });
    const nothing = await zero.declare();
    expect(nothing.status).toBe(409);
    expect(nothing.body.message).toBe('transaction t1 is for no amount: no receipt is needed');
    expect(zero.writes).toEqual([]);
  });

  it('refuses a purchase refunded in full (no receipt is needed), takes one refunded in part', async () => {
    const full = setup({ refundedMinor: 4_200n, refundIds: ['rf1', 'rf2'] });
    const res = await full.declare();
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'invalidtransition',
      message: 'transaction t1 is refunded in full (rf1, rf2): no receipt is needed',
    });
    expect(full.writes).toEqual([]);
    expect(full.errors).toEqual([]);
    const part = setup({ refundedMinor: 4_199n, refundIds: ['rf1'] });
    expect((await part.declare()).status).toBe(201);
    expect(part.writes).toHaveLength(1);
    // Refunded in full between the read and the write: the store refuses, and the answer says why.
    const raced = setup(
      { refundedMinor: 1_000n, refundIds: ['rf1'] },
      {
        changedMeanwhile: { refundedMinor: 4_200n, refundIds: ['rf1', 'rf2'] },
      },
    );
    const late = await raced.declare();
    expect(late.status).toBe(409);
    expect(late.body).toEqual({
      error: 'invalidtransition',
      message: 'transaction t1 is refunded in full (rf1, rf2): no receipt is needed',
    });
  });

  it('takes a new declaration after one withdrawn by a link since undone', async () => {
    const { declare, writes } = setup({
      lostReceipt: {
        by: 'u1',
        at: '2026-05-11T00:00:00.000Z',
        description: 'lost',
        status: 'WITHDRAWN',
        decidedBy: 'auto',
        decidedAt: '2026-05-12T00:00:00.000Z',
        reason: 'receipt r1 linked',
      },
    });
    expect((await declare()).status).toBe(201);
    expect(writes).toHaveLength(1);
  });

  it('refuses a payment with its receipt, or with a declaration pending or accepted', async () => {
    expect((await setup({ receiptId: 'r1' }).declare()).body).toEqual({
      error: 'invalidtransition',
      message: 'transaction t1 has its receipt (r1): nothing to declare lost',
    });
    const pending = { by: 'u1', at: '2026-05-11T00:00:00.000Z', description: 'lost', status: 'PENDING' } as const;
    expect((await setup({ lostReceipt: pending }).declare()).body.message).toBe(
      'a lost-receipt declaration for t1 is already pending (made by u1 at 2026-05-11T00:00:00.000Z)',
    );
    const accepted = {
      ...pending,
      status: 'ACCEPTED',
      decidedBy: 'u_fin',
      decidedAt: '2026-05-12T00:00:00.000Z',
    } as const;
    const res = await setup({ lostReceipt: accepted }).declare();
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(
      'the lost-receipt declaration for t1 is already accepted by u_fin at 2026-05-12T00:00:00.000Z',
    );
  });

  it('a write refused after a clean read says what changed meanwhile', async () => {
    const linked = setup({}, { changedMeanwhile: { receiptId: 'r2' } });
    const res = await linked.declare();
    expect(res.status).toBe(409);
    expect(res.body.message).toBe('transaction t1 has its receipt (r2): nothing to declare lost');
    expect(linked.errors).toEqual([]);
    // Nothing visible changed (the store refused anyway): a conflict to read again, not a 500.
    const unexplained = await setup({}, { changedMeanwhile: {} }).declare();
    expect(unexplained.status).toBe(409);
    expect(unexplained.body.message).toBe('transaction t1 changed meanwhile: read it again');
  });

  it('is 404 for a transaction it cannot see', async () => {
    expect((await setup({}).declare('t9')).status).toBe(404);
    expect((await setup({ employeeId: 'u2' }).declare()).status).toBe(404);
  });
});
