import { Validator } from '@seriousme/openapi-schema-validator';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/api-docs/handler-core.ts';
import { topology } from '../../../infra/topology.ts';
import { API } from '../../../shared/api/contract.ts';
import { openApiDocument } from '../../../shared/api/openapi.ts';
import { type HttpEvent, httpRouter } from '../../../shared/runtime/http.ts';

const httpRoutes = Object.values(topology.functions).flatMap((f) =>
  f.trigger.type === 'http' ? f.trigger.routes : [],
);
const publicRoutes = Object.values(topology.functions).flatMap((f) =>
  f.trigger.type === 'http' && f.trigger.auth === 'none' ? f.trigger.routes : [],
);

describe('API contract and OpenAPI document', () => {
  it('describes every route of the topology, and no route that does not exist', () => {
    expect(Object.keys(API).sort()).toEqual([...httpRoutes].sort());
  });

  it('marks exactly the routes without the JWT authorizer as public', () => {
    const marked = Object.entries(API)
      .filter(([, spec]) => 'public' in spec && spec.public)
      .map(([key]) => key);
    expect(marked.sort()).toEqual([...publicRoutes].sort());
  });

  it('generates an OpenAPI 3.1 document that the OpenAPI schema validator accepts', async () => {
    const doc = openApiDocument('test');
    const result = await new Validator().validate(doc as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    const operations = Object.values(doc.paths).flatMap((m) => Object.keys(m));
    expect(operations).toHaveLength(httpRoutes.length);
  });

  it('is checked by a validator that does refuse a broken document', async () => {
    const doc = openApiDocument('test') as unknown as {
      paths: Record<string, Record<string, { parameters: { in: string }[] }>>;
    };
    const first = doc.paths['/expenses']?.get?.parameters[0];
    if (first) first.in = 'body'; // OpenAPI 2 style, not allowed in 3.x
    expect((await new Validator().validate(doc as never)).valid).toBe(false);
  });

  it('documents the filters of GET /expenses as query parameters with their types', () => {
    const op = openApiDocument('test').paths['/expenses']?.get as { parameters: { name: string; schema: unknown }[] };
    const byName = Object.fromEntries(op.parameters.map((p) => [p.name, p.schema]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(['status', 'employeeId', 'category', 'from', 'to', 'hasReceipt', 'limit', 'cursor']),
    );
    expect(byName.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 50 });
  });

  it('serves the document and a readable page without a token', async () => {
    const handler = makeHandler();
    const json = await handler({ routeKey: 'GET /openapi.json' } as APIGatewayProxyEventV2);
    expect(json.statusCode).toBe(200);
    expect(JSON.parse(String(json.body)).openapi).toBe('3.1.0');
    const page = await handler({ routeKey: 'GET /docs' } as APIGatewayProxyEventV2);
    expect(page.headers?.['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/cards/transactions');
    expect(page.body).not.toMatch(/<script/i);
  });
});

describe('requests are validated against the contract before any handler runs', () => {
  let reached = 0;
  const router = httpRouter(
    {
      'GET /expenses': async () => {
        reached++;
        return { body: { items: [] } };
      },
      'POST /users/{id}/deactivate': async () => {
        reached++;
        return { body: {} };
      },
      'POST /receipts/{id}/link': async () => {
        reached++;
        return { body: {} };
      },
    },
    () => {},
  );
  const event = (routeKey: string, query?: Record<string, string>, body?: string) =>
    ({
      routeKey,
      queryStringParameters: query,
      body,
      isBase64Encoded: false,
      requestContext: {
        authorizer: {
          jwt: { claims: { sub: 'u1', 'custom:companyId': 'c1', 'cognito:groups': ['finance', 'admin'] } },
        },
      },
    }) as unknown as HttpEvent;
  const issues = async (e: HttpEvent) => {
    const res = await router(e);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };

  it('names an unknown query field', async () => {
    reached = 0;
    const res = await issues(event('GET /expenses', { status: 'APPROVED', colour: 'blue' }));
    expect(res.status).toBe(400);
    expect(res.body.issues).toContainEqual({ field: 'colour', reason: 'unknown field' });
    expect(reached).toBe(0);
  });

  it('bounds page sizes and checks types', async () => {
    const res = await issues(event('GET /expenses', { limit: '1000', hasReceipt: 'maybe' }));
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['hasReceipt', 'limit']);
  });

  it('refuses a body on a route that takes none, and unknown body fields', async () => {
    expect((await issues(event('POST /users/{id}/deactivate', undefined, '{"why":"x"}'))).status).toBe(400);
    const res = await issues(event('POST /receipts/{id}/link', undefined, '{"transactionId":"t1","force":true}'));
    expect(res.status).toBe(400);
    expect(res.body.issues).toContainEqual({ field: 'force', reason: 'unknown field' });
    expect(reached).toBe(0);
  });

  it('lets a valid request through', async () => {
    expect((await issues(event('GET /expenses', { status: 'APPROVED', limit: '10' }))).status).toBe(200);
    expect((await issues(event('POST /users/{id}/deactivate', undefined, '{}'))).status).toBe(200);
    expect(reached).toBe(2);
  });
});

describe('every list answers CSV', () => {
  it('flattens the items of a JSON list into columns, money as decimal strings, quoting what needs it', async () => {
    const router = httpRouter(
      {
        'GET /users': async () => ({
          body: {
            items: [
              { userId: 'u1', roles: ['admin', 'finance'], cap: { minor: 1234n, currency: 'EUR' } },
              { userId: 'u2', roles: [], note: 'says "hi", twice' },
            ],
          },
        }),
      },
      () => {},
    );
    const res = await router({
      routeKey: 'GET /users',
      queryStringParameters: { format: 'csv' },
      requestContext: {
        authorizer: { jwt: { claims: { sub: 'u1', 'custom:companyId': 'c1', 'cognito:groups': ['admin'] } } },
      },
    } as unknown as HttpEvent);
    const headers = (res as { headers?: Record<string, string> }).headers;
    expect(headers?.['content-type']).toMatch(/text\/csv/);
    expect(headers?.['content-disposition']).toContain('users.csv');
    expect(res.body.split('\r\n')).toEqual([
      'userId,roles,cap.amount,cap.currency,note',
      'u1,admin finance,12.34,EUR,',
      'u2,,,,"says ""hi"", twice"',
      '',
    ]);
  });
});
