import type { z } from 'zod';
import { cardEvents } from './cards.ts';
import { expenseEvents } from './expenses.ts';
import { ledgerEvents } from './ledger.ts';
import { matchingEvents } from './matching.ts';
import { receiptEvents } from './receipts.ts';

/** The catalogue of Quittance's own events: detail-type → { source, detail schema }. */
export const eventCatalogue = {
  ...receiptEvents,
  ...cardEvents,
  ...matchingEvents,
  ...expenseEvents,
  ...ledgerEvents,
} as const;

export type EventName = keyof typeof eventCatalogue;
export type EventDetail<N extends EventName> = z.infer<(typeof eventCatalogue)[N]['detail']>;
