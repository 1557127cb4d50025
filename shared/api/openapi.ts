import { z } from 'zod';
import { API_PERMISSIONS } from '../domain/api-permissions.ts';
import { API, errorSchema, type RouteSpec, TAGS } from './contract.ts';

type JsonSchema = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 schema object (JSON Schema 2020-12, without its `$schema` line). */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonSchema;
  return rest;
};

const ERRORS: Record<string, string> = {
  '400': 'invalid request: one issue per field, with the reason',
  '401': 'missing or invalid token',
  '403': 'your roles do not allow this route',
  '404': 'not found (or not yours)',
  '409': 'conflict: stale version, already decided, already exists',
};

const operation = (key: string, spec: RouteSpec) => {
  const [method = '', path = ''] = key.split(' ');
  const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = spec.query ? jsonSchema(spec.query, 'input') : null;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  const queryParams = Object.entries((query?.properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
  const success = spec.success ?? { description: 'done' };
  const contentType = success.contentType ?? 'application/json';
  const content: Record<string, { schema: JsonSchema }> = {
    [contentType]: { schema: success.schema ? jsonSchema(success.schema, 'output') : {} },
  };
  if (success.csv) content['text/csv'] = { schema: { type: 'string' } };
  const roles = API_PERMISSIONS[key];
  return [
    method.toLowerCase(),
    path,
    {
      operationId: key
        .replace(/[{}]/g, '')
        .replace(/[^A-Za-z0-9]+/g, '_')
        .replace(/_$/, ''),
      summary: spec.summary,
      description: [spec.description, roles ? `Roles: ${roles.join(', ')}.` : 'No token: signed by other means.']
        .filter(Boolean)
        .join('\n\n'),
      tags: [spec.tag],
      ...(spec.public ? { security: [] } : {}),
      ...(roles ? { 'x-roles': roles } : {}),
      parameters: [...pathParams, ...queryParams],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(success.status ?? 200)]: { description: success.description, content },
        ...Object.fromEntries(
          Object.entries(ERRORS)
            .filter(([status]) => !spec.public || status === '400' || status === '404')
            .map(([status, description]) => [
              status,
              { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
            ]),
        ),
      },
    },
  ] as const;
};

/** The OpenAPI 3.1 document of the HTTP API, generated from the contract and the permission table. */
export const openApiDocument = (version: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(API) as [string, RouteSpec][]) {
    const [method, path, op] = operation(key, spec);
    paths[path] = { ...paths[path], [method]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Quittance API',
      version,
      summary: 'Receipts, card spend, matching, policies, approvals and French VAT booking',
      description:
        'Money is a decimal string with its currency ({"amount": "12.34", "currency": "EUR"}). ' +
        'The company and the caller come only from the bearer token. Lists are paged with `limit` and `cursor`. ' +
        'Unknown query or body fields are refused with a 400 naming the field.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
  };
};
