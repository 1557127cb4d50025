/** Roles a user holds in a company (Cognito groups in AWS, the same claim locally). */
export const ROLES = ['admin', 'finance', 'approver', 'employee', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: only ever derived from a verified token, never from the request body. */
export interface Principal {
  userId: string;
  companyId: string;
  email: string | null;
  roles: readonly Role[];
}

export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/**
 * Reads the claims the JWT authorizer passes on. API Gateway HTTP APIs flatten array claims to a
 * string like "[finance employee]"; a raw JWT has a real array. Both are accepted.
 */
export const principalFromClaims = (claims: Record<string, unknown> | undefined): Principal => {
  const sub = claims?.sub;
  const companyId = claims?.['custom:companyId'];
  if (typeof sub !== 'string' || sub === '' || typeof companyId !== 'string' || companyId === '') {
    throw new UnauthenticatedError('token lacks a subject or a company');
  }
  const rawGroups = claims?.['cognito:groups'];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.map(String)
    : typeof rawGroups === 'string'
      ? rawGroups.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  const roles = groups.filter((g): g is Role => (ROLES as readonly string[]).includes(g));
  const email = typeof claims?.email === 'string' ? claims.email : null;
  return { userId: sub, companyId, email, roles };
};

export const hasAnyRole = (p: Principal, roles: readonly Role[]): boolean => p.roles.some((r) => roles.includes(r));

export const requireRole = (p: Principal, roles: readonly Role[]): void => {
  if (!hasAnyRole(p, roles)) throw new ForbiddenError(`requires one of the roles: ${roles.join(', ')}`);
};
