import type { z } from 'zod';
import type { CardEvent } from './model.ts';

/** What the verification step knew about the delivery (Lithic's webhook-id) and when it arrived. */
export interface NormalizeContext {
  /** The delivery id from a signed header, preferred over anything in the body. */
  eventId?: string;
  receivedAt: Date;
}

export type NormalizeResult = { ok: true; events: CardEvent[] } | { ok: false; reason: 'malformed'; message: string };

export const malformed = (processor: string, error: z.ZodError | Error): NormalizeResult => ({
  ok: false,
  reason: 'malformed',
  message: `${processor} payload not understood: ${
    'issues' in error
      ? error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')
      : error.message
  }`,
});
