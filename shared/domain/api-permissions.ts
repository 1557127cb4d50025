import { ForbiddenError, hasAnyRole, type Principal, type Role } from './identity.ts';

const EVERYONE: readonly Role[] = ['admin', 'finance', 'approver', 'employee', 'auditor'];

/**
 * Who may call each HTTP route, kept as data: the router enforces it before any handler runs, and one test walks
 * every route of the topology against every role (a route missing here fails that test, so none can escape).
 * Row-level rules (an employee sees only their own receipts) live in the handlers on top of this.
 */
export const API_PERMISSIONS: Readonly<Record<string, readonly Role[]>> = {
  'GET /receipts': EVERYONE,
  'GET /receipts/{id}': EVERYONE,
  'POST /receipts/uploads': ['admin', 'finance', 'approver', 'employee'],
  'POST /receipts/{id}/retry': ['admin', 'finance'],
  'POST /receipts/{id}/link': ['admin', 'finance', 'approver', 'employee'],
  'POST /receipts/{id}/unlink': ['admin', 'finance', 'approver', 'employee'],
  'GET /quarantine': ['admin', 'finance', 'auditor'],
  'GET /expenses': EVERYONE,
  'GET /expenses/{id}': EVERYONE,
  'POST /expenses': ['admin', 'finance', 'approver', 'employee'],
  'GET /policies': EVERYONE,
  'PUT /policies': ['admin', 'finance'],
  'POST /reimbursements': ['admin', 'finance'],
  'PUT /delegations': ['admin', 'finance', 'approver'],
  'GET /approvals': ['admin', 'finance', 'approver'],
  'POST /expenses/{id}/approve': ['admin', 'finance', 'approver'],
  'POST /expenses/{id}/reject': ['admin', 'finance', 'approver'],
  'GET /exports/fec': ['admin', 'finance', 'auditor'],
  'GET /exports/journal': ['admin', 'finance', 'auditor'],
  'GET /reports/spend': ['admin', 'finance', 'auditor'],
  'GET /reports/missing-receipts': ['admin', 'finance', 'auditor'],
  'GET /reports/cash-out': ['admin', 'finance', 'auditor'],
  'GET /company': EVERYONE,
  'PUT /company': ['admin'],
  'GET /users': ['admin', 'finance', 'auditor'],
  'POST /users': ['admin'],
  'PATCH /users/{id}': ['admin'],
  'POST /users/{id}/deactivate': ['admin'],
  'POST /users/{id}/reactivate': ['admin'],
  'DELETE /users/{id}': ['admin'],
  'GET /admin/log': ['admin', 'auditor'],
  'GET /entities': ['admin', 'finance', 'approver', 'auditor'],
  'POST /entities': ['admin'],
  'PATCH /entities/{id}': ['admin'],
  'GET /company/documents': ['admin', 'finance', 'auditor'],
  'POST /company/documents': ['admin'],
  'DELETE /company/documents/{id}': ['admin'],
  'GET /cards/controls': ['admin', 'finance', 'auditor'],
  'PUT /cards/controls': ['admin', 'finance'],
  'GET /cards/budgets': ['admin', 'finance', 'auditor'],
  'GET /cards/authorizations': ['admin', 'finance', 'auditor'],
  'PUT /cards/{processor}/{cardId}': ['admin', 'finance'],
  'GET /cards/transactions': ['admin', 'finance', 'auditor'],
  'POST /cards/transactions/{id}/lost-receipt': ['admin', 'finance', 'approver', 'employee'],
  'POST /cards/transactions/{id}/lost-receipt/decision': ['admin', 'finance'],
  'GET /webhook-endpoints': ['admin', 'finance'],
  'POST /webhook-endpoints': ['admin'],
  'GET /webhook-endpoints/{id}': ['admin', 'finance'],
  'PATCH /webhook-endpoints/{id}': ['admin'],
  'DELETE /webhook-endpoints/{id}': ['admin'],
  'POST /webhook-endpoints/{id}/rotate-secret': ['admin'],
  'POST /webhook-endpoints/{id}/test': ['admin'],
  'GET /webhook-endpoints/{id}/deliveries': ['admin', 'finance'],
};

export const authorizeRoute = (routeKey: string, principal: Principal): void => {
  const allowed = API_PERMISSIONS[routeKey];
  if (!allowed) throw new ForbiddenError(`route ${routeKey} has no permission entry`);
  if (!hasAnyRole(principal, allowed)) throw new ForbiddenError(`requires one of the roles: ${allowed.join(', ')}`);
};
