import type {
  CardAuthorizationDecidedDetail,
  CardAuthorizationEndedDetail,
  CardTransactionPostedDetail,
} from '../../../events/cards.ts';
import type { AggregateIncrement } from '../ledger/aggregates.ts';
import { parseMoney } from '../money.ts';

/** The Monday (UTC) of the ISO week of an instant, as YYYY-MM-DD. */
export const weekOf = (iso: string): string => {
  const d = new Date(iso);
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
  return monday.toISOString().slice(0, 10);
};

export type CashOutSource =
  | { type: 'CardAuthorizationDecided'; detail: CardAuthorizationDecidedDetail }
  | { type: 'CardTransactionPosted'; detail: CardTransactionPostedDetail }
  | { type: 'CardAuthorizationEnded'; detail: CardAuthorizationEndedDetail };

/**
 * What card activity adds to the cash-out report, per week: approved authorizations (money about to leave) and
 * posted transactions (captures positive, refunds negative), in minor units of the card currency. Declined
 * authorizations add nothing; an approved one that ends unused (reversed, expired, never captured) is taken back
 * from the week it was approved in. Counted once per source (`cashOutSourceId`) by the aggregate store.
 */
export const cashOutIncrements = (e: CashOutSource): AggregateIncrement[] => {
  if (e.type === 'CardAuthorizationEnded') {
    const approved = e.detail.approved;
    if (!approved) return [];
    const week = weekOf(approved.decidedAt);
    const { minor } = parseMoney(approved.amount.amount, approved.amount.currency);
    const amountMinor = -minor;
    return [
      {
        month: week.slice(0, 7),
        dimension: 'cash-out-authorized',
        key: week,
        label: approved.amount.currency,
        amountMinor,
      },
    ];
  }
  const [at, dimension] =
    e.type === 'CardAuthorizationDecided'
      ? ([e.detail.decidedAt, 'cash-out-authorized'] as const)
      : ([e.detail.postedAt, 'cash-out-captured'] as const);
  if (e.type === 'CardAuthorizationDecided' && !e.detail.approved) return [];
  const week = weekOf(at);
  const { minor } = parseMoney(e.detail.amount.amount, e.detail.amount.currency);
  return [{ month: week.slice(0, 7), dimension, key: week, label: e.detail.amount.currency, amountMinor: minor }];
};

/** The idempotency key of a source: one event may end several authorizations, each taken back once. */
export const cashOutSourceId = (e: CashOutSource): string =>
  e.type === 'CardAuthorizationEnded'
    ? `${e.type}#${e.detail.processor}#${e.detail.eventId}#${e.detail.authorizationId}`
    : `${e.type}#${e.detail.processor}#${e.detail.eventId}`;
