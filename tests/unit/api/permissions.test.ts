import { describe, expect, it } from 'vitest';
import { topology } from '../../../infra/topology.ts';
import { API_PERMISSIONS } from '../../../shared/domain/api-permissions.ts';

const jwtRoutes = Object.values(topology.functions).flatMap((f) =>
  f.trigger.type === 'http' && f.trigger.auth === 'jwt' ? f.trigger.routes : [],
);

describe('API permission matrix', () => {
  it('has an entry for every authenticated route of the topology, and no entry for a route that does not exist', () => {
    expect(Object.keys(API_PERMISSIONS).sort()).toEqual([...jwtRoutes].sort());
  });

  it('declares each route once', () => {
    expect(new Set(jwtRoutes).size).toBe(jwtRoutes.length);
  });
});
