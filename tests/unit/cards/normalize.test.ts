import { describe, expect, it } from 'vitest';
import type { Authorization, CardEvent, CardTransaction } from '../../../shared/domain/cards/model.ts';
import { normalizeCardPayload } from '../../../shared/domain/cards/normalize.ts';
import { money } from '../../../shared/domain/money.ts';
import { localFixture, sharedFixture, stripeEvent } from './fixtures.ts';

const receivedAt = new Date('2026-11-20T12:00:00Z');
const STRIPE_CREATED = '2009-02-13T23:31:30.000Z';

const one = (processor: 'stripe' | 'lithic' | 'marqeta', payload: unknown, eventId?: string): CardEvent => {
  const result = normalizeCardPayload(processor, payload, { receivedAt, ...(eventId ? { eventId } : {}) });
  if (!result.ok) throw new Error(result.message);
  expect(result.events).toHaveLength(1);
  return result.events[0] as CardEvent;
};

const usd = (minor: number) => money(minor, 'USD');

describe('Stripe Issuing', () => {
  const rocketRides = {
    name: 'Rocket Rides',
    normalizedName: 'ROCKET RIDES',
    mcc: '4121',
    city: 'San Francisco',
    country: 'US',
    acceptorId: '1234567890',
  };

  it('issuing_authorization.request: the pending request is what needs a decision', () => {
    const auth = sharedFixture('stripe/issuing.authorization.json');
    const event = one('stripe', stripeEvent('issuing_authorization.request', auth, 'evt_req'));
    expect(event).toEqual({
      processor: 'stripe',
      eventId: 'evt_req',
      type: 'issuing_authorization.request',
      occurredAt: STRIPE_CREATED,
      body: {
        kind: 'authorization-request',
        request: {
          processor: 'stripe',
          authorizationId: 'iauth_1Pgc77B7WZ01zgkWn0SmtHBY',
          cardId: 'ic_1Pgag5B7WZ01zgkWephORn8N',
          cardLast4: '4242',
          cardholderId: 'ich_1Pgag4B7WZ01zgkWdPVfBngi',
          direction: 'debit',
          amount: usd(700),
          merchantAmount: usd(700),
          merchant: rocketRides,
          network: {},
          partialApprovalCapable: false,
          requestedAt: STRIPE_CREATED,
        },
      },
    });
  });

  it('issuing_authorization.request in another currency keeps card and merchant amounts apart', () => {
    const auth = sharedFixture<Record<string, Record<string, unknown>>>('stripe/issuing.authorization.json');
    auth.pending_request = {
      ...auth.pending_request,
      amount: 1234,
      currency: 'eur',
      merchant_amount: 1500,
      merchant_currency: 'gbp',
      is_amount_controllable: true,
    };
    const event = one('stripe', stripeEvent('issuing_authorization.request', auth));
    expect(event.body).toMatchObject({
      request: { amount: money(1234, 'EUR'), merchantAmount: money(1500, 'GBP'), partialApprovalCapable: true },
    });
  });

  it('issuing_authorization.created: a pending authorization', () => {
    const event = one(
      'stripe',
      stripeEvent('issuing_authorization.created', sharedFixture('stripe/issuing.authorization.json')),
    );
    const expected: Authorization = {
      processor: 'stripe',
      id: 'iauth_1Pgc77B7WZ01zgkWn0SmtHBY',
      cardId: 'ic_1Pgag5B7WZ01zgkWephORn8N',
      cardLast4: '4242',
      cardholderId: 'ich_1Pgag4B7WZ01zgkWdPVfBngi',
      network: {},
      status: 'pending',
      amount: usd(0),
      pendingAmount: usd(0),
      merchantAmount: usd(0),
      merchant: rocketRides,
      transactionIds: [],
      createdAt: STRIPE_CREATED,
      updatedAt: STRIPE_CREATED,
    };
    expect(event.body).toEqual({ kind: 'authorization', change: 'created', authorization: expected, transactions: [] });
  });

  it.each([
    ['closed', true, 'closed', 'closed'],
    ['closed', false, 'declined', 'closed'],
    ['reversed', true, 'reversed', 'reversed'],
    ['expired', true, 'expired', 'expired'],
    ['pending', true, 'pending', 'updated'],
  ] as const)('issuing_authorization.updated %s (approved %s) → %s / %s', (status, approved, ours, change) => {
    const auth = { ...sharedFixture('stripe/issuing.authorization.json'), status, approved, amount: 700 };
    const event = one('stripe', stripeEvent('issuing_authorization.updated', auth, 'evt_upd', 1234567990));
    expect(event.body).toMatchObject({
      kind: 'authorization',
      change,
      authorization: { status: ours, amount: usd(700) },
    });
    if (event.body.kind !== 'authorization') throw new Error('not an authorization');
    expect(event.body.authorization.pendingAmount).toEqual(usd(ours === 'pending' ? 700 : 0));
    expect(event.body.authorization.updatedAt).toBe('2009-02-13T23:33:10.000Z');
  });

  it('issuing_authorization.updated embeds its transactions, which count as already reflected', () => {
    const tx = sharedFixture('stripe/issuing.transaction.json');
    const auth = { ...sharedFixture('stripe/issuing.authorization.json'), status: 'closed', transactions: [tx] };
    const event = one('stripe', stripeEvent('issuing_authorization.updated', auth));
    if (event.body.kind !== 'authorization') throw new Error('not an authorization');
    expect(event.body.authorization.transactionIds).toEqual(['ipi_1Pgc78B7WZ01zgkWm0QxtFzQ']);
    expect(event.body.transactions.map((t) => [t.id, t.amount])).toEqual([['ipi_1Pgc78B7WZ01zgkWm0QxtFzQ', usd(100)]]);
  });

  it('issuing_transaction.created: a capture of -100 in Stripe is +1.00 spent in ours', () => {
    const event = one(
      'stripe',
      stripeEvent('issuing_transaction.created', sharedFixture('stripe/issuing.transaction.json')),
    );
    const expected: CardTransaction = {
      processor: 'stripe',
      id: 'ipi_1Pgc78B7WZ01zgkWm0QxtFzQ',
      authorizationId: 'iauth_1Pgc78B7WZ01zgkW9IPKCfII',
      kind: 'capture',
      cardId: 'ic_1Pgag5B7WZ01zgkWephORn8N',
      cardLast4: null,
      cardholderId: 'ich_1Pgag4B7WZ01zgkWdPVfBngi',
      network: {},
      amount: usd(100),
      merchantAmount: usd(100),
      merchant: rocketRides,
      postedAt: STRIPE_CREATED,
    };
    expect(event.body).toEqual({ kind: 'transaction', transaction: expected });
  });

  it('issuing_transaction.created: a refund is negative, a foreign capture keeps both currencies', () => {
    const refund = {
      ...sharedFixture('stripe/issuing.transaction.json'),
      type: 'refund',
      amount: 250,
      merchant_amount: 250,
      authorization: null,
      network_data: { authorization_code: '123456', transaction_id: 'visa-tx-1', processing_date: null },
    };
    const event = one('stripe', stripeEvent('issuing_transaction.created', refund));
    expect(event.body).toMatchObject({
      transaction: {
        kind: 'refund',
        authorizationId: null,
        amount: usd(-250),
        merchantAmount: usd(-250),
        network: { authorizationCode: '123456', transactionId: 'visa-tx-1' },
      },
    });
    const foreign = {
      ...sharedFixture('stripe/issuing.transaction.json'),
      amount: -11_000,
      currency: 'eur',
      merchant_amount: -1_500_000,
      merchant_currency: 'jpy',
    };
    expect(one('stripe', stripeEvent('issuing_transaction.updated', foreign)).body).toMatchObject({
      transaction: { amount: money(11_000, 'EUR'), merchantAmount: money(1_500_000, 'JPY') },
    });
  });

  it('issuing_card.* and issuing_cardholder.* are lifecycle events', () => {
    expect(one('stripe', stripeEvent('issuing_card.created', sharedFixture('stripe/issuing.card.json'))).body).toEqual({
      kind: 'card',
      card: {
        cardId: 'ic_1Pgag5B7WZ01zgkWephORn8N',
        cardLast4: '4242',
        cardholderId: 'ich_1Pgag4B7WZ01zgkWdPVfBngi',
        status: 'active',
        replacementFor: null,
      },
    });
    const lost = { ...sharedFixture('stripe/issuing.card.json'), status: 'canceled', cancellation_reason: 'lost' };
    expect(one('stripe', stripeEvent('issuing_card.updated', lost)).body).toMatchObject({ card: { status: 'lost' } });
    expect(
      one('stripe', stripeEvent('issuing_cardholder.created', sharedFixture('stripe/issuing.cardholder.json'))).body,
    ).toEqual({
      kind: 'cardholder',
      cardholder: {
        cardholderId: 'ich_1Pgag4B7WZ01zgkWdPVfBngi',
        name: 'Jenny Rosen',
        email: 'jenny@example.com',
        status: 'active',
      },
    });
  });

  it.each([
    ['issuing_dispute.created', 'stripe/issuing.dispute.json'],
    ['issuing_settlement.created', 'stripe/issuing.settlement.json'],
    ['issuing_token.created', 'stripe/issuing.token.json'],
    ['balance.available', 'stripe/balance_transaction.json'],
  ])('%s is ignored and kept raw', (type, path) => {
    const object = sharedFixture(path);
    expect(one('stripe', stripeEvent(type, object)).body).toEqual({ kind: 'ignored', raw: object });
  });

  it('the event.json envelope as published (plan.created) is ignored with its id and time', () => {
    const event = one('stripe', sharedFixture('stripe/event.json'));
    expect(event).toMatchObject({
      eventId: 'evt_1Pgc76B7WZ01zgkWwyRHS12y',
      type: 'plan.created',
      occurredAt: STRIPE_CREATED,
    });
    expect(event.body.kind).toBe('ignored');
  });

  it('refuses a known type whose object does not have the expected shape, and a body that is no event', () => {
    const broken = normalizeCardPayload('stripe', stripeEvent('issuing_transaction.created', { id: 'ipi_x' }), {
      receivedAt,
    });
    expect(broken).toMatchObject({ ok: false, reason: 'malformed' });
    expect(broken.ok ? '' : broken.message).toMatch(/amount/);
    expect(normalizeCardPayload('stripe', [1, 2], { receivedAt })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('Lithic', () => {
  const somaEats = {
    name: 'SQ *SOMA EATS',
    normalizedName: 'SQ SOMA EATS',
    mcc: '5812',
    city: 'gosq.com',
    country: 'US',
    acceptorId: '452322000053360',
  };
  const cardTransaction = (): Record<string, unknown> => ({
    event_type: 'card_transaction.updated',
    ...sharedFixture<Record<string, unknown>[]>('lithic/examples/schema__card_transaction.json')[0],
  });

  it('the ASA request (asa-demo-python) is an authorization request', () => {
    const event = one('lithic', sharedFixture('lithic/asa_request__asa-demo-python.json'), 'msg_asa_1');
    expect(event).toEqual({
      processor: 'lithic',
      eventId: 'msg_asa_1',
      type: 'asa.request',
      occurredAt: '2021-11-14T15:20:08.000Z',
      body: {
        kind: 'authorization-request',
        request: {
          processor: 'lithic',
          authorizationId: '7842e70e-2b17-47ca-8541-869636bedf6a',
          cardId: '76b9f589-8935-4e78-8809-7f583bf0fb89',
          cardLast4: '3860',
          cardholderId: null,
          direction: 'debit',
          amount: usd(52),
          merchantAmount: usd(52),
          merchant: {
            name: 'coffee shop',
            normalizedName: 'COFFEE SHOP',
            mcc: '5812',
            city: 'NEW YORK',
            country: 'US',
            acceptorId: '174030075991',
          },
          network: {},
          partialApprovalCapable: false,
          requestedAt: '2021-11-14T15:20:08.000Z',
        },
      },
    });
  });

  it('an ASA request without a webhook-id is keyed by its token; a credit request is negative', () => {
    const asa = { ...sharedFixture('lithic/asa_request__asa-demo-python.json'), status: 'CREDIT_AUTHORIZATION' };
    const event = one('lithic', asa);
    expect(event.eventId).toBe('asa:7842e70e-2b17-47ca-8541-869636bedf6a');
    expect(event.body).toMatchObject({ request: { direction: 'credit', amount: usd(-52) } });
  });

  it('card_transaction.updated (the published example): a pending authorization holding 18.00', () => {
    const event = one('lithic', cardTransaction(), 'msg_ct_1');
    const expected: Authorization = {
      processor: 'lithic',
      id: 'c30c2182-1e69-4e0d-b40f-eec0d2a19123',
      cardId: 'aac502f9-aecc-458a-954e-4bcf6edb6123',
      cardLast4: null,
      cardholderId: 'db3942f0-0627-4887-a190-1ea83b46d091',
      network: { authorizationCode: '071471', retrievalReferenceNumber: '064386558597', transactionId: 'U1HSCJ' },
      status: 'pending',
      amount: usd(1800),
      pendingAmount: usd(1800),
      merchantAmount: usd(1800),
      merchant: somaEats,
      transactionIds: [],
      createdAt: '2023-08-03T18:42:30.000Z',
      updatedAt: '2023-08-03T18:42:30.000Z',
    };
    expect(event).toEqual({
      processor: 'lithic',
      eventId: 'msg_ct_1',
      type: 'card_transaction.updated',
      occurredAt: '2023-08-03T18:42:30.000Z',
      body: { kind: 'authorization', change: 'created', authorization: expected, transactions: [] },
    });
  });

  it('the list-transactions example holds the same transaction', () => {
    const listed = sharedFixture<{ data: Record<string, unknown>[] }[]>(
      'lithic/examples/schema__list_transactions_response.json',
    );
    const event = one('lithic', { event_type: 'card_transaction.updated', ...listed[0]?.data[0] }, 'msg_ct_1');
    expect(event).toEqual(one('lithic', cardTransaction(), 'msg_ct_1'));
  });

  it('a settled transaction with a partial clearing, a second clearing and a return', () => {
    const base = cardTransaction();
    const authEvent = (base.events as Record<string, unknown>[])[0];
    const step = (token: string, type: string, amount: number, polarity?: string) => ({
      ...authEvent,
      token,
      type,
      amount,
      amounts: { cardholder: { amount, currency: 'USD' }, merchant: { amount, currency: 'USD' } },
      created: '2023-08-04T10:00:00Z',
      ...(polarity ? { effective_polarity: polarity } : { effective_polarity: undefined }),
    });
    const settled = {
      ...base,
      status: 'SETTLED',
      amounts: { ...(base.amounts as object), hold: { amount: 0, currency: 'USD' } },
      updated: '2023-08-05T10:00:00Z',
      events: [
        authEvent,
        step('clr-1', 'CLEARING', 1000),
        step('clr-2', 'CLEARING', 500),
        step('ret-1', 'RETURN', 300, 'CREDIT'),
        { ...step('dec-1', 'CLEARING', 999), result: 'DECLINED' },
      ],
    };
    const event = one('lithic', settled, 'msg_ct_2');
    if (event.body.kind !== 'authorization') throw new Error('not an authorization');
    expect(event.body.change).toBe('closed');
    expect(event.body.authorization).toMatchObject({
      status: 'closed',
      pendingAmount: usd(0),
      transactionIds: ['clr-1', 'clr-2', 'ret-1'],
    });
    expect(event.body.transactions.map((t) => [t.id, t.kind, t.amount.minor, t.authorizationId])).toEqual([
      ['clr-1', 'capture', 1000n, 'c30c2182-1e69-4e0d-b40f-eec0d2a19123'],
      ['clr-2', 'capture', 500n, 'c30c2182-1e69-4e0d-b40f-eec0d2a19123'],
      ['ret-1', 'refund', -300n, 'c30c2182-1e69-4e0d-b40f-eec0d2a19123'],
    ]);
  });

  it.each([
    ['VOIDED', 'reversed', 'reversed'],
    ['EXPIRED', 'expired', 'expired'],
    ['DECLINED', 'declined', 'closed'],
  ])('status %s → %s (%s)', (status, ours, change) => {
    const event = one('lithic', { ...cardTransaction(), status }, 'msg_x');
    expect(event.body).toMatchObject({ change, authorization: { status: ours, pendingAmount: usd(0) } });
  });

  it('card.updated is a card lifecycle event; other event types are ignored', () => {
    const card = {
      event_type: 'card.updated',
      card_token: 'card-1',
      state: 'PAUSED',
      previous_fields: { state: 'OPEN' },
    };
    expect(one('lithic', card, 'msg_card').body).toEqual({
      kind: 'card',
      card: { cardId: 'card-1', cardLast4: null, cardholderId: null, status: 'inactive', replacementFor: null },
    });
    const holder = sharedFixture<{ kycExample: { value: unknown } }>(
      'lithic/examples/webhook__account_holder.updated.json',
    );
    expect(one('lithic', holder.kycExample.value, 'msg_ah').body.kind).toBe('ignored');
    for (const path of ['webhook__dispute_transaction.created.json', 'webhook__dispute_transaction.updated.json']) {
      const raw = sharedFixture<Record<string, unknown>>(`lithic/examples/${path}`);
      const payload = 'event_type' in raw ? raw : { event_type: 'dispute_transaction.created', ...raw };
      expect(one('lithic', payload, 'msg_d').body.kind).toBe('ignored');
    }
  });

  it('refuses a card_transaction without its card, and a webhook event without its webhook-id', () => {
    const { card_token: _dropped, ...noCard } = cardTransaction();
    expect(normalizeCardPayload('lithic', noCard, { receivedAt })).toMatchObject({ ok: false });
    expect(
      normalizeCardPayload('lithic', { event_type: 'card.updated', card_token: 'c' }, { receivedAt }),
    ).toMatchObject({ ok: false });
  });
});

describe('Marqeta', () => {
  const chickenTooth = {
    name: 'Chicken Tooth Music',
    normalizedName: 'CHICKEN TOOTH MUSIC',
    mcc: '6411',
    city: 'Berkeley',
    country: 'US',
    acceptorId: '000000000011111',
  };
  const network = {
    authorizationCode: '761515',
    retrievalReferenceNumber: '528294182583',
    systemTraceAuditNumber: '656761',
  };
  const webhook = () =>
    sharedFixture<{ transactions: Record<string, unknown>[] }>('marqeta/webhook-event-transactions__gilbertotcc.json');
  const auth = () => webhook().transactions[0] as Record<string, unknown>;

  it('the authorization webhook (JIT funded, gilbertotcc): a pending authorization of 10.00 USD', () => {
    const event = one('marqeta', webhook());
    const expected: Authorization = {
      processor: 'marqeta',
      id: '36d04781-d34f-4e0c-b895-2f1af976b565',
      cardId: '02cc766c-24a5-4c3b-adcf-0e5e27b09329',
      cardLast4: null,
      cardholderId: '99f323d4-298f-4b0c-93b1-19b2d9921eb8',
      network,
      status: 'pending',
      amount: usd(1000),
      pendingAmount: usd(1000),
      merchantAmount: usd(1000),
      merchant: chickenTooth,
      transactionIds: [],
      createdAt: '2018-08-21T17:26:29.000Z',
      updatedAt: '2018-08-21T17:26:29.000Z',
    };
    expect(event).toEqual({
      processor: 'marqeta',
      eventId: '36d04781-d34f-4e0c-b895-2f1af976b565:PENDING',
      type: 'authorization',
      occurredAt: '2018-08-21T17:26:29.000Z',
      body: { kind: 'authorization', change: 'created', authorization: expected, transactions: [] },
    });
  });

  it('the JIT Funding request (the same transaction, alone) needs a decision', () => {
    const event = one('marqeta', localFixture('marqeta/jit-funding-request.json'));
    expect(event).toEqual({
      processor: 'marqeta',
      eventId: '36d04781-d34f-4e0c-b895-2f1af976b565:PENDING',
      type: 'jit_funding.authorization',
      occurredAt: '2018-08-21T17:26:29.000Z',
      body: {
        kind: 'authorization-request',
        request: {
          processor: 'marqeta',
          authorizationId: '36d04781-d34f-4e0c-b895-2f1af976b565',
          cardId: '02cc766c-24a5-4c3b-adcf-0e5e27b09329',
          cardLast4: null,
          cardholderId: '99f323d4-298f-4b0c-93b1-19b2d9921eb8',
          direction: 'debit',
          amount: usd(1000),
          merchantAmount: usd(1000),
          merchant: chickenTooth,
          network,
          partialApprovalCapable: false,
          requestedAt: '2018-08-21T17:26:29.000Z',
        },
      },
    });
  });

  it('a batch: clearing (with tip), reversal, expiry and refund, decimals read exactly', () => {
    const follow = (token: string, type: string, amount: number | string, state = 'COMPLETION') => ({
      ...auth(),
      token,
      type,
      state,
      amount,
      preceding_related_transaction_token: '36d04781-d34f-4e0c-b895-2f1af976b565',
    });
    const result = normalizeCardPayload(
      'marqeta',
      {
        transactions: [
          follow('clr-1', 'authorization.clearing', 12.1),
          follow('rev-1', 'authorization.reversal', '10.00'),
          follow('exp-1', 'authorization.reversal.issuerexpiration', 10),
          follow('ref-1', 'refund', 0.3),
          follow('inc-1', 'authorization.incremental', 2),
        ],
      },
      { receivedAt },
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.events.map((e) => [e.eventId, e.body.kind])).toEqual([
      ['clr-1:COMPLETION', 'transaction'],
      ['rev-1:COMPLETION', 'authorization'],
      ['exp-1:COMPLETION', 'authorization'],
      ['ref-1:COMPLETION', 'transaction'],
      ['inc-1:COMPLETION', 'ignored'],
    ]);
    const [clearing, reversal, expiry, refund] = result.events.map((e) => e.body);
    expect(clearing).toMatchObject({
      transaction: { kind: 'capture', amount: usd(1210), authorizationId: '36d04781-d34f-4e0c-b895-2f1af976b565' },
    });
    expect(reversal).toMatchObject({
      change: 'reversed',
      authorization: { id: '36d04781-d34f-4e0c-b895-2f1af976b565', status: 'reversed', pendingAmount: usd(0) },
    });
    expect(expiry).toMatchObject({ change: 'expired', authorization: { status: 'expired' } });
    expect(refund).toMatchObject({ transaction: { kind: 'refund', amount: usd(-30), authorizationId: null } });
  });

  it('refuses amounts with more decimals than the currency has, and unknown shapes', () => {
    expect(
      normalizeCardPayload('marqeta', { transactions: [{ ...auth(), amount: 1.005 }] }, { receivedAt }),
    ).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(normalizeCardPayload('marqeta', { hello: 'world' }, { receivedAt })).toMatchObject({ ok: false });
  });
});
