import { describe, expect, it } from 'vitest';
import {
  readApprovalLink,
  redeemApprovalLink,
  signApprovalLink,
} from '../../../shared/domain/expenses/approval-link.ts';
import { memoryUsedTokens } from './helpers.ts';

const secret = new Uint8Array(32).fill(7);
const oldSecret = new Uint8Array(32).fill(9);
const NOW = Date.parse('2026-03-02T09:00:00Z');
const claims = {
  companyId: 'acme',
  expenseId: 'exp_1',
  step: 1,
  approverId: 'u_dave',
  action: 'approve' as const,
  expiresAt: NOW / 1000 + 3600,
  nonce: 'n0nce-n0nce-n0nce-1',
};
const expected = { companyId: 'acme', expenseId: 'exp_1', step: 1, actorIds: ['u_dave', 'u_erin'] };

const redeem = (token: string, store = memoryUsedTokens(), over: Partial<typeof expected> = {}, nowMs = NOW) =>
  redeemApprovalLink(token, { secrets: [secret], nowMs, expected: { ...expected, ...over }, usedTokens: store });

/** Flips one character of a base64url string to another valid one. */
const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

describe('signed approval links', () => {
  it('is v1.<payload>.<mac> in base64url and verifies once', async () => {
    const token = signApprovalLink(secret, claims);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const store = memoryUsedTokens();
    expect(await redeem(token, store)).toEqual({ ok: true, claims });
    expect(store.used.get(claims.nonce)).toBe(claims.expiresAt);
  });

  it('rejects a replay', async () => {
    const store = memoryUsedTokens();
    const token = signApprovalLink(secret, claims);
    expect((await redeem(token, store)).ok).toBe(true);
    expect(await redeem(token, store)).toEqual({ ok: false, reason: 'replayed' });
  });

  it('rejects tampering with any part, and a forged payload re-encoded with another approver', async () => {
    const token = signApprovalLink(secret, claims);
    const [v, body, mac] = token.split('.') as [string, string, string];
    for (let i = 0; i < body.length; i += 5) {
      expect((await redeem(`${v}.${flip(body, i)}.${mac}`)).ok).toBe(false);
    }
    expect(await redeem(`${v}.${body}.${flip(mac, 3)}`)).toEqual({ ok: false, reason: 'bad-signature' });
    // The last character's two low bits are padding: every other spelling of the same bytes is refused too.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.at(-1) ?? 'A');
    for (const same of [0, 1, 2, 3].map((low) => alphabet[(last & ~3) | low]).filter((c) => c !== mac.at(-1))) {
      expect(await redeem(`${v}.${body}.${mac.slice(0, -1)}${same}`)).toEqual({ ok: false, reason: 'bad-signature' });
    }
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), x: 'reject' }),
    ).toString('base64url');
    expect(await redeem(`${v}.${forged}.${mac}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await redeem(`${v}.${body}.${mac.slice(0, -2)}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await redeem(`v2.${body}.${mac}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(await redeem('garbage')).toEqual({ ok: false, reason: 'malformed' });
    const other = signApprovalLink(new Uint8Array(32).fill(1), claims);
    expect(await redeem(other)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects an expired link', async () => {
    const token = signApprovalLink(secret, claims);
    expect(await redeem(token, memoryUsedTokens(), {}, claims.expiresAt * 1000)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect((await redeem(token, memoryUsedTokens(), {}, claims.expiresAt * 1000 - 1)).ok).toBe(true);
  });

  it('rejects the wrong approver, step or expense without burning the nonce', async () => {
    const store = memoryUsedTokens();
    const token = signApprovalLink(secret, claims);
    expect(await redeem(token, store, { actorIds: ['u_erin'] })).toEqual({ ok: false, reason: 'wrong-approver' });
    expect(await redeem(token, store, { step: 2 })).toEqual({ ok: false, reason: 'wrong-step' });
    expect(await redeem(token, store, { expenseId: 'exp_2' })).toEqual({ ok: false, reason: 'wrong-expense' });
    expect(store.used.size).toBe(0);
    expect((await redeem(token, store)).ok).toBe(true);
  });

  it('accepts links signed with a previous secret during rotation; refuses short secrets', () => {
    const token = signApprovalLink(oldSecret, claims);
    expect(readApprovalLink(token, [secret, oldSecret], NOW).ok).toBe(true);
    expect(readApprovalLink(token, [secret], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(() => signApprovalLink(new Uint8Array(16), claims)).toThrow(/at least 32 bytes/);
  });

  it('draws a fresh random nonce when none is given', () => {
    const a = readApprovalLink(signApprovalLink(secret, { ...claims, nonce: undefined }), [secret], NOW);
    const b = readApprovalLink(signApprovalLink(secret, { ...claims, nonce: undefined }), [secret], NOW);
    expect(a.ok && b.ok && a.claims.nonce !== b.claims.nonce).toBe(true);
  });
});
