/**
 * Signed single-use approval links (the "Approve" / "Reject" buttons of the notification e-mail).
 *
 * Token: `v1.<payload>.<mac>`, both parts base64url without padding. The payload is JSON
 * `{c: companyId, e: expenseId, s: step, a: approverId, x: action, exp: expiry (unix seconds), n: nonce}`;
 * mac = HMAC-SHA256(secret, "v1." + payload). Verification checks, in order: the format, the MAC (constant time,
 * against each accepted secret so secrets can rotate), the expiry, that the link is for this expense's current step
 * and for someone who may act now, and last that the nonce was never used (UsedTokenStore.markUsed), so a rejected
 * link never burns its nonce.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { UsedTokenStore } from '../../ports/expenses.ts';

export type LinkAction = 'approve' | 'reject';

export interface ApprovalLinkClaims {
  companyId: string;
  expenseId: string;
  step: number;
  approverId: string;
  action: LinkAction;
  /** Unix seconds. */
  expiresAt: number;
  nonce: string;
}

const payloadSchema = z.object({
  c: z.string().min(1),
  e: z.string().min(1),
  s: z.number().int().nonnegative(),
  a: z.string().min(1),
  x: z.enum(['approve', 'reject']),
  exp: z.number().int().positive(),
  n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});

const VERSION = 'v1';
export const MIN_SECRET_BYTES = 32;

const mac = (secret: Uint8Array, signed: string) => createHmac('sha256', secret).update(signed).digest();

const checkSecret = (secret: Uint8Array) => {
  if (secret.byteLength < MIN_SECRET_BYTES)
    throw new RangeError(`a link secret needs at least ${MIN_SECRET_BYTES} bytes`);
};

export const signApprovalLink = (
  secret: Uint8Array,
  claims: Omit<ApprovalLinkClaims, 'nonce'> & { nonce?: string },
): string => {
  checkSecret(secret);
  const payload = payloadSchema.parse({
    c: claims.companyId,
    e: claims.expenseId,
    s: claims.step,
    a: claims.approverId,
    x: claims.action,
    exp: claims.expiresAt,
    n: claims.nonce ?? randomBytes(16).toString('base64url'),
  });
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signed = `${VERSION}.${body}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
};

export type LinkRefusal =
  | 'malformed'
  | 'bad-signature'
  | 'expired'
  | 'wrong-expense'
  | 'wrong-step'
  | 'wrong-approver'
  | 'replayed';

export type LinkCheck = { ok: true; claims: ApprovalLinkClaims } | { ok: false; reason: LinkRefusal };

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Format, signature (constant time) and expiry; no state needed. `secrets`: the current one first, then older. */
export const readApprovalLink = (token: string, secrets: readonly Uint8Array[], nowMs: number): LinkCheck => {
  const parts = token.split('.');
  const [version, body, sig] = parts;
  if (parts.length !== 3 || version !== VERSION || !body || !sig || !B64URL.test(body) || !B64URL.test(sig)) {
    return { ok: false, reason: 'malformed' };
  }
  const given = Buffer.from(sig, 'base64url');
  // One spelling per signature: base64url's last character carries padding bits, so other letters decode to the
  // same bytes; only the canonical encoding is accepted (a link is never valid under two spellings).
  if (given.toString('base64url') !== sig) return { ok: false, reason: 'bad-signature' };
  const signed = `${version}.${body}`;
  let valid = false;
  for (const secret of secrets) {
    checkSecret(secret);
    const expected = mac(secret, signed);
    // Lengths are public (32 bytes); only equal-length buffers are compared, in constant time.
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  if (!valid) return { ok: false, reason: 'bad-signature' };
  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: {
      companyId: payload.c,
      expenseId: payload.e,
      step: payload.s,
      approverId: payload.a,
      action: payload.x,
      expiresAt: payload.exp,
      nonce: payload.n,
    },
  };
};

/**
 * Everything `readApprovalLink` checks, then the binding to the expense as it is now, then single use. `actorIds`
 * are the people who may act on the current step now (pending approvers and their active delegates).
 */
export const redeemApprovalLink = async (
  token: string,
  input: {
    secrets: readonly Uint8Array[];
    nowMs: number;
    expected: { companyId: string; expenseId: string; step: number; actorIds: readonly string[] };
    usedTokens: UsedTokenStore;
  },
): Promise<LinkCheck> => {
  const read = readApprovalLink(token, input.secrets, input.nowMs);
  if (!read.ok) return read;
  const { claims } = read;
  const x = input.expected;
  if (claims.companyId !== x.companyId || claims.expenseId !== x.expenseId)
    return { ok: false, reason: 'wrong-expense' };
  if (claims.step !== x.step) return { ok: false, reason: 'wrong-step' };
  if (!x.actorIds.includes(claims.approverId)) return { ok: false, reason: 'wrong-approver' };
  const first = await input.usedTokens.markUsed(claims.nonce, claims.expiresAt);
  return first ? read : { ok: false, reason: 'replayed' };
};
