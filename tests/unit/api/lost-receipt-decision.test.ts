import { describe, expect, it } from 'vitest';
import { type CardsApiDeps, makeRoutes } from '../../../functions/cards-api/routes.ts';
import { money } from '../../../shared/domain/money.ts';
import type { LostReceiptDeclaration, MatchStore, OnlineTransaction } from '../../../shared/ports/match-store.ts';
import { type HttpEvent, httpRouter } from '../../../shared/runtime/http.ts';

/**
 * Finance's decision on a lost-receipt declaration: a declaration decided already, or decided by someone else while
 * this decision was written, is a 409 that says what stands; never a 500, never "not found".
 */
const declared: LostReceiptDeclaration = {
  by: 'u1',
  at: '2026-05-12T00:00:00.000Z',
  description: 'paper ticket lost',
  status: 'PENDING',
};

const setup = (opts: {
  lost?: LostReceiptDeclaration;
  race?: boolean;
  receiptId?: string;
  raceLink?: boolean;
  refundIds?: string[];
  raceRefund?: boolean;
}) => {
  let lost = opts.lost;
  let receiptId = opts.receiptId ?? null;
  // Refunds of the whole amount (4 200) when given.
  let refundIds = opts.refundIds ?? null;
  const errors: unknown[] = [];
  const tx = (): OnlineTransaction => ({
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
    receiptId,
    ...(lost ? { lostReceipt: lost } : {}),
    ...(refundIds ? { refundedMinor: 4_200n, refundIds } : {}),
  });
  const matches = {
    transaction: async (_co: string, id: string) => (id === 't1' ? tx() : null),
    decideLost: async (_co: string, _id: string, d: { accepted: boolean; by: string; at: string }) => {
      if (lost?.status !== 'PENDING' || receiptId || refundIds) return null;
      if (opts.raceRefund) {
        // The refund of the whole amount was linked between the route's read and this write: it withdrew it.
        refundIds = ['t_rf'];
        lost = { ...lost, status: 'WITHDRAWN', decidedBy: 'auto', decidedAt: '2026-05-13T09:45:00.000Z' };
        lost.reason = 'refunded in full by t_rf';
        return null;
      }
      if (opts.raceLink) {
        // A receipt was linked between the route's read and this write: the link withdrew the declaration.
        receiptId = 'r7';
        lost = { ...lost, status: 'WITHDRAWN', decidedBy: 'auto', decidedAt: '2026-05-13T09:30:00.000Z' };
        lost.reason = 'receipt r7 linked';
        return null;
      }
      if (opts.race) {
        // Another finance user decided between the route's read and this write.
        lost = { ...lost, status: 'ACCEPTED', decidedBy: 'u_other', decidedAt: '2026-05-13T09:00:00.000Z' };
        return null;
      }
      lost = { ...lost, status: d.accepted ? 'ACCEPTED' : 'REFUSED', decidedBy: d.by, decidedAt: d.at };
      return lost;
    },
  } as unknown as MatchStore;
  const router = httpRouter(
    makeRoutes({ matches, now: () => new Date('2026-05-13T10:00:00.000Z') } as unknown as CardsApiDeps),
    (e) => errors.push(e),
  );
  const decide = async (id: string, body: unknown) => {
    const res = await router({
      routeKey: 'POST /cards/transactions/{id}/lost-receipt/decision',
      pathParameters: { id },
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: {
        authorizer: { jwt: { claims: { sub: 'u_fin', 'custom:companyId': 'c1', 'cognito:groups': ['finance'] } } },
      },
    } as unknown as HttpEvent);
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  return { decide, errors };
};

describe('POST /cards/transactions/{id}/lost-receipt/decision', () => {
  it('decides a pending declaration, then answers 409 with the decision that stands', async () => {
    const { decide, errors } = setup({ lost: declared });
    const first = await decide('t1', { accepted: true });
    expect(first.status).toBe(200);
    expect(first.body.lostReceipt).toMatchObject({ status: 'ACCEPTED', decidedBy: 'u_fin' });
    const second = await decide('t1', { accepted: false, reason: 'changed my mind' });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      error: 'concurrentupdate',
      message: 'the lost-receipt declaration for t1 is already decided: accepted by u_fin at 2026-05-13T10:00:00.000Z',
    });
    expect(errors).toEqual([]);
  });

  it('answers 409 when another decision won between the read and the write', async () => {
    const { decide, errors } = setup({ lost: declared, race: true });
    const res = await decide('t1', { accepted: false, reason: 'no duplicate asked' });
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(
      'the lost-receipt declaration for t1 is already decided: accepted by u_other at 2026-05-13T09:00:00.000Z',
    );
    expect(errors).toEqual([]);
  });

  it('refuses a decision on a transaction with a receipt linked (409 invalidtransition), withdrawn or left pending', async () => {
    const withdrawn: LostReceiptDeclaration = {
      ...declared,
      status: 'WITHDRAWN',
      decidedBy: 'user:u9',
      decidedAt: '2026-05-12T12:00:00.000Z',
      reason: 'receipt r1 linked',
    };
    for (const accepted of [true, false]) {
      const body = accepted ? { accepted } : { accepted, reason: 'no' };
      const linked = await setup({ lost: withdrawn, receiptId: 'r1' }).decide('t1', body);
      expect(linked.status).toBe(409);
      expect(linked.body).toEqual({
        error: 'invalidtransition',
        message:
          'a receipt is linked to transaction t1 (r1): the lost-receipt declaration was withdrawn by user:u9 at 2026-05-12T12:00:00.000Z',
      });
      // Pending beside a receipt (linked before links withdrew declarations): nothing to decide either.
      const stale = await setup({ lost: declared, receiptId: 'r1' }).decide('t1', body);
      expect(stale.status).toBe(409);
      expect(stale.body).toEqual({
        error: 'invalidtransition',
        message: 'a receipt is linked to transaction t1 (r1): no lost-receipt declaration to decide',
      });
    }
    // Withdrawn by a link since undone: nothing to decide; the employee declares again.
    const undone = await setup({ lost: withdrawn }).decide('t1', { accepted: true });
    expect(undone.status).toBe(409);
    expect(undone.body).toEqual({
      error: 'invalidtransition',
      message:
        'the lost-receipt declaration for t1 was withdrawn by user:u9 at 2026-05-12T12:00:00.000Z (receipt r1 linked), nothing to decide: declare the loss again if the receipt is lost',
    });
  });

  it('a receipt linked between the read and the write: 409 invalidtransition, saying so', async () => {
    const { decide, errors } = setup({ lost: declared, raceLink: true });
    const res = await decide('t1', { accepted: true });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'invalidtransition',
      message:
        'a receipt is linked to transaction t1 (r7): the lost-receipt declaration was withdrawn by auto at 2026-05-13T09:30:00.000Z',
    });
    expect(errors).toEqual([]);
  });

  it('refuses a decision on a purchase refunded in full (409 invalidtransition), withdrawn by the refund or left pending', async () => {
    const withdrawn: LostReceiptDeclaration = {
      ...declared,
      status: 'WITHDRAWN',
      decidedBy: 'auto',
      decidedAt: '2026-05-12T12:00:00.000Z',
      reason: 'refunded in full by t_rf2',
    };
    for (const accepted of [true, false]) {
      const body = accepted ? { accepted } : { accepted, reason: 'no' };
      const refunded = await setup({ lost: withdrawn, refundIds: ['t_rf1', 't_rf2'] }).decide('t1', body);
      expect(refunded.status).toBe(409);
      expect(refunded.body).toEqual({
        error: 'invalidtransition',
        message:
          'transaction t1 is refunded in full (t_rf1, t_rf2): no receipt is needed, the lost-receipt declaration was withdrawn by auto at 2026-05-12T12:00:00.000Z',
      });
      // Pending on a purchase refunded in full (by a refund linked before refunds withdrew declarations).
      const stale = await setup({ lost: declared, refundIds: ['t_rf1'] }).decide('t1', body);
      expect(stale.status).toBe(409);
      expect(stale.body).toEqual({
        error: 'invalidtransition',
        message: 'transaction t1 is refunded in full (t_rf1): no receipt is needed, nothing to decide',
      });
    }
  });

  it('the refund completing the purchase between the read and the write: 409 invalidtransition, saying so', async () => {
    const { decide, errors } = setup({ lost: declared, raceRefund: true });
    const res = await decide('t1', { accepted: true });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'invalidtransition',
      message:
        'transaction t1 is refunded in full (t_rf): no receipt is needed, the lost-receipt declaration was withdrawn by auto at 2026-05-13T09:45:00.000Z',
    });
    expect(errors).toEqual([]);
  });

  it('is 404 without a declaration, or for a transaction it cannot see', async () => {
    const { decide } = setup({});
    expect((await decide('t1', { accepted: true })).status).toBe(404);
    expect((await decide('t9', { accepted: true })).status).toBe(404);
  });
});
