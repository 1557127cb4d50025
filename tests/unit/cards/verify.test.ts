import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyLithicSignature } from '../../../shared/domain/cards/verify-lithic.ts';
import { verifyMarqetaRequest } from '../../../shared/domain/cards/verify-marqeta.ts';
import { verifyStripeSignature } from '../../../shared/domain/cards/verify-stripe.ts';
import { basicAuth, marqetaSignature, standardWebhooksSignature, stripeHeader, stripeSignature } from './signing.ts';

const data = join(import.meta.dirname, '../../../../shared/data/card-webhooks');
const now = new Date('2026-11-20T12:00:00Z');
const nowS = now.getTime() / 1000;

describe('Stripe-Signature', () => {
  // Prepare: a real Stripe payload, byte for byte as delivered.
  const body = readFileSync(join(data, 'stripe/issuing.authorization.json'), 'utf8');
  const secret = 'whsec_test_current';
  const oldSecret = 'whsec_test_previous';

  it('accepts a body signed now with the configured secret and returns the signed time', () => {
    const result = verifyStripeSignature(
      body,
      { 'stripe-signature': stripeHeader(body, [secret], nowS) },
      [secret],
      now,
    );
    expect(result).toEqual({ ok: true, timestamp: now });
  });

  it('accepts any of several v1 with any of several secrets (rotation on both sides)', () => {
    const header = `t=${nowS},v1=${'0'.repeat(64)},v1=${stripeSignature(body, oldSecret, nowS)}`;
    expect(verifyStripeSignature(body, { 'stripe-signature': header }, [secret, oldSecret], now).ok).toBe(true);
    const both = stripeHeader(body, [secret, oldSecret], nowS);
    expect(verifyStripeSignature(body, { 'stripe-signature': both }, [oldSecret], now).ok).toBe(true);
    expect(verifyStripeSignature(body, { 'stripe-signature': both }, [secret], now).ok).toBe(true);
  });

  it('accepts timestamps just inside the 300 s tolerance, either side', () => {
    for (const t of [nowS - 300, nowS + 300]) {
      expect(
        verifyStripeSignature(body, { 'stripe-signature': stripeHeader(body, [secret], t) }, [secret], now).ok,
      ).toBe(true);
    }
  });

  it.each([
    ['missing header', {}, 'missing-signature'],
    ['no t', { 'stripe-signature': `v1=${stripeSignature(body, secret, nowS)}` }, 'malformed'],
    ['no v1', { 'stripe-signature': `t=${nowS},v0=abc` }, 'malformed'],
    ['t not a number', { 'stripe-signature': `t=soon,v1=${stripeSignature(body, secret, nowS)}` }, 'malformed'],
    ['unknown secret', { 'stripe-signature': stripeHeader(body, ['whsec_other'], nowS) }, 'bad-signature'],
    ['replay of an old timestamp', { 'stripe-signature': stripeHeader(body, [secret], nowS - 301) }, 'stale'],
    ['timestamp from the future', { 'stripe-signature': stripeHeader(body, [secret], nowS + 3600) }, 'stale'],
  ] as const)('refuses %s', (_name, headers, reason) => {
    const result = verifyStripeSignature(body, headers, [secret], now);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.message).not.toBe('');
  });

  it('refuses a tampered body, and a signature moved to another timestamp', () => {
    const header = stripeHeader(body, [secret], nowS);
    const tampered = body.replace('"amount": 0', '"amount": 1');
    expect(verifyStripeSignature(tampered, { 'stripe-signature': header }, [secret], now)).toMatchObject({
      reason: 'bad-signature',
    });
    const moved = `t=${nowS + 1},v1=${stripeSignature(body, secret, nowS)}`;
    expect(verifyStripeSignature(body, { 'stripe-signature': moved }, [secret], now)).toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('refuses everything when no secret is configured', () => {
    const header = stripeHeader(body, [secret], nowS);
    expect(verifyStripeSignature(body, { 'stripe-signature': header }, [], now)).toMatchObject({
      reason: 'bad-signature',
    });
  });
});

describe('Standard Webhooks (Lithic)', () => {
  const body = readFileSync(join(data, 'lithic/asa_request__asa-demo-python.json'), 'utf8');
  const secret = `whsec_${Buffer.from('lithic-current-key-32-bytes-long!').toString('base64')}`;
  const previous = `whsec_${Buffer.from('lithic-previous-key').toString('base64')}`;
  const id = 'msg_2Lz1Q8d6m6K8lKc2cS3gYw';
  const headers = (signature: string, t = nowS, webhookId = id) => ({
    'webhook-id': webhookId,
    'webhook-timestamp': String(t),
    'webhook-signature': signature,
  });

  it('accepts a delivery and returns its id and signed time', () => {
    const result = verifyLithicSignature(
      body,
      headers(standardWebhooksSignature(body, secret, id, nowS)),
      [secret],
      now,
    );
    expect(result).toEqual({ ok: true, eventId: id, timestamp: now });
  });

  it('accepts a space-separated list of signatures and several secrets', () => {
    const sig = `v1,${Buffer.alloc(32).toString('base64')} v1a,ignored ${standardWebhooksSignature(body, previous, id, nowS)}`;
    expect(verifyLithicSignature(body, headers(sig), [secret, previous], now).ok).toBe(true);
    expect(verifyLithicSignature(body, headers(sig), [secret], now)).toMatchObject({ reason: 'bad-signature' });
  });

  it.each([
    ['no signature', { 'webhook-id': id, 'webhook-timestamp': String(nowS) }, 'missing-signature'],
    ['no id', { 'webhook-timestamp': String(nowS), 'webhook-signature': 'v1,AAAA' }, 'malformed'],
    ['bad timestamp', { 'webhook-id': id, 'webhook-timestamp': 'x', 'webhook-signature': 'v1,AAAA' }, 'malformed'],
    [
      'no v1 entry',
      { 'webhook-id': id, 'webhook-timestamp': String(nowS), 'webhook-signature': 'v2,AAAA' },
      'malformed',
    ],
  ] as const)('refuses %s', (_name, h, reason) => {
    expect(verifyLithicSignature(body, h, [secret], now)).toMatchObject({ ok: false, reason });
  });

  it('refuses a tampered body, a changed id and a replay outside the 5-minute window', () => {
    const sig = standardWebhooksSignature(body, secret, id, nowS);
    expect(verifyLithicSignature(`${body} `, headers(sig), [secret], now)).toMatchObject({ reason: 'bad-signature' });
    expect(verifyLithicSignature(body, headers(sig, nowS, 'msg_other'), [secret], now)).toMatchObject({
      reason: 'bad-signature',
    });
    const old = standardWebhooksSignature(body, secret, id, nowS - 301);
    expect(verifyLithicSignature(body, headers(old, nowS - 301), [secret], now)).toMatchObject({ reason: 'stale' });
  });
});

describe('Marqeta Basic auth and X-Marqeta-Signature', () => {
  const body = readFileSync(join(data, 'marqeta/webhook-event-transactions__gilbertotcc.json'), 'utf8');
  const credentials = ['quittance:s3cret-current', 'quittance:s3cret-previous'];

  it('accepts either configured credential when no signing key is set', () => {
    expect(
      verifyMarqetaRequest(body, { authorization: basicAuth('quittance', 's3cret-current') }, credentials, now),
    ).toEqual({
      ok: true,
    });
    expect(
      verifyMarqetaRequest(body, { authorization: basicAuth('quittance', 's3cret-previous') }, credentials, now).ok,
    ).toBe(true);
  });

  it.each([
    ['no Authorization', {}, 'missing-signature'],
    ['a Bearer token', { authorization: 'Bearer abc' }, 'malformed'],
    ['wrong password', { authorization: basicAuth('quittance', 'guess') }, 'bad-credentials'],
    ['a prefix of the password', { authorization: basicAuth('quittance', 's3cret') }, 'bad-credentials'],
  ] as const)('refuses %s', (_name, h, reason) => {
    expect(verifyMarqetaRequest(body, h, credentials, now)).toMatchObject({ ok: false, reason });
  });

  it('requires and checks the body signature once a signing key is configured', () => {
    const authorization = basicAuth('quittance', 's3cret-current');
    const options = { signatureSecrets: ['mq-key-new', 'mq-key-old'] };
    const signed = { authorization, 'x-marqeta-signature': marqetaSignature(body, 'mq-key-old') };
    expect(verifyMarqetaRequest(body, signed, credentials, now, options).ok).toBe(true);
    expect(verifyMarqetaRequest(body, { authorization }, credentials, now, options)).toMatchObject({
      reason: 'missing-signature',
    });
    expect(
      verifyMarqetaRequest(body.replace('"amount": 10', '"amount": 99'), signed, credentials, now, options),
    ).toMatchObject({
      reason: 'bad-signature',
    });
    expect(
      verifyMarqetaRequest(body, { authorization, 'x-marqeta-signature': 'zz' }, credentials, now, options),
    ).toMatchObject({ reason: 'malformed' });
  });
});
