/**
 * Maps an AWS Textract AnalyzeExpense response to the normalized receipt, so the Textract implementation of the
 * Extractor port produces exactly what the built-in engine does. Amount and date strings go through the same locale
 * parsers; Textract's confidences (0–100) become per-field confidences (0–1).
 */
import { dateOrderFor, findDates } from '../../domain/extraction/dates.ts';
import { findCardLast4, findCompanyIds } from '../../domain/extraction/identifiers.ts';
import type { ExtractedReceipt, LineItem } from '../../domain/extraction/model.ts';
import { UNKNOWN_CURRENCY } from '../../domain/extraction/model.ts';
import {
  type AmountToken,
  decimalToMoney,
  decimalToString,
  detectDecimalSeparator,
  findAmounts,
} from '../../domain/extraction/numbers.ts';
import type { Money } from '../../domain/money.ts';

/** The subset of the AnalyzeExpense response shape used here (compatible with @aws-sdk/client-textract). */
export interface ExpenseDetection {
  Text?: string;
  Confidence?: number;
}
export interface ExpenseField {
  Type?: ExpenseDetection;
  LabelDetection?: ExpenseDetection;
  ValueDetection?: ExpenseDetection;
  Currency?: { Code?: string; Confidence?: number };
  GroupProperties?: Array<{ Types?: string[]; Id?: string }>;
}
export interface ExpenseDocument {
  SummaryFields?: ExpenseField[];
  LineItemGroups?: Array<{ LineItems?: Array<{ LineItemExpenseFields?: ExpenseField[] }> }>;
}
export interface AnalyzeExpenseResponse {
  ExpenseDocuments?: ExpenseDocument[];
}

const type = (f: ExpenseField): string => f.Type?.Text ?? '';
const value = (f: ExpenseField): string => (f.ValueDetection?.Text ?? '').replace(/\s+/g, ' ').trim();
const conf = (f: ExpenseField): number => Math.max(0, Math.min(1, (f.ValueDetection?.Confidence ?? 0) / 100));

const best = (fields: ExpenseField[], ...types: string[]): ExpenseField | undefined => {
  for (const t of types) {
    const found = fields.filter((f) => type(f) === t && value(f)).sort((a, b) => conf(b) - conf(a));
    if (found[0]) return found[0];
  }
  return undefined;
};

export interface TextractMapHints {
  country?: string;
  currency?: string;
  now?: Date;
}

/** Maps the first expense document of a response. */
export const mapAnalyzeExpense = (response: AnalyzeExpenseResponse, hints: TextractMapHints = {}): ExtractedReceipt => {
  const doc = response.ExpenseDocuments?.[0];
  const fields = doc?.SummaryFields ?? [];
  const warnings: string[] = [];
  const receipt: ExtractedReceipt = {
    engine: 'textract',
    vendor: {},
    taxes: [],
    lineItems: [],
    confidence: {},
    warnings,
  };
  if (!doc) {
    warnings.push('no expense document in the Textract response');
    return receipt;
  }

  // Currency: Textract's own detection, then symbols in the amounts, then the hints.
  const allValues = fields.map(value);
  const codes = fields.map((f) => f.Currency?.Code).filter((c): c is string => Boolean(c && /^[A-Z]{3}$/.test(c)));
  let currency = codes[0];
  if (!currency) {
    const marks = allValues.flatMap((v) => findAmounts(v).map((t) => t.currency)).filter(Boolean) as string[];
    const mark = marks.find((m) => m !== '$') ?? marks[0];
    if (mark === '$') currency = hints.currency ?? (hints.country === 'CA' ? 'CAD' : 'USD');
    else if (mark) currency = mark;
    else currency = hints.currency;
  }
  if (currency) {
    receipt.currency = currency;
    receipt.confidence.currency = codes.length > 0 ? 0.9 : 0.7;
  }
  const cur = currency ?? UNKNOWN_CURRENCY;
  const decimal = detectDecimalSeparator(allValues, hints.country === 'FR' || currency === 'EUR' ? ',' : '.');
  const lastAmount = (text: string): AmountToken | undefined => {
    const found = findAmounts(text, decimal).filter((t) => t.hasDecimals || t.currency);
    return found[found.length - 1] ?? findAmounts(text, decimal)[0];
  };
  const moneyField = (f: ExpenseField | undefined): Money | undefined => {
    if (!f) return undefined;
    const t = lastAmount(value(f));
    return t ? decimalToMoney(t.value, cur) : undefined;
  };

  const vendorField = best(fields, 'VENDOR_NAME', 'NAME');
  if (vendorField) {
    receipt.vendor.name = value(vendorField);
    receipt.confidence.vendor = conf(vendorField);
  }
  const address = best(fields, 'VENDOR_ADDRESS', 'ADDRESS');
  if (address) receipt.vendor.address = value(address);
  for (const f of fields) {
    const ids = findCompanyIds(`${f.LabelDetection?.Text ?? ''} ${value(f)}`);
    if (ids.vatNumber) receipt.vendor.vatNumber ??= ids.vatNumber;
    if (ids.siret) receipt.vendor.siret ??= ids.siret;
    if (ids.siren) receipt.vendor.siren ??= ids.siren;
  }

  const dateField = best(fields, 'INVOICE_RECEIPT_DATE', 'ORDER_DATE');
  if (dateField) {
    const order = dateOrderFor(hints.country, currency);
    const d = findDates(value(dateField), { order, ...(hints.now ? { now: hints.now } : {}) })[0];
    if (d) {
      receipt.date = d.iso;
      receipt.confidence.date = conf(dateField) * (d.ambiguous ? 0.9 : 1);
    } else {
      warnings.push(`unreadable date "${value(dateField)}"`);
    }
  }

  const totalField = best(fields, 'TOTAL', 'AMOUNT_DUE', 'AMOUNT_PAID');
  const total = moneyField(totalField);
  if (total && totalField) {
    receipt.total = total;
    receipt.confidence.total = conf(totalField) * (type(totalField) === 'TOTAL' ? 1 : 0.85);
  } else {
    warnings.push('no total found');
  }
  const subField = best(fields, 'SUBTOTAL');
  const subtotal = moneyField(subField);
  if (subtotal && subField) {
    receipt.subtotal = subtotal;
    receipt.confidence.subtotal = conf(subField);
  }
  const taxFields = fields.filter((f) => type(f) === 'TAX' && value(f));
  for (const f of taxFields) {
    const amount = moneyField(f);
    if (!amount) continue;
    const rate = /(\d{1,2}(?:[.,]\d{1,3})?)\s?%/.exec(`${f.LabelDetection?.Text ?? ''} ${value(f)}`)?.[1];
    receipt.taxes.push({
      amount,
      ...(rate
        ? {
            rate: decimalToString(
              { units: BigInt(rate.replace(/[.,]/, '')), scale: rate.split(/[.,]/)[1]?.length ?? 0 },
              2,
            ),
          }
        : {}),
    });
    receipt.confidence.taxes = Math.min(receipt.confidence.taxes ?? 1, conf(f));
  }
  const tipField = best(fields, 'GRATUITY', 'TIP');
  const tip = moneyField(tipField);
  if (tip && tipField) {
    receipt.tip = tip;
    receipt.confidence.tip = conf(tipField);
  }
  for (const f of fields) {
    const label = f.LabelDetection?.Text ?? '';
    if (!/CARD|ACCOUNT|CARTE|VISA|MASTER|AMEX|\bCB\b/i.test(`${label} ${value(f)}`)) continue;
    const last4 = findCardLast4(value(f));
    if (last4) {
      receipt.cardLast4 = last4;
      receipt.confidence.cardLast4 = conf(f);
      break;
    }
  }

  for (const group of doc.LineItemGroups ?? []) {
    for (const li of group.LineItems ?? []) {
      const lf = li.LineItemExpenseFields ?? [];
      const item: LineItem = { description: value(best(lf, 'ITEM', 'EXPENSE_ROW') ?? {}) };
      const amount = moneyField(best(lf, 'PRICE'));
      if (amount) item.amount = amount;
      const q = findAmounts(value(best(lf, 'QUANTITY') ?? {}), decimal)[0];
      if (q) item.quantity = decimalToString(q.value);
      const u = lastAmount(value(best(lf, 'UNIT_PRICE') ?? {}));
      if (u) item.unitPrice = decimalToString(u.value);
      if (item.description || item.amount) receipt.lineItems.push(item);
    }
  }
  if (receipt.lineItems.length > 0) {
    const sum = receipt.lineItems.reduce((s, l) => s + (l.amount?.minor ?? 0n), 0n);
    const target = receipt.subtotal?.minor ?? receipt.total?.minor;
    receipt.confidence.lineItems = target !== undefined && sum === target ? 0.9 : 0.5;
  }
  // Consistency: subtotal + taxes = total.
  if (receipt.total && receipt.subtotal && receipt.taxes.length > 0) {
    const taxSum = receipt.taxes.reduce((s, t) => s + t.amount.minor, 0n);
    if (receipt.subtotal.minor + taxSum !== receipt.total.minor && receipt.confidence.total !== undefined) {
      receipt.confidence.total *= 0.8;
      warnings.push('subtotal + taxes does not match the total');
    }
  }
  return receipt;
};
