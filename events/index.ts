import type { z } from 'zod';
import { receiptEvents } from './receipts.ts';

/** The catalogue of Quittance's own events: detail-type → { source, detail schema }. */
export const eventCatalogue = { ...receiptEvents } as const;

export type EventName = keyof typeof eventCatalogue;
export type EventDetail<N extends EventName> = z.infer<(typeof eventCatalogue)[N]['detail']>;
