import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardEvents } from '../../../events/cards.ts';
import { eventBridgeEnvelope } from '../../../events/envelope.ts';
import {
  cardAuthorizationDecided,
  cardAuthorizationEnded,
  cardTransactionPosted,
  endedWithoutCapture,
} from '../../../shared/domain/cards/card-events.ts';
import { companyControlsSchema } from '../../../shared/domain/cards/controls.ts';
import { decideAuthorization, fallbackDecision } from '../../../shared/domain/cards/decide-authorization.ts';
import { applyCardEvent, emptyLedger } from '../../../shared/domain/cards/ledger.ts';
import type { CardEvent } from '../../../shared/domain/cards/model.ts';
import { lithicAsaResponse, marqetaJitResponse, stripeResponse } from '../../../shared/domain/cards/responses.ts';
import { authEvent, authorization, eur, request, transaction, txEvent } from './builders.ts';

const samples = join(import.meta.dirname, '../../../events/samples');
const owner = { companyId: 'demo', employeeId: 'u_alice' };
const holder = { employeeId: 'u_alice', teamIds: [], active: true, oldestMissingReceiptSince: null };
const controls = companyControlsSchema.parse({
  companyId: 'demo',
  currency: 'EUR',
  fallback: 'decline',
  budgets: [
    {
      id: 'alice',
      scope: { kind: 'employee', employeeId: 'u_alice' },
      period: { kind: 'month' },
      limit: { amount: '50.00', currency: 'EUR' },
    },
  ],
});
const now = new Date('2026-11-20T09:00:00Z');

describe('card event contracts', () => {
  it.each(Object.entries(cardEvents))('the %s sample validates against its contract', (name, spec) => {
    const sample = JSON.parse(readFileSync(join(samples, `${name}.json`), 'utf8')) as unknown;
    expect(eventBridgeEnvelope(name, spec.detail).parse(sample).source).toBe('quittance.cards');
  });

  it('maps a decision to a valid CardAuthorizationDecided, amounts as decimal strings', () => {
    const decision = decideAuthorization(request(4200), controls, { lines: {} }, holder, now);
    const detail = cardAuthorizationDecided(owner, 'evt_req', request(4200), decision, now);
    expect(cardEvents.CardAuthorizationDecided.detail.parse(detail)).toEqual(detail);
    expect(detail).toMatchObject({
      approved: true,
      amount: { amount: '42.00', currency: 'EUR' },
      reservations: [{ lineId: 'alice#2026-11', budgetId: 'alice', amount: { amount: '42.00', currency: 'EUR' } }],
      decidedAt: '2026-11-20T09:00:00.000Z',
    });
  });

  it('maps a refund to a valid CardTransactionPosted with a negative amount', () => {
    const detail = cardTransactionPosted(
      { companyId: 'demo', employeeId: null },
      'evt_tx',
      transaction('ipi_r', null, -1250, 5),
    );
    expect(cardEvents.CardTransactionPosted.detail.parse(detail)).toEqual(detail);
    expect(detail).toMatchObject({ kind: 'refund', amount: { amount: '-12.50', currency: 'EUR' }, employeeId: null });
  });
});

describe('processor responses', () => {
  const declined = decideAuthorization(request(6000), controls, { lines: {} }, holder, now);
  const approved = decideAuthorization(request(1000), controls, { lines: {} }, holder, now);

  it('Stripe: approved true/false, decline codes in metadata', () => {
    expect(stripeResponse(approved)).toEqual({ statusCode: 200, body: { approved: true } });
    expect(stripeResponse(declined)).toEqual({
      statusCode: 200,
      body: { approved: false, metadata: { quittance_reasons: 'budget-exceeded' } },
    });
  });

  it('Lithic ASA: the token and an ASA result', () => {
    const r = request(6000, { authorizationId: '7842e70e-2b17-47ca-8541-869636bedf6a' });
    expect(lithicAsaResponse(r, declined).body).toEqual({ token: r.authorizationId, result: 'INSUFFICIENT_FUNDS' });
    expect(lithicAsaResponse(r, approved).body).toEqual({ token: r.authorizationId, result: 'APPROVED' });
    expect(lithicAsaResponse(r, fallbackDecision(controls, 'timeout')).body.result).toBe('INSUFFICIENT_FUNDS');
  });

  it('Marqeta JIT: 200 funded, or 402 with a decline reason', () => {
    const r = request(1000, { authorizationId: '36d04781', cardholderId: 'user-1', amount: eur(1050) });
    expect(marqetaJitResponse(r, approved)).toEqual({
      statusCode: 200,
      body: {
        jit_funding: {
          token: 'jit_36d04781',
          method: 'pgfs.authorization',
          user_token: 'user-1',
          acting_user_token: 'user-1',
          amount: 10.5,
        },
      },
    });
    expect(marqetaJitResponse(r, declined)).toMatchObject({
      statusCode: 402,
      body: { jit_funding: { decline_reason: 'INSUFFICIENT_FUNDS' } },
    });
  });
});

describe('an authorization that ends without a capture', () => {
  const reduce = (events: CardEvent[]) => {
    let state = emptyLedger();
    const ends: string[][] = [];
    for (const e of events) {
      state = applyCardEvent(state, e).state;
      ends.push(endedWithoutCapture(state, e.eventId).map((a) => `${a.id}:${a.status}`));
    }
    return ends;
  };

  it('is announced by the event that reversed or expired it, and only by that one', () => {
    const ends = reduce([
      authEvent('evt_a', authorization('iauth_1', 5000, 'pending', 1)),
      authEvent('evt_b', authorization('iauth_1', 5000, 'expired', 9)),
      authEvent('evt_c', authorization('iauth_2', 3000, 'reversed', 2)),
    ]);
    expect(ends).toEqual([[], ['iauth_1:expired'], ['iauth_2:reversed']]);
    const detail = cardAuthorizationEnded(
      { companyId: 'demo', employeeId: 'u_alice' },
      'evt_b',
      authorization('iauth_1', 5000, 'expired', 9),
      {
        processor: 'stripe',
        authorizationId: 'iauth_1',
        approved: true,
        amount: eur(5000),
        decidedAt: '2026-11-20T10:00:00.000Z',
        eventId: 'evt_req',
      },
    );
    expect(cardEvents.CardAuthorizationEnded.detail.parse(detail)).toEqual(detail);
    expect(detail).toMatchObject({
      status: 'expired',
      amount: { amount: '50.00', currency: 'EUR' },
      approved: { decidedAt: '2026-11-20T10:00:00.000Z', amount: { amount: '50.00', currency: 'EUR' } },
    });
  });

  it('is not announced when money moved (a capture on record, in any order), nor for a closed one', () => {
    const capture = transaction('ipi_1', 'iauth_1', 5000, 5);
    expect(
      reduce([txEvent('evt_c', capture), authEvent('evt_x', authorization('iauth_1', 5000, 'expired', 9))]),
    ).toEqual([[], []]);
    expect(reduce([authEvent('evt_d', authorization('iauth_3', 5000, 'closed', 9))])).toEqual([[]]);
  });
});
