import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export const LOCAL_AUDIENCE = 'quittance-local';

export interface LocalUserClaims {
  sub: string;
  email: string;
  companyId: string;
  groups: readonly string[];
}

/**
 * The local stand-in for Cognito + the HTTP API JWT authorizer: an ES256 key kept under the data dir (so
 * tokens survive restarts), ID tokens with Cognito's claim names, a JWKS document, and verification with
 * the authorizer's rules (signature, issuer, audience, expiry).
 */
export const makeLocalIdentity = async (opts: { keyFile: string; issuer: string }) => {
  let privateJwk: JWK;
  if (existsSync(opts.keyFile)) {
    privateJwk = JSON.parse(readFileSync(opts.keyFile, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}`, alg: 'ES256' };
    mkdirSync(dirname(opts.keyFile), { recursive: true });
    writeFileSync(opts.keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _d, ...publicJwk } = privateJwk;
  const privateKey = await importJWK(privateJwk, 'ES256');
  const publicKey = await importJWK(publicJwk, 'ES256');

  return {
    issuer: opts.issuer,
    jwks: { keys: [{ ...publicJwk, use: 'sig' }] },
    async sign(user: LocalUserClaims, ttlSeconds = 12 * 3600): Promise<{ token: string; claims: JWTPayload }> {
      const claims: JWTPayload = {
        sub: user.sub,
        email: user.email,
        'custom:companyId': user.companyId,
        'cognito:groups': [...user.groups],
        token_use: 'id',
      };
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid ?? 'local' })
        .setIssuer(opts.issuer)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
      return { token, claims };
    },
    async verify(token: string): Promise<JWTPayload> {
      const { payload } = await jwtVerify(token, publicKey, { issuer: opts.issuer, audience: LOCAL_AUDIENCE });
      return payload;
    },
  };
};

export type LocalIdentity = Awaited<ReturnType<typeof makeLocalIdentity>>;
