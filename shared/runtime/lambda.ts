import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';

/** Powertools logger and metrics for one function (service name from POWERTOOLS_SERVICE_NAME or the given name). */
export const observability = (serviceName: string) => {
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Quittance',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName,
  });
  return { logger, metrics };
};

/**
 * Wraps a plain handler with middy and the Powertools middlewares every function uses.
 * The plain handler stays testable on its own (makeHandler(deps) → handler).
 */
export const lambda = <E, R>(
  handler: (event: E) => Promise<R>,
  { logger, metrics }: { logger: Logger; metrics: Metrics },
) =>
  middy<E, R>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics))
    .handler((event) => handler(event));
