import type { Expense, ExpenseCategory as ExpenseKind } from '../expenses/expense.ts';
import { compareMoney, type Money, parseMoney, subtractMoney } from '../money.ts';
import type { ApprovedExpense } from './build-entry.ts';
import type { ExpenseCategory } from './chart.ts';

/** The expense taxonomy employees see → the ledger's booking categories (each has its PCG account). */
const LEDGER_CATEGORY: Record<ExpenseKind, ExpenseCategory> = {
  meals: 'meal',
  hotel: 'lodging',
  'air-travel': 'transport',
  train: 'transport',
  taxi: 'transport',
  'car-rental': 'vehicle-costs',
  'public-transport': 'transport',
  fuel: 'fuel',
  'parking-tolls': 'vehicle-costs',
  mileage: 'transport',
  'per-diem': 'other',
  'office-supplies': 'office-supplies',
  software: 'other',
  hardware: 'office-supplies',
  telecom: 'telecom',
  'books-training': 'seminar',
  gifts: 'gift',
  other: 'other',
};

/** Up to this amount excluding VAT a simplified invoice (a till receipt showing the VAT) is enough to deduct. */
const SIMPLIFIED_INVOICE_MAX = parseMoney('150.00', 'EUR');

/**
 * What the ledger needs of an approved expense: its lines with the VAT as printed, the evidence (a simplified
 * invoice up to 150 € HT counts; above, only a full invoice), and the piece the FEC's PieceRef leads to (the
 * receipt, whose document SHA-256 the API returns).
 */
export const approvedExpenseFor = (
  expense: Expense,
  input: { employeeName: string; receipt: { id: string; sha256: string } | null; cardProgramme: string | null },
): ApprovedExpense => {
  const currency = expense.amount.currency;
  const vatLines = (expense.vat?.lines ?? []).flatMap((l) => {
    try {
      return [
        {
          rate: l.rate ?? '0',
          amount: parseMoney(l.amount, currency),
          ...(l.base ? { base: parseMoney(l.base, currency) } : {}),
        },
      ];
    } catch {
      return [];
    }
  });
  const vatTotal = vatLines.reduce<Money>((s, l) => ({ minor: s.minor + l.amount.minor, currency }), {
    minor: 0n,
    currency,
  });
  const exclVat = subtractMoney(expense.amount, vatTotal);
  const simplifiedOk = currency === 'EUR' && compareMoney(exclVat, SIMPLIFIED_INVOICE_MAX) <= 0;
  return {
    companyId: expense.companyId,
    entityId: expense.entityId,
    expenseId: expense.id,
    kind: expense.type === 'card' ? 'card' : 'out-of-pocket',
    cardProgramme: input.cardProgramme,
    employee: { id: expense.employeeId, name: input.employeeName },
    label: expense.merchant?.name ?? expense.description ?? expense.id,
    bookingDate: expense.spentOn,
    currency,
    lines: [
      {
        category: LEDGER_CATEGORY[expense.category?.category ?? 'other'],
        amount: expense.amount,
        vat: vatLines.filter((l) => l.rate !== '0'),
      },
    ],
    evidence: {
      invoice: vatLines.length > 0 && (expense.vat?.documentType === 'invoice' || simplifiedOk),
      inCompanyName: expense.vat?.documentType === 'invoice' || simplifiedOk,
      vatCountry: 'FR',
    },
    piece: {
      ref: input.receipt?.id ?? expense.id,
      kind: input.receipt ? 'receipt' : 'expense',
      date: expense.spentOn,
      documentSha256: input.receipt?.sha256 ?? null,
    },
    conversion: null,
  };
};
