import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventCatalogue } from '../../../events/index.ts';
import { topology } from '../../../infra/topology.ts';
import {
  INTERNAL_TO_PUBLIC,
  publicEventId,
  toWebhookEvent,
  WEBHOOK_DATA_SCHEMAS,
  WEBHOOK_EVENT_TYPES,
  webhookEventSchema,
} from '../../../shared/domain/webhooks/events.ts';

const sample = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../events/samples', `${name}.json`), 'utf8')) as {
    id: string;
    'detail-type': string;
    time: string;
    detail: Record<string, unknown>;
  };

/** Every key of every object in a JSON value. */
const keysOf = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.flatMap(keysOf)
    : v && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => [k, ...keysOf(x)])
      : [];

describe('public webhook events', () => {
  it.each(Object.entries(INTERNAL_TO_PUBLIC))('%s → %s: the public shape, nothing internal', (internal, type) => {
    const e = sample(internal);
    const spec = eventCatalogue[internal as keyof typeof eventCatalogue];
    const mapped = toWebhookEvent({ ...e, detail: spec.detail.parse(e.detail) });
    expect(mapped?.companyId).toBe(e.detail.companyId);
    const event = webhookEventSchema.parse(mapped?.event);
    expect(event.type).toBe(type);
    expect(event.createdAt).toBe(new Date(e.time).toISOString());
    // Exactly the documented data (strict: an extra field fails), never the tenant, versions or storage internals.
    WEBHOOK_DATA_SCHEMAS[type].strict().parse(event.data);
    for (const leaked of ['companyId', 'version', 'bucket', 'key', 'confidence', 'engine', 'reservations', 'cardId'])
      expect(keysOf(event.data), leaked).not.toContain(leaked);
  });

  it('maps amounts exactly and keeps sums together', () => {
    const batch = sample('ReimbursementBatchCreated');
    const mapped = toWebhookEvent({
      ...batch,
      detail: {
        ...batch.detail,
        transfers: [
          { expenseId: 'e1', employeeId: 'u1', employeeName: 'A', amount: { amount: '0.10', currency: 'EUR' } },
          { expenseId: 'e2', employeeId: 'u2', employeeName: 'B', amount: { amount: '0.20', currency: 'EUR' } },
          { expenseId: 'e3', employeeId: 'u2', employeeName: 'B', amount: { amount: '1200', currency: 'JPY' } },
        ],
      },
    });
    expect(mapped?.event.data.total).toEqual([
      { amount: '0.30', currency: 'EUR' },
      { amount: '1200', currency: 'JPY' },
    ]);
    const matched = sample('ReceiptMatched');
    const single = toWebhookEvent({ ...matched, detail: { ...matched.detail, group: undefined } });
    expect(single?.event.data).toMatchObject({
      receiptIds: [matched.detail.receiptId],
      transactionIds: [matched.detail.transactionId],
    });
  });

  it('gives a redelivered bus event the same public id; ids sort by event time', () => {
    const e = sample('ExpenseApproved');
    const a = toWebhookEvent(e);
    const b = toWebhookEvent({ ...e });
    expect(a?.event.id).toBe(b?.event.id);
    expect(toWebhookEvent({ ...e, id: 'another' })?.event.id).not.toBe(a?.event.id);
    const earlier = publicEventId('z', new Date('2026-01-01T00:00:00Z'));
    const later = publicEventId('a', new Date('2026-01-01T00:00:01Z'));
    expect(earlier < later).toBe(true);
    expect(earlier).toMatch(/^evt_[0-9a-z]{25}$/);
  });

  it('ignores events that are not exposed', () => {
    expect(toWebhookEvent(sample('ExpenseSubmitted'))).toBeNull();
    expect(toWebhookEvent(sample('CardAuthorizationDecided'))).toBeNull();
  });

  it('the webhook events queue subscribes to exactly the exposed internal events, from their sources', () => {
    const pattern = topology.queues.webhookEvents.subscribe as { source: string[]; 'detail-type': string[] };
    expect([...pattern['detail-type']].sort()).toEqual(Object.keys(INTERNAL_TO_PUBLIC).sort());
    const sources = new Set(
      Object.keys(INTERNAL_TO_PUBLIC).map((n) => eventCatalogue[n as keyof typeof eventCatalogue].source),
    );
    expect([...pattern.source].sort()).toEqual([...sources].sort());
    expect(new Set(Object.values(INTERNAL_TO_PUBLIC))).toEqual(new Set(WEBHOOK_EVENT_TYPES));
  });
});
