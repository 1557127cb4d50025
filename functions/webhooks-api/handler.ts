import { httpRouter } from '../../shared/runtime/http.ts';
import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { defaultDeps } from './deps.ts';
import { makeRoutes } from './routes.ts';

const o = observability('webhooks-api');
export const handler = lambda(
  httpRouter(makeRoutes(defaultDeps()), (error) => o.logger.error('request failed', error as Error)),
  o,
);
