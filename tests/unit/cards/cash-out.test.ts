import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  CardAuthorizationDecidedDetail,
  CardAuthorizationEndedDetail,
  CardTransactionPostedDetail,
} from '../../../events/cards.ts';
import { cashOutIncrements, cashOutSourceId, weekOf } from '../../../shared/domain/cards/cash-out.ts';

describe('weekly cash out', () => {
  it('puts every instant in the week starting the Monday before (or on) it', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (d) => {
        const monday = new Date(`${weekOf(d.toISOString())}T00:00:00Z`);
        expect(monday.getUTCDay()).toBe(1);
        expect(monday.getTime()).toBeLessThanOrEqual(d.getTime());
        expect(d.getTime() - monday.getTime()).toBeLessThan(7 * 86_400_000);
      }),
    );
    expect(weekOf('2026-11-22T23:59:59Z')).toBe('2026-11-16'); // a Sunday
    expect(weekOf('2026-11-23T00:00:00Z')).toBe('2026-11-23');
  });

  const auth = (approved: boolean) =>
    ({
      approved,
      decidedAt: '2026-11-18T10:00:00Z',
      amount: { amount: '42.50', currency: 'EUR' },
    }) as CardAuthorizationDecidedDetail;
  const tx = (amount: string) =>
    ({ postedAt: '2026-12-01T08:00:00Z', amount: { amount, currency: 'EUR' } }) as CardTransactionPostedDetail;

  it('counts approved authorizations and signed postings in minor units, declines not at all', () => {
    expect(cashOutIncrements({ type: 'CardAuthorizationDecided', detail: auth(true) })).toEqual([
      { month: '2026-11', dimension: 'cash-out-authorized', key: '2026-11-16', label: 'EUR', amountMinor: 4250n },
    ]);
    expect(cashOutIncrements({ type: 'CardAuthorizationDecided', detail: auth(false) })).toEqual([]);
    expect(cashOutIncrements({ type: 'CardTransactionPosted', detail: tx('-12.00') })).toEqual([
      { month: '2026-11', dimension: 'cash-out-captured', key: '2026-11-30', label: 'EUR', amountMinor: -1200n },
    ]);
  });

  const ended = (authorizationId: string, approved: CardAuthorizationEndedDetail['approved']) =>
    ({
      processor: 'stripe',
      eventId: 'evt_end',
      authorizationId,
      endedAt: '2026-12-02T09:00:00Z',
      amount: { amount: '42.50', currency: 'EUR' },
      approved,
    }) as CardAuthorizationEndedDetail;

  it('takes an approval that ended unused back from the week it was approved in, once per authorization', () => {
    const approved = { decidedAt: '2026-11-18T10:00:00Z', amount: { amount: '42.50', currency: 'EUR' } };
    const counted = cashOutIncrements({ type: 'CardAuthorizationDecided', detail: auth(true) });
    const back = cashOutIncrements({ type: 'CardAuthorizationEnded', detail: ended('iauth_1', approved) });
    expect(back).toEqual([{ ...counted[0], amountMinor: -4250n }]);
    // Authorized by the processor without asking Quittance: never counted, nothing to take back.
    expect(cashOutIncrements({ type: 'CardAuthorizationEnded', detail: ended('iauth_1', null) })).toEqual([]);
    // One event may end two authorizations: two sources.
    const ids = ['iauth_1', 'iauth_2'].map((a) =>
      cashOutSourceId({ type: 'CardAuthorizationEnded', detail: ended(a, approved) }),
    );
    expect(new Set(ids).size).toBe(2);
  });
});
