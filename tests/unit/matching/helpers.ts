import type { MatchReceipt, MatchTransaction } from '../../../shared/domain/matching/index.ts';
import { parseMoney } from '../../../shared/domain/money.ts';

export const receipt = (over: Partial<MatchReceipt> & { totalStr?: string; currency?: string } = {}): MatchReceipt => {
  const { totalStr = '42.00', currency = 'EUR', ...rest } = over;
  return {
    id: 'r1',
    employeeId: 'e1',
    vendor: 'Blue Bottle Coffee',
    date: '2024-05-02',
    total: parseMoney(totalStr, currency),
    cardLast4: null,
    ...rest,
  };
};

export const tx = (
  over: Partial<MatchTransaction> & { amountStr?: string; currency?: string; merchant?: [string, string] } = {},
): MatchTransaction => {
  const { amountStr = '42.00', currency = 'EUR', merchant, ...rest } = over;
  return {
    id: 't1',
    employeeId: 'e1',
    merchantName: 'SQ *BLUE BOTTLE COFFEE',
    mcc: '5814',
    amount: parseMoney(amountStr, currency),
    merchantAmount: merchant ? parseMoney(merchant[0], merchant[1]) : null,
    authorizedAt: '2024-05-02T15:00:00Z',
    postedAt: '2024-05-04T08:00:00Z',
    cardLast4: '4242',
    ...rest,
  };
};
