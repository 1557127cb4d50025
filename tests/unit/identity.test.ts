import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../shared/domain/email-address.ts';
import { principalFromClaims, UnauthenticatedError } from '../../shared/domain/identity.ts';
import { deterministicId } from '../../shared/domain/ids.ts';

describe('principalFromClaims', () => {
  it('reads API Gateway’s flattened array claims and raw JWT arrays alike', () => {
    const flat = principalFromClaims({ sub: 'u1', 'custom:companyId': 'c1', 'cognito:groups': '[finance employee]' });
    const raw = principalFromClaims({ sub: 'u1', 'custom:companyId': 'c1', 'cognito:groups': ['finance', 'employee'] });
    expect(flat.roles).toEqual(['finance', 'employee']);
    expect(raw).toEqual(flat);
  });

  it('ignores unknown groups and rejects tokens without a company', () => {
    expect(principalFromClaims({ sub: 'u', 'custom:companyId': 'c', 'cognito:groups': '[root admin]' }).roles).toEqual([
      'admin',
    ]);
    expect(() => principalFromClaims({ sub: 'u' })).toThrow(UnauthenticatedError);
  });
});

describe('ids and addresses', () => {
  it('derives the same id from the same input and sorts ids by time', () => {
    const seed = 'a'.repeat(64);
    expect(deterministicId('rcpt', 1_700_000_000_000, seed)).toBe(deterministicId('rcpt', 1_700_000_000_000, seed));
    expect(deterministicId('rcpt', 1_700_000_000_000, seed) < deterministicId('rcpt', 1_700_000_000_001, seed)).toBe(
      true,
    );
  });

  it('normalizes case and plus-addressing', () => {
    expect(normalizeAddress(' Alice+Receipts@ACME.fr ')).toBe('alice@acme.fr');
  });
});
