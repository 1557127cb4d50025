import { z } from 'zod';

/** The EventBridge envelope, as Lambda receives it from a rule (in AWS and from the local bus). */
export const eventBridgeEnvelope = <T extends string, D extends z.ZodType>(detailType: T, detail: D) =>
  z.object({
    version: z.string(),
    id: z.string(),
    'detail-type': z.literal(detailType),
    source: z.string(),
    account: z.string(),
    time: z.string(),
    region: z.string(),
    resources: z.array(z.string()),
    detail,
  });

/** Event sources of Quittance's own events (`<app>.<domain>`). */
export const EVENT_SOURCES = {
  receipts: 'quittance.receipts',
  cards: 'quittance.cards',
  matching: 'quittance.matching',
  expenses: 'quittance.expenses',
  ledger: 'quittance.ledger',
} as const;
