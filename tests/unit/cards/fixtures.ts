import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const data = join(import.meta.dirname, '../../../../shared/data/card-webhooks');
const local = join(import.meta.dirname, '../../fixtures/cards');

/** A processor's published payload from ../shared/data/card-webhooks, parsed and cloned for the test to change. */
export const sharedFixture = <T = Record<string, unknown>>(path: string): T =>
  structuredClone(JSON.parse(readFileSync(join(data, path), 'utf8')) as T);

export const localFixture = <T = Record<string, unknown>>(path: string): T =>
  structuredClone(JSON.parse(readFileSync(join(local, path), 'utf8')) as T);

/** Stripe's event envelope (stripe/event.json) around another Stripe object, as a webhook delivers it. */
export const stripeEvent = (type: string, object: unknown, id = 'evt_test_1', created = 1234567890) => ({
  ...sharedFixture('stripe/event.json'),
  id,
  type,
  created,
  data: { object },
});
