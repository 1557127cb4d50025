import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { docsPage } from '../../shared/api/docs-page.ts';
import { openApiDocument } from '../../shared/api/openapi.ts';

export const API_VERSION = '0.1.0';

/** `GET /openapi.json` and `GET /docs`: built once per container from the contract, then served as is. */
export const makeHandler = () => {
  const doc = openApiDocument(API_VERSION);
  const json = JSON.stringify(doc);
  const html = docsPage(doc);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    if (event.routeKey === 'GET /openapi.json') {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
        body: json,
      };
    }
    if (event.routeKey === 'GET /docs') {
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
          'cache-control': 'public, max-age=300',
        },
        body: html,
      };
    }
    return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"not_found"}' };
  };
};
