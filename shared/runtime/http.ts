import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ZodError, type z } from 'zod';
import { InvalidCursorError } from '../adapters/dynamodb/keys.ts';
import { authorizeRoute } from '../domain/api-permissions.ts';
import { ForbiddenError, type Principal, principalFromClaims, UnauthenticatedError } from '../domain/identity.ts';
import { type Money, moneyToJson } from '../domain/money.ts';
import { InvalidTransitionError } from '../domain/receipts/receipt.ts';
import { ConcurrentUpdateError } from '../ports/receipt-repository.ts';

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
      issues: error.issues.map((i) => ({ field: i.path.join('.') || '(root)', reason: i.message })),
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
      const { status = 200, body, file } = await route({ principal, event });
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

export const parseQuery = <S extends z.ZodType>(schema: S, event: HttpEvent): z.infer<S> =>
  schema.parse(event.queryStringParameters ?? {});

export const pathParam = (event: HttpEvent, name: string): string => {
  const value = event.pathParameters?.[name];
  if (!value) throw new BadRequestError(name, 'missing path parameter');
  return value;
};
