import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Claim, Delivery, DeliveryLogPort } from '../../domain/webhooks/delivery.ts';
import type { WebhookEndpoint } from '../../domain/webhooks/endpoints.ts';
import type { DeliveryLogReader, WebhookEndpointStore } from '../../ports/webhooks.ts';
import { decodeCursor, encodeCursor, InvalidCursorError, stripKeys } from './keys.ts';

/**
 * Webhook endpoints and their delivery log in the main table; every key starts with the company.
 *
 *   endpoint   pk C#<company>                      sk WHEP#<endpoint id>
 *   delivery   pk C#<company>#WHD#<endpoint id>    sk <event id>   (event ids sort by time: newest first on a query)
 *
 * A delivery record carries a lease (leaseUntil, epoch ms) while an attempt is in progress, and expires with the
 * table's TTL 30 days after its last change.
 */
const DELIVERY_RETENTION_SECONDS = 30 * 86_400;

const endpointKey = (companyId: string, id: string) => ({ pk: `C#${companyId}`, sk: `WHEP#${id}` });
const deliveryPk = (companyId: string, endpointId: string) => `C#${companyId}#WHD#${endpointId}`;

const toEndpoint = (item: Record<string, unknown>): WebhookEndpoint => {
  const { entity: _, ...rest } = stripKeys<WebhookEndpoint & { entity?: string }>(item);
  return rest;
};

const toDelivery = (item: Record<string, unknown>): Delivery => ({
  endpointId: String(item.endpointId),
  eventId: String(item.eventId),
  eventType: item.eventType as Delivery['eventType'],
  status: item.status as Delivery['status'],
  attempts: (item.attempts as Delivery['attempts']) ?? [],
  nextAttemptAt: (item.nextAttemptAt as string | null) ?? null,
  reason: (item.reason as string | null) ?? null,
  createdAt: String(item.createdAt),
  updatedAt: String(item.updatedAt),
});

/** An update of an endpoint that may have been deleted meanwhile: then nothing happens. */
/** An update applied only when the condition holds (by default: the item exists); false when it did not. */
const updateIf = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  Key: Record<string, string>,
  update: Pick<
    UpdateCommandInput,
    'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues' | 'ConditionExpression'
  >,
): Promise<boolean> => {
  try {
    await ddb.send(
      new UpdateCommand({ TableName: table, Key, ConditionExpression: 'attribute_exists(pk)', ...update }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return false;
  }
};

export const makeDynamoWebhookEndpointStore = (ddb: DynamoDBDocumentClient, table: string): WebhookEndpointStore => ({
  async list(companyId) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': `C#${companyId}`, ':p': 'WHEP#' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items.map(toEndpoint);
  },
  async get(companyId, id) {
    const res = await ddb.send(
      new GetCommand({ TableName: table, Key: endpointKey(companyId, id), ConsistentRead: true }),
    );
    return res.Item ? toEndpoint(res.Item) : null;
  },
  async put(companyId, endpoint) {
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: { ...endpointKey(companyId, endpoint.id), entity: 'WebhookEndpoint', ...endpoint },
      }),
    );
  },
  async delete(companyId, id) {
    const res = await ddb.send(
      new DeleteCommand({ TableName: table, Key: endpointKey(companyId, id), ReturnValues: 'ALL_OLD' }),
    );
    return res.Attributes !== undefined;
  },
  disable: (companyId, id, reason, now) =>
    updateIf(ddb, table, endpointKey(companyId, id), {
      UpdateExpression: 'SET #s = :d, disabledReason = :r, updatedAt = :now',
      ConditionExpression: '#s = :e',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':d': 'disabled', ':e': 'enabled', ':r': reason, ':now': now.toISOString() },
    }),
  markDelivered: async (companyId, id, at) => {
    await updateIf(ddb, table, endpointKey(companyId, id), {
      UpdateExpression: 'SET lastDeliveredAt = :at',
      ExpressionAttributeValues: { ':at': at.toISOString() },
    });
  },
});

export const makeDynamoDeliveryLog = (
  ddb: DynamoDBDocumentClient,
  table: string,
): DeliveryLogPort & DeliveryLogReader => ({
  async claim(companyId, endpointId, event, now, leaseMs): Promise<Claim> {
    const Key = { pk: deliveryPk(companyId, endpointId), sk: event.id };
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: table,
          Key,
          UpdateExpression:
            'SET leaseUntil = :lease, entity = :entity, endpointId = :ep, eventId = :ev, eventType = :type, ' +
            '#s = if_not_exists(#s, :pending), attempts = if_not_exists(attempts, :none), ' +
            'createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = :exp',
          ConditionExpression:
            'attribute_not_exists(pk) OR (#s <> :delivered AND (attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs))',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':lease': now.getTime() + leaseMs,
            ':entity': 'WebhookDelivery',
            ':ep': endpointId,
            ':ev': event.id,
            ':type': event.type,
            ':pending': 'pending',
            ':none': [],
            ':now': now.toISOString(),
            ':nowMs': now.getTime(),
            ':exp': Math.floor(now.getTime() / 1000) + DELIVERY_RETENTION_SECONDS,
            ':delivered': 'delivered',
          },
        }),
      );
      return { state: 'claimed' };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const res = await ddb.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }));
      if (res.Item?.status === 'delivered') return { state: 'delivered' };
      return { state: 'busy', retryInMs: Math.max(1_000, Number(res.Item?.leaseUntil ?? 0) - now.getTime()) };
    }
  },
  async settle(companyId, endpointId, eventId, change) {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: deliveryPk(companyId, endpointId), sk: eventId },
        UpdateExpression: `SET #s = :s, nextAttemptAt = :next, reason = :reason, updatedAt = :now, expiresAt = :exp${
          change.attempt ? ', attempts = list_append(if_not_exists(attempts, :none), :attempt)' : ''
        } REMOVE leaseUntil`,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':s': change.status,
          ':next': change.nextAttemptAt,
          ':reason': change.reason,
          ':now': change.now.toISOString(),
          ':exp': Math.floor(change.now.getTime() / 1000) + DELIVERY_RETENTION_SECONDS,
          ...(change.attempt ? { ':attempt': [change.attempt], ':none': [] } : {}),
        },
      }),
    );
  },
  async list(companyId, endpointId, q) {
    const pk = deliveryPk(companyId, endpointId);
    const start = decodeCursor(q.cursor ?? null);
    if (start && start.pk !== pk) throw new InvalidCursorError('cursor is not one this API issued');
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(q.status ? { ':s': q.status } : {}) },
        ...(q.status ? { FilterExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' } } : {}),
        ScanIndexForward: false,
        Limit: q.limit,
        ExclusiveStartKey: start,
      }),
    );
    return { items: (res.Items ?? []).map(toDelivery), nextCursor: encodeCursor(res.LastEvaluatedKey) };
  },
});
