import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ZodError, z } from 'zod';
import { InvalidCursorError } from '../adapters/dynamodb/keys.ts';
import { routeSpec } from '../api/contract.ts';
import { authorizeRoute } from '../domain/api-permissions.ts';
import { ForbiddenError, type Principal, principalFromClaims, UnauthenticatedError } from '../domain/identity.ts';
import { type Money, moneyToJson } from '../domain/money.ts';
import { InvalidTransitionError } from '../domain/receipts/receipt.ts';
import { ConcurrentUpdateError } from '../ports/receipt-repository.ts';
import { toCsv } from './csv.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyResultV2 & { statusCode: number; body: string };

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface RouteContext {
  principal: Principal;
  event: HttpEvent;
}

/** A file to download instead of JSON (exports): served as is, with its name. */
export interface FileBody {
  contentType: string;
  fileName: string;
  content: string;
}

export type Route = (ctx: RouteContext) => Promise<{ status?: number; body: unknown; file?: FileBody }>;

/** Money inside (bigint minor units) goes out as decimal strings: {"amount": "12.34", "currency": "EUR"}. */
const moneySafe = (_key: string, value: unknown): unknown => {
  if (value && typeof value === 'object' && typeof (value as Money).minor === 'bigint') {
    return moneyToJson(value as Money);
  }
  return typeof value === 'bigint' ? value.toString() : value;
};

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body, moneySafe),
});

/** Each error class maps to one HTTP status; anything else is a 500 with no internals leaked. */
const statusOf = (error: unknown): number =>
  error instanceof ZodError || error instanceof BadRequestError || error instanceof InvalidCursorError
    ? 400
    : error instanceof UnauthenticatedError
      ? 401
      : error instanceof ForbiddenError
        ? 403
        : error instanceof NotFoundError
          ? 404
          : error instanceof ConcurrentUpdateError || error instanceof InvalidTransitionError
            ? 409
            : 500;

const errorBody = (error: unknown, status: number) => {
  if (error instanceof ZodError) {
    return {
      error: 'validation_failed',
      message: 'the request is invalid',
      issues: error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), reason: 'unknown field' }))
          : [{ field: i.path.join('.') || '(root)', reason: i.message }],
      ),
    };
  }
  if (error instanceof BadRequestError) {
    return {
      error: 'validation_failed',
      message: error.message,
      issues: [{ field: error.field, reason: error.reason }],
    };
  }
  if (status === 500) return { error: 'internal_error', message: 'an unexpected error occurred' };
  return {
    error: (error as Error).name.replace(/Error$/, '').toLowerCase() || 'error',
    message: (error as Error).message,
  };
};

/**
 * A thin HTTP API Lambda: routes by API Gateway's routeKey ("GET /receipts/{id}"), the caller comes only
 * from the verified JWT claims the authorizer passed on, errors become clear 4xx bodies.
 */
export const httpRouter =
  (routes: Record<string, Route>, onError: (error: unknown) => void) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const route = routes[event.routeKey];
    if (!route) return json(404, { error: 'not_found', message: `no route ${event.routeKey}` });
    try {
      const principal = principalFromClaims(event.requestContext.authorizer?.jwt?.claims);
      authorizeRoute(event.routeKey, principal);
      validateRequest(event);
      const { status = 200, body, file: own } = await route({ principal, event });
      const file = own ?? (event.queryStringParameters?.format === 'csv' ? listAsCsv(event.routeKey, body) : undefined);
      if (file) {
        return {
          statusCode: status,
          headers: {
            'content-type': file.contentType,
            'content-disposition': `attachment; filename="${file.fileName.replace(/[^\w.-]/g, '_')}"`,
          },
          body: file.content,
        };
      }
      return json(status, body);
    } catch (error) {
      const status = statusOf(error);
      if (status === 500) onError(error);
      return json(status, errorBody(error, status));
    }
  };

/** A JSON value flattened to dotted columns: nested objects spread, arrays of scalars joined, others as JSON. */
const flatten = (value: unknown, prefix: string, out: Record<string, unknown>): Record<string, unknown> => {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.every((x) => x === null || typeof x !== 'object')) {
    out[prefix] = value.join(' ');
  } else {
    out[prefix] = value;
  }
  return out;
};

/**
 * Every list answers CSV too (`format=csv`): the page's items with one column per field, money as its decimal
 * string. Routes with a hand-made CSV (expenses, receipts, reports) return their own file instead.
 */
const listAsCsv = (routeKey: string, body: unknown): FileBody | undefined => {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  const rows = items.map((i) => flatten(JSON.parse(JSON.stringify(i, moneySafe)) as unknown, '', {}));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const name =
    routeKey
      .split(' ')[1]
      ?.replace(/[{}]/g, '')
      .replace(/^\/|\/$/g, '')
      .replaceAll('/', '-') || 'list';
  return {
    contentType: 'text/csv; charset=utf-8',
    fileName: `${name}.csv`,
    content: toCsv(
      rows,
      columns.map((c) => [c, (r: Record<string, unknown>) => r[c]] as const),
    ),
  };
};

export const parseQuery = <S extends z.ZodType>(schema: S, event: HttpEvent): z.infer<S> =>
  schema.parse(event.queryStringParameters ?? {});

/** The request's JSON body as sent (`{}` when absent); 400 when it is not JSON. */
export const jsonBody = (event: HttpEvent): unknown => {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequestError('body', 'is not valid JSON');
  }
};

/** The JSON body validated by `schema` (an absent body is `{}`, so required fields are named in the error). */
export const parseBody = <S extends z.ZodType>(schema: S, event: HttpEvent): z.infer<S> =>
  schema.parse(jsonBody(event));

const NO_FIELDS = z.strictObject({});

/**
 * Every request against the API contract before its handler runs: the query string and the body must match the
 * route's schemas, unknown fields included, so nothing undocumented is accepted (handlers parse the same schemas
 * again for their types).
 */
const validateRequest = (event: HttpEvent): void => {
  const spec = routeSpec(event.routeKey);
  (spec?.query ?? NO_FIELDS).parse(event.queryStringParameters ?? {});
  if (spec?.rawBody) return;
  const body = jsonBody(event);
  if (spec?.body) spec.body.parse(body);
  else if (typeof body !== 'object' || body === null || Object.keys(body).length > 0) {
    throw new BadRequestError('body', 'this route takes no body');
  }
};

export const pathParam = (event: HttpEvent, name: string): string => {
  const value = event.pathParameters?.[name];
  if (!value) throw new BadRequestError(name, 'missing path parameter');
  return value;
};
