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
    // Metrics' own warnings go through the structured logger, except "no application metrics to publish": an
    // invocation that recorded none is normal here, and the plain console line it printed on every invocation was
    // a synchronous write in the local cloud's hot path.
    logger: {
      trace: (...a: unknown[]) => logger.trace(String(a[0] ?? '')),
      debug: (...a: unknown[]) => logger.debug(String(a[0] ?? '')),
      info: (...a: unknown[]) => logger.info(String(a[0] ?? '')),
      warn: (...a: unknown[]) => {
        const message = String(a[0] ?? '');
        if (!message.startsWith('No application metrics to publish')) logger.warn(message);
      },
      error: (...a: unknown[]) => logger.error(String(a[0] ?? '')),
    },
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
