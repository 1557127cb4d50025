import type {
  BudgetMovement,
  BudgetStore,
  CardDirectory,
  CardLedgerRepository,
  ControlsRepository,
  DecisionOutcome,
  LedgerPartition,
  RawEventStore,
  WebhookSecrets,
} from '../../ports/cards.ts';
import { InsufficientBudgetError, LedgerConflictError } from '../../ports/cards.ts';
import type { DomainEvent, EventPublisher } from '../../ports/event-publisher.ts';
import { formatMoney, money } from '../money.ts';
import { available } from './budget.ts';
import {
  type CardOwner,
  cardAuthorizationDecided,
  cardAuthorizationEnded,
  cardTransactionPosted,
  endedWithoutCapture,
} from './card-events.ts';
import type { CompanyControls } from './controls.ts';
import {
  type AuthorizationDecision,
  applicableReservations,
  type CardholderState,
  decideAuthorization,
  decisionDeadline,
  fallbackDecision,
} from './decide-authorization.ts';
import { applyCardEvent, emptyLedger, exposureDelta, ledgerKeyOf, recordDecision, refKey } from './ledger.ts';
import type { AuthorizationRequest, CardEvent, CardTransaction, Processor } from './model.ts';
import { normalizeCardPayload } from './normalize.ts';
import { lithicAsaResponse, marqetaJitResponse, type ProcessorResponse, stripeResponse } from './responses.ts';
import type { VerificationResult, WebhookHeaders } from './verification.ts';
import { verifyLithicSignature } from './verify-lithic.ts';
import { verifyMarqetaRequest } from './verify-marqeta.ts';
import { verifyStripeSignature } from './verify-stripe.ts';

export interface WebhookDeps {
  secrets: WebhookSecrets;
  rawEvents: RawEventStore;
  cards: CardDirectory;
  controls: ControlsRepository;
  budgets: BudgetStore;
  ledger: CardLedgerRepository;
  events: EventPublisher;
  now: () => Date;
  log: (message: string, details?: Record<string, unknown>) => void;
}

/** Processors resend a webhook whose answer was not 2xx: a 4xx here means "wrong, do not retry" only for auth. */
export interface WebhookResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

/** Webhook bodies above this are refused unread (Stripe's events are a few KB). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const LEDGER_RETRIES = 8;

const refused = (statusCode: number, error: string, message: string): WebhookResponse => ({
  statusCode,
  body: { error, message },
});

const verify = async (
  deps: WebhookDeps,
  processor: Processor,
  body: string,
  headers: WebhookHeaders,
  now: Date,
): Promise<VerificationResult> => {
  if (processor === 'stripe') return verifyStripeSignature(body, headers, await deps.secrets.stripe(), now);
  if (processor === 'lithic') return verifyLithicSignature(body, headers, await deps.secrets.lithic(), now);
  const m = await deps.secrets.marqeta();
  return verifyMarqetaRequest(body, headers, m.credentials, now, { signatureSecrets: m.signatureSecrets });
};

const SECRET_HEADERS = new Set(['authorization', 'stripe-signature', 'webhook-signature', 'x-marqeta-signature']);

/**
 * One webhook delivery from a card processor.
 * 1. Refuse what is not authentic (signature, credentials, freshness): 401, nothing stored or changed.
 * 2. Store the raw body before parsing it; refuse malformed JSON or payloads with 400 (the raw body is kept).
 * 3. Each normalized event counts once: the ledger partition it belongs to keeps the ids of the events applied (for
 *    as long as the partition lives, well beyond Stripe's 3 days of retries), and the answer given to a request;
 *    a retried delivery changes nothing and gets the first answer.
 * 4. A real-time authorization request is decided against the company's controls within the deadline (else the
 *    company's fallback answers), its budget reserved atomically with the ledger, and answered in the processor's
 *    format; authorization updates and transactions move the ledger and the budgets together, in any order.
 * 5. CardAuthorizationDecided and CardTransactionPosted are published; unknown event types are acknowledged (200).
 */
export const processWebhook = async (
  deps: WebhookDeps,
  input: { processor: Processor; body: string; headers: WebhookHeaders },
): Promise<WebhookResponse> => {
  const receivedAt = deps.now();
  if (Buffer.byteLength(input.body, 'utf8') > MAX_WEBHOOK_BYTES) {
    return refused(413, 'payload_too_large', `webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`);
  }
  const verified = await verify(deps, input.processor, input.body, input.headers, receivedAt);
  if (!verified.ok) return refused(401, verified.reason, verified.message);

  let payload: unknown;
  try {
    payload = JSON.parse(input.body);
  } catch {
    payload = undefined;
  }
  const headers = Object.fromEntries(
    Object.entries(input.headers).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && !SECRET_HEADERS.has(e[0]),
    ),
  );
  await deps.rawEvents.put({
    processor: input.processor,
    receivedAt: receivedAt.toISOString(),
    deliveryId: verified.eventId ?? null,
    headers,
    body: input.body,
  });
  if (payload === undefined) return refused(400, 'malformed', 'the body is not valid JSON');
  const normalized = normalizeCardPayload(input.processor, payload, {
    receivedAt,
    ...(verified.eventId ? { eventId: verified.eventId } : {}),
  });
  if (!normalized.ok) return refused(400, 'malformed', normalized.message);

  let answer: WebhookResponse = { statusCode: 200, body: { received: true } };
  for (const event of normalized.events) {
    const result = await handleEvent(deps, event, receivedAt);
    if (result) answer = result;
  }
  return answer;
};

const handleEvent = async (deps: WebhookDeps, event: CardEvent, receivedAt: Date): Promise<WebhookResponse | null> => {
  const b = event.body;
  switch (b.kind) {
    case 'authorization-request':
      return decideRequest(deps, event, b.request, receivedAt);
    case 'authorization':
    case 'transaction':
      await applyToLedger(deps, event);
      return null;
    case 'card':
    case 'cardholder':
      deps.log('card lifecycle event recorded', { type: event.type, eventId: event.eventId });
      return null;
    case 'ignored':
      deps.log('card event type ignored', { type: event.type, eventId: event.eventId });
      return null;
  }
};

const respond = (request: AuthorizationRequest, decision: AuthorizationDecision): ProcessorResponse =>
  request.processor === 'stripe'
    ? stripeResponse(decision)
    : request.processor === 'lithic'
      ? lithicAsaResponse(request, decision)
      : marqetaJitResponse(request, decision);

const UNASSIGNED: CardholderState = { employeeId: null, teamIds: [], active: false, oldestMissingReceiptSince: null };

const outcomeOf = (request: AuthorizationRequest, d: AuthorizationDecision): DecisionOutcome => ({
  authorizationId: request.authorizationId,
  approved: d.approved,
  fallback: d.fallback,
  reasons: d.reasons,
});

const replayed = (o: DecisionOutcome): AuthorizationDecision => ({
  approved: o.approved,
  fallback: o.fallback,
  reasons: o.reasons,
  reservations: [],
});

/** The real-time decision, bounded by the company's deadline; the fallback answers when it cannot be met. */
const decideRequest = async (
  deps: WebhookDeps,
  event: CardEvent,
  request: AuthorizationRequest,
  receivedAt: Date,
): Promise<WebhookResponse> => {
  const assignment = await deps.cards.resolve(request.processor, request.cardId);
  if (assignment.status === 'unknown') {
    deps.log('authorization request for an unknown card declined', { cardId: request.cardId });
    return respond(request, fallbackDecision(null, 'controls-unavailable'));
  }
  const owner: CardOwner = { companyId: assignment.owner.companyId, employeeId: assignment.owner.employeeId };
  const controls = await deps.controls.get(owner.companyId).catch(() => null);
  const deadline = decisionDeadline(receivedAt, controls);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline.getTime() - Date.now()));
  });
  const work = decideAndReserve(deps, event, request, owner, controls, deadline);
  const outcome = await Promise.race([work, timeout]);
  clearTimeout(timer);

  if (outcome !== 'timeout' && outcome.kind !== 'late') {
    if (outcome.kind === 'decided') await publishDecision(deps, owner, event, request, outcome.decision);
    return respond(request, outcome.decision);
  }
  const fallback = fallbackDecision(controls, 'timeout');
  deps.log('authorization answered by the fallback (deadline)', { authorizationId: request.authorizationId });
  // The rules may still finish: the ledger then gets the answer actually given, and a reservation the fallback
  // declined is released.
  void work
    .then(async (late) => {
      if (late.kind === 'decided' && late.decision.approved !== fallback.approved) {
        await overrideDecision(deps, owner, request, fallback);
      }
      await publishDecision(deps, owner, event, request, fallback);
    })
    .catch((error: unknown) => deps.log('late decision could not be reconciled', { error: String(error) }));
  return respond(request, fallback);
};

const publishDecision = (
  deps: WebhookDeps,
  owner: CardOwner,
  event: CardEvent,
  request: AuthorizationRequest,
  decision: AuthorizationDecision,
) =>
  deps.events.publish([
    {
      name: 'CardAuthorizationDecided',
      detail: cardAuthorizationDecided(owner, event.eventId, request, decision, deps.now()),
    },
  ]);

const decideAndReserve = async (
  deps: WebhookDeps,
  event: CardEvent,
  request: AuthorizationRequest,
  owner: CardOwner,
  controls: CompanyControls | null,
  deadline: Date,
): Promise<{ kind: 'decided' | 'replayed' | 'late'; decision: AuthorizationDecision }> => {
  const now = deps.now();
  // Past the deadline the fallback has answered: commit nothing (no reservation to undo), shed the load.
  const late = () => Date.now() >= deadline.getTime();
  const key = ledgerKeyOf(event) ?? `${request.processor}:${request.authorizationId}`;
  const holderP = owner.employeeId
    ? deps.cards.cardholderState(owner.companyId, owner.employeeId, now)
    : Promise.resolve(UNASSIGNED);
  // First attempt optimistic: a new authorization has no ledger partition yet, and the budget rule is enforced by
  // the conditional reservation itself, so neither needs a read. A conflict means the partition exists (a retried
  // request, or an event that arrived first): then read it and decide again.
  let partition: LedgerPartition | null = null;
  for (let attempt = 0; attempt < LEDGER_RETRIES; attempt++) {
    const holder = await holderP;
    if (attempt > 0) {
      partition = await deps.ledger.load(owner.companyId, key);
      // A retried request (same authorization): the answer already given, nothing reserved again.
      const given = partition?.answers[request.authorizationId];
      if (given) return { kind: 'replayed', decision: replayed(given) };
    }
    let decision = controls
      ? decideAuthorization(request, controls, { lines: {} }, holder, now)
      : fallbackDecision(null, 'controls-unavailable');
    const current = partition ?? { state: emptyLedger(), version: 0, answers: {}, lines: [] };
    const commit = (d: AuthorizationDecision) =>
      deps.ledger.commit({
        companyId: owner.companyId,
        key,
        expectedVersion: partition ? partition.version : null,
        answers: current.answers,
        state: recordDecision(current.state, {
          processor: request.processor,
          authorizationId: request.authorizationId,
          approved: d.approved,
          amount: request.amount,
          decidedAt: now.toISOString(),
          eventId: event.eventId,
        }),
        lines: d.approved ? d.reservations.map((r) => ({ lineId: r.lineId, limit: r.limit })) : current.lines,
        movements: d.approved
          ? d.reservations.map(
              (r): BudgetMovement => ({ kind: 'reserve', lineId: r.lineId, limit: r.limit, amount: r.amount }),
            )
          : [],
        decision: { owner, request, outcome: outcomeOf(request, d), decidedAt: now.toISOString() },
      });
    if (late()) return { kind: 'late', decision };
    try {
      await commit(decision);
      return { kind: 'decided', decision };
    } catch (error) {
      if (error instanceof LedgerConflictError) continue;
      if (!(error instanceof InsufficientBudgetError)) throw error;
      // The budget has not enough left (or another authorization took it between): decline, recorded, with
      // what is left.
      decision = await budgetDecline(deps, owner.companyId, error.lineId, request);
      if (late()) return { kind: 'late', decision };
      try {
        await commit(decision);
        return { kind: 'decided', decision };
      } catch (again) {
        if (again instanceof LedgerConflictError) continue;
        throw again;
      }
    }
  }
  throw new LedgerConflictError(`ledger partition ${key} kept changing`);
};

const budgetDecline = async (
  deps: WebhookDeps,
  companyId: string,
  lineId: string,
  request: AuthorizationRequest,
): Promise<AuthorizationDecision> => {
  const line = (await deps.budgets.lines(companyId, [lineId]))[lineId];
  const left = line ? available(line) : null;
  const budgetId = lineId.slice(0, lineId.lastIndexOf('#'));
  return {
    approved: false,
    fallback: false,
    reservations: [],
    reasons: [
      {
        code: 'budget-exceeded',
        message: left
          ? `budget ${budgetId} has ${formatMoney(left)} ${left.currency} left, ${formatMoney(request.amount)} ${request.amount.currency} requested`
          : `budget ${budgetId} has not enough left`,
      },
    ],
  };
};

/** Replaces the recorded decision by the answer actually given (the fallback), moving budgets accordingly. */
const overrideDecision = async (
  deps: WebhookDeps,
  owner: CardOwner,
  request: AuthorizationRequest,
  given: AuthorizationDecision,
) => {
  const key = `${request.processor}:${request.authorizationId}`;
  for (let attempt = 0; attempt < LEDGER_RETRIES; attempt++) {
    const partition = await deps.ledger.load(owner.companyId, key);
    if (!partition) return;
    const { [key]: _replaced, ...others } = partition.state.decisions;
    const next = recordDecision(
      { ...partition.state, decisions: others },
      {
        processor: request.processor,
        authorizationId: request.authorizationId,
        approved: given.approved,
        amount: request.amount,
        decidedAt: deps.now().toISOString(),
        eventId: `fallback:${request.authorizationId}`,
      },
    );
    try {
      await commitWithDeltas(deps, owner, key, partition, next, {
        owner,
        request,
        outcome: outcomeOf(request, given),
        decidedAt: deps.now().toISOString(),
      });
      return;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
    }
  }
};

/** Authorization updates and transactions: reduce, then commit with the budget movements they imply. */
const applyToLedger = async (deps: WebhookDeps, event: CardEvent): Promise<void> => {
  const card =
    event.body.kind === 'authorization'
      ? event.body.authorization
      : event.body.kind === 'transaction'
        ? event.body.transaction
        : null;
  const key = ledgerKeyOf(event);
  if (!card || !key) return;
  const assignment = await deps.cards.resolve(event.processor, card.cardId);
  if (assignment.status === 'unknown') {
    deps.log('card event for an unknown card kept raw only', { cardId: card.cardId, eventId: event.eventId });
    return;
  }
  const owner: CardOwner = { companyId: assignment.owner.companyId, employeeId: assignment.owner.employeeId };
  for (let attempt = 0; attempt < LEDGER_RETRIES; attempt++) {
    const partition = await deps.ledger.load(owner.companyId, key);
    const current: LedgerPartition = partition ?? { state: emptyLedger(), version: 0, answers: {}, lines: [] };
    const change = applyCardEvent(current.state, event);
    if (!change.applied) {
      // Already applied (a retry after a failure to publish): publish again, consumers are idempotent.
      const again = Object.values(current.state.transactions)
        .filter((v) => v.eventId === event.eventId)
        .map((v) => v.transaction);
      await publishPosted(deps, owner, event, again, current.state);
      await publishEnded(deps, owner, event, current.state);
      return;
    }
    try {
      await commitWithDeltas(deps, owner, key, partition, change.state);
    } catch (error) {
      if (error instanceof LedgerConflictError) continue;
      throw error;
    }
    await publishPosted(deps, owner, event, change.posted, change.state);
    await publishEnded(deps, owner, event, change.state);
    return;
  }
  throw new LedgerConflictError(`ledger partition ${key} kept changing`);
};

const commitWithDeltas = async (
  deps: WebhookDeps,
  owner: CardOwner,
  key: string,
  partition: LedgerPartition | null,
  next: LedgerPartition['state'],
  decision?: Parameters<CardLedgerRepository['commit']>[0]['decision'],
) => {
  const before = partition?.state ?? emptyLedger();
  const deltas = exposureDelta(before, next);
  let lines = partition?.lines ?? [];
  if (lines.length === 0 && deltas.length > 0 && owner.employeeId) {
    // Spend that never came through our decision (force post, processor stand-in): it still counts on budgets.
    const controls = await deps.controls.get(owner.companyId);
    const holder = await deps.cards.cardholderState(owner.companyId, owner.employeeId, deps.now());
    const sample = deltas[0]?.settled ?? money(0, 'XXX');
    lines = controls
      ? applicableReservations(controls, holder, sample, deps.now()).map((r) => ({ lineId: r.lineId, limit: r.limit }))
      : [];
  }
  await deps.ledger.commit({
    companyId: owner.companyId,
    key,
    expectedVersion: partition ? partition.version : null,
    state: next,
    answers: partition?.answers ?? {},
    lines,
    movements: lines.flatMap((l) =>
      deltas.map((delta): BudgetMovement => ({ kind: 'delta', lineId: l.lineId, limit: l.limit, delta })),
    ),
    ...(decision ? { decision } : {}),
  });
};

/** CardAuthorizationEnded for the authorizations this event ended without a capture (their receipt slots close). */
const publishEnded = async (deps: WebhookDeps, owner: CardOwner, event: CardEvent, state: LedgerPartition['state']) => {
  const ended = endedWithoutCapture(state, event.eventId);
  if (ended.length === 0) return;
  await deps.events.publish(
    ended.map((a) => ({
      name: 'CardAuthorizationEnded',
      detail: cardAuthorizationEnded(owner, event.eventId, a, state.decisions[refKey(a.processor, a.id)]),
    })),
  );
};

const publishPosted = async (
  deps: WebhookDeps,
  owner: CardOwner,
  event: CardEvent,
  posted: readonly CardTransaction[],
  state: LedgerPartition['state'],
) => {
  if (posted.length === 0) return;
  const authorizedAt = (t: CardTransaction): string | null => {
    if (!t.authorizationId) return null;
    const key = `${t.processor}:${t.authorizationId}`;
    return state.authorizations[key]?.authorization.createdAt ?? state.decisions[key]?.decidedAt ?? null;
  };
  const events: DomainEvent[] = posted.map((t) => ({
    name: 'CardTransactionPosted',
    detail: cardTransactionPosted(owner, event.eventId, t, authorizedAt(t)),
  }));
  await deps.events.publish(events);
  deps.log('card transactions posted', {
    eventId: event.eventId,
    transactions: posted.map((t) => `${t.id} ${formatMoney(t.amount)} ${t.amount.currency}`),
  });
};
