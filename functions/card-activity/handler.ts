import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { defaultDeps } from './deps.ts';
import { makeHandler } from './handler-core.ts';

const o = observability('card-activity');
export const handler = lambda(makeHandler(defaultDeps(), o.logger), o);
