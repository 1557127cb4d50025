import { formatMoney } from '../money.ts';
import type { AuthorizationDecision, DecisionCode } from './decide-authorization.ts';
import type { AuthorizationRequest } from './model.ts';

/**
 * The synchronous answer each processor expects to a real-time request, with the decline reason in the
 * processor's own vocabulary where it has one (our full reasons are stored with the decision either way).
 */
export interface ProcessorResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

const codesOf = (decision: AuthorizationDecision): DecisionCode[] => decision.reasons.map((r) => r.code);

/**
 * Stripe issuing_authorization.request: 200 with `{"approved": bool}`; metadata (strings ≤ 500 chars) carries our
 * decline codes so they show on the authorization in Stripe.
 */
export const stripeResponse = (decision: AuthorizationDecision): ProcessorResponse => ({
  statusCode: 200,
  body: {
    approved: decision.approved,
    ...(decision.reasons.length > 0
      ? { metadata: { quittance_reasons: codesOf(decision).join(',').slice(0, 500) } }
      : {}),
  },
});

/** Lithic ASA `result` values (asa-response in Lithic's OpenAPI); anything but APPROVED declines. */
const LITHIC_RESULTS: Record<DecisionCode, string> = {
  'card-unassigned': 'CARD_PAUSED',
  'employee-inactive': 'CARD_PAUSED',
  'receipts-overdue': 'CARD_PAUSED',
  'currency-unsupported': 'UNAUTHORIZED_MERCHANT',
  'over-transaction-cap': 'VELOCITY_EXCEEDED',
  'mcc-blocked': 'UNAUTHORIZED_MERCHANT',
  'mcc-not-allowed': 'UNAUTHORIZED_MERCHANT',
  'merchant-blocked': 'UNAUTHORIZED_MERCHANT',
  'merchant-not-allowed': 'UNAUTHORIZED_MERCHANT',
  'country-blocked': 'UNAUTHORIZED_MERCHANT',
  'budget-exceeded': 'INSUFFICIENT_FUNDS',
  'fallback-approve': 'APPROVED',
  'fallback-decline': 'INSUFFICIENT_FUNDS',
};

export const lithicAsaResponse = (
  request: AuthorizationRequest,
  decision: AuthorizationDecision,
): ProcessorResponse => ({
  statusCode: 200,
  body: {
    token: request.authorizationId,
    result: decision.approved
      ? 'APPROVED'
      : (LITHIC_RESULTS[codesOf(decision)[0] ?? 'fallback-decline'] ?? 'INSUFFICIENT_FUNDS'),
  },
});

/** Marqeta `jit_funding.decline_reason` values (jit_funding_api in Marqeta's Core API). */
const MARQETA_DECLINES: Record<DecisionCode, string> = {
  'card-unassigned': 'INVALID_CARD',
  'employee-inactive': 'CARDHOLDER_NOT_ACTIVE',
  'receipts-overdue': 'CARD_NOT_ACTIVE',
  'currency-unsupported': 'TRANSACTION_NOT_PERMITTED',
  'over-transaction-cap': 'AMOUNT_LIMIT_EXCEEDED',
  'mcc-blocked': 'INVALID_MERCHANT',
  'mcc-not-allowed': 'INVALID_MERCHANT',
  'merchant-blocked': 'INVALID_MERCHANT',
  'merchant-not-allowed': 'INVALID_MERCHANT',
  'country-blocked': 'TRANSACTION_NOT_PERMITTED',
  'budget-exceeded': 'INSUFFICIENT_FUNDS',
  'fallback-approve': 'TRANSACTION_NOT_PERMITTED',
  'fallback-decline': 'TRANSACTION_NOT_PERMITTED',
};

/**
 * Marqeta JIT Funding: 200 with the funded `jit_funding` to approve, 402 with a `decline_reason` to decline.
 * The JIT token is derived from the transaction token, so a retried request gets the same answer. The amount
 * is Marqeta's decimal in major units, written from the exact decimal string.
 */
export const marqetaJitResponse = (
  request: AuthorizationRequest,
  decision: AuthorizationDecision,
): ProcessorResponse => {
  const jit = {
    token: `jit_${request.authorizationId}`,
    method: 'pgfs.authorization',
    user_token: request.cardholderId,
    acting_user_token: request.cardholderId,
    amount: Number(formatMoney(request.amount)),
  };
  return decision.approved
    ? { statusCode: 200, body: { jit_funding: jit } }
    : {
        statusCode: 402,
        body: {
          jit_funding: {
            ...jit,
            decline_reason: MARQETA_DECLINES[codesOf(decision)[0] ?? 'fallback-decline'] ?? 'TRANSACTION_NOT_PERMITTED',
          },
        },
      };
};
