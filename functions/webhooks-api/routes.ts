import type { WebhookDeliveryMessage } from '../../events/webhooks.ts';
import { API } from '../../shared/api/contract.ts';
import type { Principal } from '../../shared/domain/identity.ts';
import {
  applyPatch,
  endpointView,
  rotateSecret,
  type WebhookEndpoint,
} from '../../shared/domain/webhooks/endpoints.ts';
import { testEvent } from '../../shared/domain/webhooks/events.ts';
import { checkEndpointUrl } from '../../shared/domain/webhooks/url-guard.ts';
import type { DeliveryLogReader, WebhookEndpointStore } from '../../shared/ports/webhooks.ts';
import {
  BadRequestError,
  NotFoundError,
  parseBody,
  parseQuery,
  pathParam,
  type Route,
} from '../../shared/runtime/http.ts';

export interface WebhooksApiDeps {
  endpoints: WebhookEndpointStore;
  /** Puts a delivery on the webhook deliveries queue (the test event). */
  enqueue(message: WebhookDeliveryMessage): Promise<void>;
  deliveries: DeliveryLogReader;
  /** Appends to the company's administration log (secrets never go there). */
  audit(
    companyId: string,
    entry: { at: string; actor: string; action: string; target: string; before: unknown; after: unknown },
  ): Promise<void>;
  newId: () => string;
  newSecret: () => string;
  now: () => Date;
  allowLoopbackHttp: boolean;
}

/** Outbound webhook endpoints: register, change, delete, rotate the secret, read the delivery log. */
export const makeRoutes = (deps: WebhooksApiDeps): Record<string, Route> => {
  const checkedUrl = (url: string) => {
    const check = checkEndpointUrl(url, { allowLoopbackHttp: deps.allowLoopbackHttp });
    if (!check.ok) throw new BadRequestError('url', check.reason);
    return check.url;
  };
  const existing = async (p: Principal, id: string) => {
    const e = await deps.endpoints.get(p.companyId, id);
    if (!e) throw new NotFoundError(`webhook endpoint ${id} not found`);
    return e;
  };
  const audit = (p: Principal, action: string, target: string, before: unknown, after: unknown) =>
    deps.audit(p.companyId, { at: deps.now().toISOString(), actor: p.userId, action, target, before, after });
  const view = (e: WebhookEndpoint) => endpointView(e, deps.now());

  return {
    'GET /webhook-endpoints': async ({ principal }) => {
      const items = await deps.endpoints.list(principal.companyId);
      return { body: { items: items.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(view) } };
    },

    'POST /webhook-endpoints': async ({ principal, event }) => {
      const input = parseBody(API['POST /webhook-endpoints'].body, event);
      const now = deps.now().toISOString();
      const endpoint: WebhookEndpoint = {
        id: `we_${deps.newId()}`,
        url: checkedUrl(input.url),
        events: [...input.events],
        description: input.description,
        status: 'enabled',
        disabledReason: null,
        secret: deps.newSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        createdAt: now,
        createdBy: principal.userId,
        updatedAt: now,
      };
      await deps.endpoints.put(principal.companyId, endpoint);
      await audit(principal, 'webhook.create', endpoint.id, null, view(endpoint));
      return { status: 201, body: { ...view(endpoint), secret: endpoint.secret } };
    },

    'GET /webhook-endpoints/{id}': async ({ principal, event }) => ({
      body: view(await existing(principal, pathParam(event, 'id'))),
    }),

    'PATCH /webhook-endpoints/{id}': async ({ principal, event }) => {
      const before = await existing(principal, pathParam(event, 'id'));
      const patch = parseBody(API['PATCH /webhook-endpoints/{id}'].body, event);
      const after = applyPatch(
        before,
        { ...patch, ...(patch.url !== undefined ? { url: checkedUrl(patch.url) } : {}) },
        deps.now(),
      );
      await deps.endpoints.put(principal.companyId, after);
      await audit(principal, 'webhook.update', after.id, view(before), view(after));
      return { body: view(after) };
    },

    'DELETE /webhook-endpoints/{id}': async ({ principal, event }) => {
      const before = await existing(principal, pathParam(event, 'id'));
      if (!(await deps.endpoints.delete(principal.companyId, before.id))) {
        throw new NotFoundError(`webhook endpoint ${before.id} not found`);
      }
      await audit(principal, 'webhook.delete', before.id, view(before), null);
      return { body: { id: before.id, deleted: true } };
    },

    'POST /webhook-endpoints/{id}/rotate-secret': async ({ principal, event }) => {
      const before = await existing(principal, pathParam(event, 'id'));
      const after = rotateSecret(before, deps.newSecret(), deps.now());
      await deps.endpoints.put(principal.companyId, after);
      await audit(principal, 'webhook.rotate-secret', after.id, null, {
        previousSecretExpiresAt: after.previousSecretExpiresAt,
      });
      return { body: { secret: after.secret, previousSecretExpiresAt: after.previousSecretExpiresAt } };
    },

    'POST /webhook-endpoints/{id}/test': async ({ principal, event }) => {
      const endpoint = await existing(principal, pathParam(event, 'id'));
      if (endpoint.status !== 'enabled') {
        throw new BadRequestError('id', 'the endpoint is disabled: enable it (PATCH {"enabled": true}) to test it');
      }
      const test = testEvent(endpoint.id, deps.newId(), deps.now());
      await deps.enqueue({ companyId: principal.companyId, endpointId: endpoint.id, event: test });
      return { status: 202, body: { eventId: test.id } };
    },

    'GET /webhook-endpoints/{id}/deliveries': async ({ principal, event }) => {
      const endpoint = await existing(principal, pathParam(event, 'id'));
      const q = parseQuery(API['GET /webhook-endpoints/{id}/deliveries'].query, event);
      return {
        body: await deps.deliveries.list(principal.companyId, endpoint.id, {
          limit: q.limit,
          ...(q.cursor ? { cursor: q.cursor } : {}),
          ...(q.status ? { status: q.status } : {}),
        }),
      };
    },
  };
};
