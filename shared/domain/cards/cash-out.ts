import type { CardAuthorizationDecidedDetail, CardTransactionPostedDetail } from '../../../events/cards.ts';
import type { AggregateIncrement } from '../ledger/aggregates.ts';
import { parseMoney } from '../money.ts';

/** The Monday (UTC) of the ISO week of an instant, as YYYY-MM-DD. */
export const weekOf = (iso: string): string => {
  const d = new Date(iso);
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
  return monday.toISOString().slice(0, 10);
};

/**
 * What card activity adds to the cash-out report, per week: approved authorizations (money about to leave) and
 * posted transactions (captures positive, refunds negative), in minor units of the card currency. Declined
 * authorizations add nothing. Counted once per event by the aggregate store.
 */
export const cashOutIncrements = (
  e:
    | { type: 'CardAuthorizationDecided'; detail: CardAuthorizationDecidedDetail }
    | { type: 'CardTransactionPosted'; detail: CardTransactionPostedDetail },
): AggregateIncrement[] => {
  const [at, dimension] =
    e.type === 'CardAuthorizationDecided'
      ? ([e.detail.decidedAt, 'cash-out-authorized'] as const)
      : ([e.detail.postedAt, 'cash-out-captured'] as const);
  if (e.type === 'CardAuthorizationDecided' && !e.detail.approved) return [];
  const week = weekOf(at);
  const { minor } = parseMoney(e.detail.amount.amount, e.detail.amount.currency);
  return [{ month: week.slice(0, 7), dimension, key: week, label: e.detail.amount.currency, amountMinor: minor }];
};
