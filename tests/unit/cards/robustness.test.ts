import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeCardPayload } from '../../../shared/domain/cards/normalize.ts';
import { verifyLithicSignature } from '../../../shared/domain/cards/verify-lithic.ts';
import { verifyMarqetaRequest } from '../../../shared/domain/cards/verify-marqeta.ts';
import { verifyStripeSignature } from '../../../shared/domain/cards/verify-stripe.ts';
import { sharedFixture, stripeEvent } from './fixtures.ts';

const now = new Date('2026-11-20T12:00:00Z');
const headerValue = fc.oneof(
  fc.string(),
  fc.constantFrom('t=1795000000,v1=', 'v1,', 'Basic ', 'Basic Og==', 'whsec_', 't=,v1=zz', 'v1,@@@'),
);
const headers = fc.record(
  {
    'stripe-signature': headerValue,
    'webhook-id': headerValue,
    'webhook-timestamp': headerValue,
    'webhook-signature': headerValue,
    authorization: headerValue,
    'x-marqeta-signature': headerValue,
  },
  { requiredKeys: [] },
);
const secrets = fc.array(fc.oneof(fc.string(), fc.constant('whsec_AAAA'), fc.constant('user:pass')), { maxLength: 3 });

describe('bad input never throws: it is refused with a reason', () => {
  it('verifiers refuse arbitrary headers and secrets', () => {
    fc.assert(
      fc.property(fc.string(), headers, secrets, (body, h, s) => {
        for (const result of [
          verifyStripeSignature(body, h, s, now),
          verifyLithicSignature(body, h, s, now),
          verifyMarqetaRequest(body, h, s, now, { signatureSecrets: s }),
        ]) {
          expect(result.ok).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('normalizers answer ok or malformed for any JSON value, for every processor', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (payload) => {
        for (const processor of ['stripe', 'lithic', 'marqeta'] as const) {
          const result = normalizeCardPayload(processor, payload, { receivedAt: now, eventId: 'msg_1' });
          expect(result.ok || result.reason === 'malformed').toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('normalizers survive fixtures with any one field replaced by an arbitrary JSON value', () => {
    const auth = sharedFixture<Record<string, unknown>>('stripe/issuing.authorization.json');
    const keys = Object.keys(auth);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const payload = stripeEvent('issuing_authorization.request', { ...auth, [key]: value });
        const result = normalizeCardPayload('stripe', payload, { receivedAt: now });
        expect(result.ok || result.reason === 'malformed').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
