import type { CardAuthorizationDecidedDetail } from '../../../events/cards.ts';
import type { OnlineTransaction } from '../../ports/match-store.ts';
import { parseMoney } from '../money.ts';
import { authorizationSlotId } from './online.ts';

/**
 * The receipt slot of an approved authorization on an assigned card: a candidate a receipt may take before the
 * capture (it follows to the capture). Null when there is nothing to hold a receipt for.
 */
export const slotFromAuthorization = (a: CardAuthorizationDecidedDetail): OnlineTransaction | null =>
  a.approved && a.employeeId
    ? {
        companyId: a.companyId,
        id: authorizationSlotId(a.processor, a.authorizationId),
        employeeId: a.employeeId,
        merchantName: a.merchant.name,
        mcc: a.merchant.mcc ?? '',
        amount: parseMoney(a.amount.amount, a.amount.currency),
        merchantAmount: parseMoney(a.merchantAmount.amount, a.merchantAmount.currency),
        authorizedAt: a.requestedAt,
        postedAt: null,
        cardLast4: a.cardLast4,
        receiptId: null,
        pending: true,
        authorizationId: a.authorizationId,
      }
    : null;
