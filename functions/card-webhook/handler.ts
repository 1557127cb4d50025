import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { defaultDeps } from './deps.ts';
import { makeHandler } from './handler-core.ts';

const o = observability('card-webhook');
export const handler = lambda(makeHandler(defaultDeps((message, details) => o.logger.info(message, details ?? {}))), o);
