import { describe, expect, it } from 'vitest';
import { applyExposureDelta, type BudgetLine, openLine, reserve } from '../../../shared/domain/cards/budget.ts';
import { companyControlsSchema } from '../../../shared/domain/cards/controls.ts';
import { decideAuthorization } from '../../../shared/domain/cards/decide-authorization.ts';
import {
  applyCardEvent,
  type CardLedgerState,
  emptyLedger,
  exposureDelta,
  ledgerKeyOf,
  recordDecision,
} from '../../../shared/domain/cards/ledger.ts';
import type { CardEvent, CardTransaction } from '../../../shared/domain/cards/model.ts';
import { normalizeCardPayload } from '../../../shared/domain/cards/normalize.ts';
import { verifyStripeSignature } from '../../../shared/domain/cards/verify-stripe.ts';
import { money } from '../../../shared/domain/money.ts';
import { sharedFixture, stripeEvent } from './fixtures.ts';
import { stripeHeader } from './signing.ts';

/**
 * The pure steps the webhook runs, end to end on Stripe's own fixtures: signed raw body → verified → normalized →
 * decided and reserved → ledger → budget movements and posted transactions.
 */
const secret = 'whsec_pipeline';
const t0 = 1_795_000_000;

const controls = companyControlsSchema.parse({
  companyId: 'demo',
  currency: 'USD',
  fallback: 'decline',
  budgets: [
    {
      id: 'jenny',
      scope: { kind: 'employee', employeeId: 'u_jenny' },
      period: { kind: 'month' },
      limit: { amount: '10.00', currency: 'USD' },
    },
  ],
});
const jenny = { employeeId: 'u_jenny', teamIds: [], active: true, oldestMissingReceiptSince: null };

const deliver = (payload: unknown, at: number): CardEvent[] => {
  const body = JSON.stringify(payload);
  const now = new Date(at * 1000);
  const verified = verifyStripeSignature(body, { 'stripe-signature': stripeHeader(body, [secret], at) }, [secret], now);
  if (!verified.ok) throw new Error(verified.message);
  const normalized = normalizeCardPayload('stripe', JSON.parse(body), { receivedAt: now });
  if (!normalized.ok) throw new Error(normalized.message);
  return normalized.events;
};

describe('webhook pipeline (pure steps) on Stripe fixtures', () => {
  it('request approved and reserved, then authorization, capture with tip and close: budget and posting exact', () => {
    const auth = sharedFixture<Record<string, unknown>>('stripe/issuing.authorization.json');
    const capture = {
      ...sharedFixture<Record<string, unknown>>('stripe/issuing.transaction.json'),
      authorization: auth.id,
      amount: -820,
      merchant_amount: -820,
    };
    let line: BudgetLine = openLine('jenny#2026-11', money(1000, 'USD'));
    let ledger: CardLedgerState = emptyLedger();
    const posted: CardTransaction[] = [];

    // 1. The request: decide, reserve atomically, record the decision in the ledger.
    const [request] = deliver(stripeEvent('issuing_authorization.request', auth, 'evt_req', t0), t0);
    if (request?.body.kind !== 'authorization-request') throw new Error('expected a request');
    const now = new Date('2026-11-20T12:00:00Z');
    const decision = decideAuthorization(request.body.request, controls, { lines: {} }, jenny, now);
    expect(decision).toMatchObject({
      approved: true,
      reservations: [{ lineId: 'jenny#2026-11', amount: money(700, 'USD') }],
    });
    const reserved = reserve(line, money(700, 'USD'));
    if (!reserved.ok) throw new Error(reserved.message);
    line = reserved.line;
    ledger = recordDecision(ledger, {
      processor: 'stripe',
      authorizationId: request.body.request.authorizationId,
      approved: true,
      amount: request.body.request.amount,
      decidedAt: now.toISOString(),
      eventId: request.eventId,
    });

    // 2. Later deliveries, out of order and one duplicated; each delta moves the line without its limit condition.
    const pendingAuth = { ...auth, amount: 700, merchant_amount: 700, pending_request: null };
    const closedAuth = { ...pendingAuth, status: 'closed', transactions: [capture] };
    const deliveries = [
      ...deliver(stripeEvent('issuing_transaction.created', capture, 'evt_tx', t0 + 90), t0 + 90),
      ...deliver(stripeEvent('issuing_authorization.created', pendingAuth, 'evt_created', t0 + 1), t0 + 1),
      ...deliver(stripeEvent('issuing_authorization.updated', closedAuth, 'evt_closed', t0 + 91), t0 + 91),
      ...deliver(stripeEvent('issuing_transaction.created', capture, 'evt_tx', t0 + 90), t0 + 95),
    ];
    for (const event of deliveries) {
      expect(ledgerKeyOf(event)).toBe('stripe:iauth_1Pgc77B7WZ01zgkWn0SmtHBY');
      const change = applyCardEvent(ledger, event);
      for (const delta of exposureDelta(ledger, change.state)) {
        const moved = applyExposureDelta(line, delta);
        if (!moved.ok) throw new Error(moved.message);
        line = moved.line;
      }
      posted.push(...change.posted);
      ledger = change.state;
    }

    // Assess: one posting of 8.20 (a 1.20 tip over the 7.00 reserved), nothing left reserved, over by nothing.
    expect(posted.map((p) => [p.id, p.amount])).toEqual([['ipi_1Pgc78B7WZ01zgkWm0QxtFzQ', money(820, 'USD')]]);
    expect(line).toEqual({
      lineId: 'jenny#2026-11',
      limit: money(1000, 'USD'),
      reserved: money(0, 'USD'),
      settled: money(820, 'USD'),
    });
    // The next request sees what is left.
    const next = decideAuthorization(request.body.request, controls, { lines: { [line.lineId]: line } }, jenny, now);
    expect(next.reasons).toEqual([
      { code: 'budget-exceeded', message: 'budget jenny has 1.80 USD left, 7.00 USD requested' },
    ]);
  });
});
