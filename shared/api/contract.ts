import { z } from 'zod';
import { controlsInputSchema } from '../domain/cards/controls.ts';
import { companyProfileSchema, userInputSchema, userPatchSchema } from '../domain/company.ts';
import { documentInputSchema } from '../domain/company-documents.ts';
import { entityInputSchema, entityPatchSchema } from '../domain/entities.ts';
import { attendeeSchema, EXPENSE_CATEGORIES, EXPENSE_STATUSES, expenseJsonSchema } from '../domain/expenses/expense.ts';
import { AGGREGATE_DIMENSIONS } from '../domain/ledger/aggregates.ts';
import { RECEIPT_STATUSES } from '../domain/receipts/receipt.ts';
import { uploadRequestSchema } from '../domain/receipts/uploads.ts';
import { DELIVERY_STATUSES, deliverySchema } from '../domain/webhooks/delivery.ts';
import { endpointInputSchema, endpointPatchSchema, endpointViewSchema } from '../domain/webhooks/endpoints.ts';

/**
 * The HTTP API's contract, kept as data: for every route its summary, its query and body schemas (zod, strict:
 * an unknown field is a 400) and, where it has one, the schema of its answer. The router validates every request
 * against it before any handler runs, handlers take their typed input from the same schemas, and
 * `GET /openapi.json` is generated from it, so the document cannot drift from what the API accepts.
 * Who may call a route is in ../domain/api-permissions.ts; one test checks both tables cover every route.
 */
export interface RouteSpec {
  readonly summary: string;
  readonly tag: Tag;
  readonly description?: string;
  /** Strict object schema of the query string (all values arrive as strings). */
  readonly query?: z.ZodType;
  /** JSON body; routes without one accept no body (or `{}`). */
  readonly body?: z.ZodType;
  /** Not behind the API's JWT authorizer (signed by other means). */
  readonly public?: true;
  /** The body is read raw by the handler (signature checks) rather than validated here. */
  readonly rawBody?: true;
  readonly success?: {
    readonly status?: number;
    readonly description: string;
    readonly schema?: z.ZodType;
    /** Also answers text/csv when asked `format=csv`. */
    readonly csv?: true;
    readonly contentType?: string;
  };
}

export const TAGS = {
  receipts: 'Receipts: uploads, documents, extraction results, links to card spend',
  expenses: 'Expenses, policies, approvals and reimbursements',
  cards: 'Card spend: controls, budgets, authorizations, transactions',
  exports: 'Accounting exports and reports',
  admin: 'Company administration: profile, entities, users, documents, log',
  webhooks: 'Webhooks: card processors in, finance tools out',
  public: 'Unauthenticated pages (signed links, documentation)',
} as const;
export type Tag = keyof typeof TAGS;

// ---------------------------------------------------------------- building blocks

const limit = (max: number, fallback = 50) =>
  z.coerce.number().int().min(1).max(max).default(fallback).describe(`page size, 1–${max}`);
const cursor = z.string().min(1).optional().describe('opaque cursor from the previous page (`nextCursor`)');
const format = z.enum(['json', 'csv']).default('json').describe('csv downloads the list as a spreadsheet');
const isoDate = z.iso.date();
const bool = z.enum(['true', 'false']);
const decimal = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'a decimal amount such as 12.34');
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
const period = z
  .strictObject({ from: isoDate, to: isoDate })
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] });

export const errorSchema = z.object({
  error: z.string().describe('machine-readable code: validation_failed, forbidden, not_found, conflict…'),
  message: z.string(),
  issues: z
    .array(z.object({ field: z.string(), reason: z.string() }))
    .optional()
    .describe('one entry per invalid field'),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().optional() });

const expense = expenseJsonSchema;

/** Query of `GET /expenses`: every filter combines with the others (AND). */
export const expenseListQuery = z
  .strictObject({
    status: z.enum(EXPENSE_STATUSES).optional(),
    employeeId: z.string().min(1).optional(),
    entityId: z.string().min(1).optional(),
    category: z.enum(EXPENSE_CATEGORIES).optional(),
    from: isoDate.optional().describe('spent on or after (YYYY-MM-DD)'),
    to: isoDate.optional().describe('spent on or before (YYYY-MM-DD)'),
    minAmount: decimal.optional().describe('at least this amount, in the company currency'),
    maxAmount: decimal.optional().describe('at most this amount, in the company currency'),
    hasReceipt: bool.optional(),
    hasViolations: bool.optional().describe('true: only expenses that break a policy rule'),
    sort: z.enum(['spentOn', '-spentOn']).default('-spentOn').describe('by spend date, newest first by default'),
    limit: limit(100),
    cursor,
    format,
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must not be before from' });

// ---------------------------------------------------------------- the routes

export const API = {
  // receipts
  'GET /receipts': {
    tag: 'receipts',
    summary: 'List receipts (yours; the whole company for finance, admin and auditors)',
    query: z.strictObject({
      limit: limit(100),
      cursor,
      employeeId: z.string().min(1).optional(),
      status: z
        .enum(RECEIPT_STATUSES)
        .optional()
        .describe('EXTRACTION_FAILED: needs a look; DUPLICATE: the same file was received before'),
      unmatched: z.literal('true').optional().describe('only extracted receipts linked to no card spend'),
      format,
    }),
    success: { description: 'a page of receipts, newest first', csv: true },
  },
  'GET /receipts/{id}': {
    tag: 'receipts',
    summary: 'A receipt with its extracted fields, its link to card spend, suggestions and a document link',
    success: { description: 'the receipt' },
  },
  'POST /receipts/uploads': {
    tag: 'receipts',
    summary: 'Start an upload: returns a presigned S3 POST for the file (≤ 10 MB)',
    body: uploadRequestSchema.strict(),
    success: { status: 201, description: 'where and how to upload the file' },
  },
  'POST /receipts/{id}/retry': {
    tag: 'receipts',
    summary: 'Extract a failed receipt again',
    success: { status: 202, description: 'queued for extraction' },
  },
  'POST /receipts/{id}/link': {
    tag: 'receipts',
    summary: 'Link a receipt to card spend (a person’s decision: automation never undoes it)',
    description:
      'One transaction (`transactionId`); several transactions for one receipt, such as split shipments or a hotel ' +
      'deposit and its final charge (`transactionIds`); or one transaction paying this and other receipts ' +
      '(`transactionId` + `receiptIds`). All or nothing: 409 if any of them is linked meanwhile.',
    body: z
      .strictObject({
        transactionId: z.string().min(1).optional(),
        transactionIds: z.array(z.string().min(1)).min(2).max(10).optional(),
        receiptIds: z.array(z.string().min(1)).min(1).max(10).optional().describe('other receipts of the same payment'),
      })
      .refine((b) => (b.transactionId === undefined) !== (b.transactionIds === undefined), {
        message: 'give transactionId or transactionIds',
        path: ['transactionId'],
      })
      .refine((b) => !b.receiptIds || b.transactionId, {
        message: 'receiptIds go with one transactionId',
        path: ['receiptIds'],
      }),
    success: { description: 'the link' },
  },
  'POST /receipts/{id}/unlink': {
    tag: 'receipts',
    summary: 'Undo a receipt’s link to card spend',
    success: { description: 'the receipt, unlinked' },
  },
  'GET /quarantine': {
    tag: 'receipts',
    summary: 'Inbound mail and files that could not be accepted, with the reason',
    query: z.strictObject({ limit: limit(100), format }),
    success: { description: 'quarantined items', csv: true },
  },

  // expenses
  'GET /expenses': {
    tag: 'expenses',
    summary: 'List expenses with filters, sort and cursor pagination',
    description:
      'Employees see their own; finance, admin and auditors the whole company. A page may hold fewer than ' +
      '`limit` items while `nextCursor` is set: keep reading until it is null.',
    query: expenseListQuery,
    success: { description: 'a page of expenses', schema: page(expense), csv: true },
  },
  'GET /expenses/{id}': {
    tag: 'expenses',
    summary: 'An expense with its approval history and audit trail',
    success: { description: 'the expense' },
  },
  'POST /expenses': {
    tag: 'expenses',
    summary: 'Claim an out-of-pocket expense from an extracted receipt',
    body: z.strictObject({
      receiptId: z.string().min(1),
      category: z.enum(EXPENSE_CATEGORIES).optional(),
      description: z.string().max(500).default(''),
      attendees: z.array(attendeeSchema).default([]),
    }),
    success: { status: 201, description: 'the expense', schema: expense },
  },
  'GET /policies': {
    tag: 'expenses',
    summary: 'The spending policy and approval chain in force',
    success: { description: 'policy and chain' },
  },
  'PUT /policies': {
    tag: 'expenses',
    summary: 'Publish a new version of the spending policy and/or the approval chain',
    body: z.strictObject({
      policy: z.record(z.string(), z.unknown()).optional(),
      approvalChain: z.record(z.string(), z.unknown()).optional(),
    }),
    success: { description: 'updated' },
  },
  'POST /reimbursements': {
    tag: 'expenses',
    summary: 'Pay approved out-of-pocket expenses: a SEPA credit transfer file (pain.001.001.03)',
    body: z.strictObject({ executionDate: isoDate.optional() }),
    success: { description: 'the transfer file', contentType: 'application/xml' },
  },
  'PUT /delegations': {
    tag: 'expenses',
    summary: 'Delegate approvals while away',
    body: z
      .strictObject({
        approverId: z.string().min(1).optional(),
        delegateId: z.string().min(1),
        from: isoDate,
        to: isoDate,
      })
      .refine((x) => x.from <= x.to, { message: 'from must not be after to', path: ['to'] }),
    success: { status: 201, description: 'the delegation' },
  },
  'GET /approvals': {
    tag: 'expenses',
    summary: 'Expenses waiting for your decision',
    query: z.strictObject({ limit: limit(100), format }),
    success: { description: 'a page of expenses', schema: page(expense), csv: true },
  },
  'POST /expenses/{id}/approve': {
    tag: 'expenses',
    summary: 'Approve the current step',
    body: z.strictObject({
      reason: z.string().trim().min(1).optional(),
      expectedVersion: z.number().int().nonnegative().optional(),
    }),
    success: { description: 'the expense', schema: expense },
  },
  'POST /expenses/{id}/reject': {
    tag: 'expenses',
    summary: 'Reject, with a reason',
    body: z.strictObject({
      reason: z.string().trim().min(1).optional(),
      expectedVersion: z.number().int().nonnegative().optional(),
    }),
    success: { description: 'the expense', schema: expense },
  },

  // exports and reports
  'GET /exports/fec': {
    tag: 'exports',
    summary: 'The Fichier des Écritures Comptables of a period (18 columns, tab-separated)',
    query: period,
    success: { description: 'the FEC file', contentType: 'text/plain' },
  },
  'GET /exports/journal': {
    tag: 'exports',
    summary: 'Posted journal entries of a period, CSV or JSON',
    query: z
      .strictObject({ from: isoDate, to: isoDate, format: z.enum(['csv', 'json']).default('csv') })
      .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] }),
    success: { description: 'the entries', csv: true },
  },
  'GET /reports/spend': {
    tag: 'exports',
    summary: 'Spend by account, employee, category, entity, VAT rate (recoverable VAT) or journal, per month',
    query: z
      .strictObject({
        from: month,
        to: month,
        by: z.enum(AGGREGATE_DIMENSIONS).default('account'),
        format,
      })
      .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] }),
    success: { description: 'rows from maintained aggregates', csv: true },
  },
  'GET /reports/cash-out': {
    tag: 'exports',
    summary: 'Card cash out per ISO week: approved authorizations and posted captures (refunds deducted)',
    query: z
      .strictObject({ from: isoDate, to: isoDate, format })
      .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] })
      .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 400 * 86_400_000, {
        message: 'at most 400 days',
        path: ['to'],
      }),
    success: { description: 'one row per week (Monday)', csv: true },
  },
  'GET /reports/missing-receipts': {
    tag: 'exports',
    summary: 'Card payments without a receipt, by age',
    success: { description: 'ageing buckets' },
  },

  // administration
  'GET /company': { tag: 'admin', summary: 'The company profile', success: { description: 'the profile' } },
  'PUT /company': {
    tag: 'admin',
    summary: 'Update the company profile (SIREN, VAT number, IBAN and BIC are checked)',
    body: companyProfileSchema.strict(),
    success: { description: 'the profile' },
  },
  'GET /users': {
    tag: 'admin',
    summary: 'Users of the company',
    query: z.strictObject({ includeDeleted: bool.default('false'), format }),
    success: { description: 'the users', csv: true },
  },
  'POST /users': {
    tag: 'admin',
    summary: 'Create a user',
    body: userInputSchema.strict(),
    success: { status: 201, description: 'the user' },
  },
  'PATCH /users/{id}': {
    tag: 'admin',
    summary: 'Edit a user',
    body: userPatchSchema.strict(),
    success: { description: 'the user' },
  },
  'POST /users/{id}/deactivate': {
    tag: 'admin',
    summary: 'Deactivate a user (login and receipt addresses stop working)',
    success: { description: 'the user' },
  },
  'POST /users/{id}/reactivate': { tag: 'admin', summary: 'Reactivate a user', success: { description: 'the user' } },
  'DELETE /users/{id}': {
    tag: 'admin',
    summary: 'Delete a user; their receipts, expenses and history are kept',
    success: { description: 'the user, deleted' },
  },
  'GET /entities': {
    tag: 'admin',
    summary: 'Legal entities and their establishments',
    query: z.strictObject({ format }),
    success: { description: 'the entities', csv: true },
  },
  'POST /entities': {
    tag: 'admin',
    summary: 'Create a legal entity (SIREN, establishments’ SIRET, VAT number checked; own currency and accounts)',
    body: entityInputSchema,
    success: { status: 201, description: 'the entity' },
  },
  'PATCH /entities/{id}': {
    tag: 'admin',
    summary: 'Edit an entity, or deactivate it (`active: false`); its SIREN never changes',
    body: entityPatchSchema,
    success: { description: 'the entity' },
  },
  'GET /company/documents': {
    tag: 'admin',
    summary: 'Company documents (registration extract, insurance, certificates) with their expiry state and a link',
    query: z.strictObject({ format }),
    success: { description: 'documents, soonest expiry first', csv: true },
  },
  'POST /company/documents': {
    tag: 'admin',
    summary:
      'Add a company document: returns a presigned PUT for the file (≤ 20 MB); admins are reminded before it expires',
    body: documentInputSchema,
    success: { status: 201, description: 'the document and where to upload its file' },
  },
  'DELETE /company/documents/{id}': {
    tag: 'admin',
    summary: 'Remove a company document',
    success: { description: 'deleted' },
  },
  'GET /admin/log': {
    tag: 'admin',
    summary: 'The append-only administration log',
    query: z.strictObject({ limit: limit(200), format }),
    success: { description: 'log entries, newest first', csv: true },
  },

  // cards
  'GET /cards/controls': {
    tag: 'cards',
    summary: 'Spend controls and budgets',
    success: { description: 'the controls' },
  },
  'PUT /cards/controls': {
    tag: 'cards',
    summary: 'Replace the spend controls and budgets',
    body: controlsInputSchema,
    success: { description: 'the controls' },
  },
  'GET /cards/budgets': {
    tag: 'cards',
    summary: 'Budget consumption: reserved, settled and remaining per budget and period',
    query: z.strictObject({ at: z.iso.datetime().optional() }),
    success: { description: 'one row per budget' },
  },
  'GET /cards/authorizations': {
    tag: 'cards',
    summary: 'Recent authorization decisions with their reasons',
    query: z.strictObject({ limit: limit(100), format }),
    success: { description: 'decisions', csv: true },
  },
  'PUT /cards/{processor}/{cardId}': {
    tag: 'cards',
    summary: 'Assign a card to an employee (or leave it unassigned with null)',
    body: z.strictObject({ employeeId: z.string().min(1).nullable() }),
    success: { description: 'the card' },
  },
  'GET /cards/transactions': {
    tag: 'cards',
    summary: 'Card payments missing a receipt, by posting date (JSON ≤ 1 000, CSV ≤ 10 000 rows)',
    query: z
      .strictObject({
        missingReceipt: z.literal('true'),
        from: isoDate.optional(),
        to: isoDate.optional(),
        format,
        limit: z.coerce.number().int().min(1).max(10_000).optional(),
      })
      .refine((x) => x.format === 'csv' || (x.limit ?? 50) <= 1000, {
        path: ['limit'],
        message: 'at most 1000 in JSON (format=csv for more)',
      })
      .refine((x) => !x.from || !x.to || x.from <= x.to, { path: ['to'], message: 'must not be before from' }),
    success: { description: 'payments with their age', csv: true },
  },
  'POST /cards/transactions/{id}/lost-receipt': {
    tag: 'cards',
    summary: 'Declare a receipt lost',
    description:
      "On a card payment still waiting for its receipt (the employee's own, or any for finance and admins): 404 " +
      'when the transaction is unknown or not visible; 409 `invalidtransition`, the message saying why, when it is an authorization hold ' +
      '(declare the loss on its capture, named once posted; none is needed when the hold ended without a charge), ' +
      'when it is a refund, a zero amount or a purchase refunded in full (no receipt is needed), when a receipt is ' +
      'linked to it, or when a declaration is already pending or accepted (409 `concurrentupdate` when it changed ' +
      'meanwhile for no such reason). A refused declaration may be made again, and so may one withdrawn by a link ' +
      'since undone. A receipt linked while a declaration is pending withdraws it (status `WITHDRAWN`, `decidedBy` / ' +
      '`decidedAt`: who linked and when, `reason`: the receipts).',
    body: z.strictObject({
      description: z.string().trim().min(10, 'say what was bought, where and why (10 characters at least)'),
    }),
    success: { status: 201, description: 'the declaration' },
  },
  'POST /cards/transactions/{id}/lost-receipt/decision': {
    tag: 'cards',
    summary: 'Accept or refuse a lost-receipt declaration',
    description:
      'Decides the pending declaration: 404 when the transaction has none; 409 `invalidtransition` when a receipt is ' +
      'linked to the transaction or the declaration was withdrawn by a link (nothing to decide); 409 ' +
      '`concurrentupdate` when it is decided already (or by someone else meanwhile), the message saying the decision ' +
      'that stands. A refused declaration may be made again.',
    body: z
      .strictObject({ accepted: z.boolean(), reason: z.string().trim().min(1).optional() })
      .refine((d) => d.accepted || d.reason, { message: 'a refusal needs a reason', path: ['reason'] }),
    success: { description: 'the decision' },
  },

  // outbound webhooks (finance tools)
  'GET /webhook-endpoints': {
    tag: 'webhooks',
    summary: 'Outbound webhook endpoints of the company (never their secrets)',
    success: { description: 'the endpoints', schema: z.object({ items: z.array(endpointViewSchema) }) },
  },
  'POST /webhook-endpoints': {
    tag: 'webhooks',
    summary: 'Register an endpoint for some event types; the answer carries its signing secret, shown only this once',
    description:
      'https only (plain http to 127.0.0.1/localhost only in the local cloud); private, loopback and link-local ' +
      'addresses are refused. Deliveries are signed with Standard Webhooks headers: see docs/webhooks.md.',
    body: endpointInputSchema,
    success: {
      status: 201,
      description: 'the endpoint and its secret (whsec_…)',
      schema: endpointViewSchema.extend({ secret: z.string() }),
    },
  },
  'GET /webhook-endpoints/{id}': {
    tag: 'webhooks',
    summary: 'One endpoint',
    success: { description: 'the endpoint', schema: endpointViewSchema },
  },
  'PATCH /webhook-endpoints/{id}': {
    tag: 'webhooks',
    summary: 'Change an endpoint’s URL, event types or description, or disable / re-enable it',
    body: endpointPatchSchema,
    success: { description: 'the endpoint', schema: endpointViewSchema },
  },
  'DELETE /webhook-endpoints/{id}': {
    tag: 'webhooks',
    summary: 'Delete an endpoint: nothing more is sent to it, retries included; its delivery log is kept 30 days',
    success: { description: 'deleted' },
  },
  'POST /webhook-endpoints/{id}/rotate-secret': {
    tag: 'webhooks',
    summary: 'A new signing secret, shown once; the previous one keeps signing alongside it for 24 hours',
    success: {
      description: 'the new secret',
      schema: z.object({ secret: z.string(), previousSecretExpiresAt: z.string() }),
    },
  },
  'POST /webhook-endpoints/{id}/test': {
    tag: 'webhooks',
    summary: 'Send a signed test event (type webhook.test) to this endpoint now, whatever it listens to',
    description:
      'It goes through the same queue, signing, retries and delivery log as real events; the answer names the ' +
      'event id to look for in the log (GET …/deliveries) and in the receiver’s `webhook-id` header.',
    success: { status: 202, description: 'queued for delivery', schema: z.object({ eventId: z.string() }) },
  },
  'GET /webhook-endpoints/{id}/deliveries': {
    tag: 'webhooks',
    summary: 'The delivery log of an endpoint, newest event first: status, attempts with HTTP status and excerpt',
    description: 'With a status filter a page may hold fewer than `limit` items while `nextCursor` is set.',
    query: z.strictObject({ limit: limit(100), cursor, status: z.enum(DELIVERY_STATUSES).optional() }),
    success: { description: 'a page of deliveries', schema: page(deliverySchema) },
  },

  // unauthenticated
  'POST /webhooks/{processor}': {
    tag: 'webhooks',
    summary: 'Card processor webhooks (stripe, lithic, marqeta), verified by signature over the raw body',
    public: true,
    rawBody: true,
    success: { description: 'accepted, or the authorization decision for real-time requests' },
  },
  'GET /approvals/links/{token}': {
    tag: 'public',
    summary: 'Confirmation page of an approve/reject link sent by e-mail',
    public: true,
    success: { description: 'an HTML page', contentType: 'text/html' },
  },
  'POST /approvals/links/{token}': {
    tag: 'public',
    summary: 'Decide through a signed, single-use approval link',
    public: true,
    rawBody: true,
    success: { description: 'an HTML page', contentType: 'text/html' },
  },
  'GET /openapi.json': {
    tag: 'public',
    summary: 'This document',
    public: true,
    success: { description: 'OpenAPI 3.1' },
  },
  'GET /docs': {
    tag: 'public',
    summary: 'Readable API documentation',
    public: true,
    success: { description: 'an HTML page', contentType: 'text/html' },
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteKey = keyof typeof API;
export const routeSpec = (key: string): RouteSpec | undefined => (API as Record<string, RouteSpec>)[key];

/** The validated query of a route, as its handler receives it. */
export type QueryOf<K extends RouteKey> = (typeof API)[K] extends { query: infer Q extends z.ZodType }
  ? z.output<Q>
  : Record<string, never>;
/** The validated body of a route, as its handler receives it. */
export type BodyOf<K extends RouteKey> = (typeof API)[K] extends { body: infer B extends z.ZodType }
  ? z.output<B>
  : Record<string, never>;
