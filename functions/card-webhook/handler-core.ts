import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROCESSORS, type Processor } from '../../shared/domain/cards/model.ts';
import { MAX_WEBHOOK_BYTES, processWebhook, type WebhookDeps } from '../../shared/domain/cards/process-webhook.ts';

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * POST /webhooks/{processor}: the raw body (byte for byte: signatures are computed over it) and the headers go to
 * the webhook use case; its answer is the processor's expected response (Stripe {"approved"}, Lithic ASA, Marqeta
 * JIT) or an acknowledgement. No JWT here: authenticity is the processor's signature.
 */
export const makeHandler =
  (deps: WebhookDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const processor = event.pathParameters?.processor;
    if (!processor || !(PROCESSORS as readonly string[]).includes(processor)) {
      return json(404, { error: 'not_found', message: `unknown processor "${processor ?? ''}"` });
    }
    const raw = event.body ?? '';
    if (raw.length > (event.isBase64Encoded ? (MAX_WEBHOOK_BYTES * 4) / 3 + 4 : MAX_WEBHOOK_BYTES)) {
      return json(413, {
        error: 'payload_too_large',
        message: `webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`,
      });
    }
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const result = await processWebhook(deps, { processor: processor as Processor, body, headers });
    return json(result.statusCode, result.body);
  };
