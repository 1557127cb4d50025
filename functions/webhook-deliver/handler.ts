import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { defaultDeps } from './deps.ts';
import { makeHandler } from './handler-core.ts';

const o = observability('webhook-deliver');
export const handler = lambda(makeHandler(defaultDeps(), o.logger), o);
