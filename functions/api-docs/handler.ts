import { lambda, observability } from '../../shared/runtime/lambda.ts';
import { makeHandler } from './handler-core.ts';

export const handler = lambda(makeHandler(), observability('api-docs'));
