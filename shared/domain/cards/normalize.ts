import type { Processor } from './model.ts';
import { normalizeLithicPayload } from './normalize-lithic.ts';
import { normalizeMarqetaPayload } from './normalize-marqeta.ts';
import type { NormalizeContext, NormalizeResult } from './normalize-result.ts';
import { normalizeStripeEvent } from './normalize-stripe.ts';

export type { NormalizeContext, NormalizeResult } from './normalize-result.ts';

/** Turns a verified, JSON-parsed delivery into CardEvents (Marqeta may batch several transactions in one). */
export const normalizeCardPayload = (
  processor: Processor,
  payload: unknown,
  context: NormalizeContext,
): NormalizeResult => {
  switch (processor) {
    case 'stripe':
      return normalizeStripeEvent(payload);
    case 'lithic':
      return normalizeLithicPayload(payload, context);
    case 'marqeta':
      return normalizeMarqetaPayload(payload, context);
  }
};
