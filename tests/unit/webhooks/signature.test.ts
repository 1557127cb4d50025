import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyLithicSignature } from '../../../shared/domain/cards/verify-lithic.ts';
import { newSigningSecret, signWebhook } from '../../../shared/domain/webhooks/signature.ts';

const now = new Date('2026-11-21T08:30:00Z');
const body = JSON.stringify({ id: 'evt_0000000000000000000000001', type: 'expense.approved', data: { a: 'é' } });

const asHeaders = (h: ReturnType<typeof signWebhook>) => ({ ...h }) as Record<string, string>;

describe('outbound webhook signatures (Standard Webhooks)', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const s = newSigningSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(s);
  });

  it('is accepted by the official standardwebhooks package and by our Lithic verifier', () => {
    const secret = newSigningSecret();
    const headers = signWebhook({ id: 'evt_1', body, now: new Date(), secrets: [secret] });
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, asHeaders(headers))).toEqual(JSON.parse(body));
    expect(verifyLithicSignature(body, headers, [secret], new Date())).toMatchObject({ ok: true, eventId: 'evt_1' });
  });

  it('signs id.timestamp.body: another body, id, timestamp or secret does not verify', () => {
    const secret = newSigningSecret();
    const headers = signWebhook({ id: 'evt_1', body, now, secrets: [secret] });
    expect(headers['webhook-timestamp']).toBe(String(now.getTime() / 1000));
    expect(verifyLithicSignature(`${body} `, headers, [secret], now).ok).toBe(false);
    expect(verifyLithicSignature(body, { ...headers, 'webhook-id': 'evt_2' }, [secret], now).ok).toBe(false);
    expect(
      verifyLithicSignature(
        body,
        { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) },
        [secret],
        now,
      ).ok,
    ).toBe(false);
    expect(verifyLithicSignature(body, headers, [newSigningSecret()], now).ok).toBe(false);
    expect(() =>
      new Webhook(newSigningSecret()).verify(
        body,
        asHeaders(signWebhook({ id: 'x', body, now: new Date(), secrets: [secret] })),
      ),
    ).toThrow();
  });

  it('during a rotation sends both signatures, space-separated; either secret alone verifies', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const headers = signWebhook({ id: 'evt_1', body, now: new Date(), secrets: [current, previous] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(body, asHeaders(headers))).toBeTruthy();
      expect(verifyLithicSignature(body, headers, [secret], new Date()).ok).toBe(true);
    }
  });

  it('refuses to sign without a secret or with a secret that is not base64', () => {
    expect(() => signWebhook({ id: 'evt_1', body, now, secrets: [] })).toThrow(/no signing secret/);
    expect(() => signWebhook({ id: 'evt_1', body, now, secrets: ['whsec_not base64!'] })).toThrow(/whsec_/);
  });
});
