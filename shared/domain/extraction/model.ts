/**
 * The normalized receipt: one shape whatever the engine (e-invoice XML, PDF text, OCR, Textract).
 * Inside: Money (bigint minor units). On the wire: decimal strings, validated by the zod schema below.
 */
import { z } from 'zod';
import { formatMoney, type Money, parseMoney } from '../money.ts';

export const EXTRACTION_ENGINES = [
  'facturx',
  'ubl',
  'cii',
  'pdf-text',
  'ocr',
  'ocr-lines',
  'html',
  'textract',
] as const;
export type ExtractionEngine = (typeof EXTRACTION_ENGINES)[number];

export const CONFIDENCE_FIELDS = [
  'vendor',
  'date',
  'currency',
  'total',
  'subtotal',
  'taxes',
  'tip',
  'cardLast4',
  'lineItems',
] as const;
export type ConfidenceField = (typeof CONFIDENCE_FIELDS)[number];
export type Confidence = Partial<Record<ConfidenceField, number>>;

export interface VendorInfo {
  name?: string;
  vatNumber?: string;
  siren?: string;
  siret?: string;
  address?: string;
}

export interface TaxLine {
  /** Percent as a decimal string with 2 decimals ("20.00", "5.50"); absent when not printed. */
  rate?: string;
  base?: Money;
  amount: Money;
}

export interface LineItem {
  description: string;
  /** Decimal string ("2", "1.5"). */
  quantity?: string;
  /** Decimal string, may carry more decimals than the currency (fuel: "1.859"). */
  unitPrice?: string;
  amount?: Money;
  taxRate?: string;
}

export interface ExtractedReceipt {
  engine: ExtractionEngine;
  documentType?: 'receipt' | 'invoice' | 'credit-note';
  documentNumber?: string;
  vendor: VendorInfo;
  /** Merchant's local date as printed, YYYY-MM-DD. */
  date?: string;
  /** ISO 4217; absent when nothing on the document says it. Amounts then carry "XXX". */
  currency?: string;
  total?: Money;
  subtotal?: Money;
  taxes: TaxLine[];
  tip?: Money;
  cardLast4?: string;
  lineItems: LineItem[];
  confidence: Confidence;
  /** Human-readable reasons for low confidence (inconsistent totals, missing fields…). */
  warnings: string[];
}

/** ISO 4217 "no currency": used for amounts whose currency the document does not show. */
export const UNKNOWN_CURRENCY = 'XXX';

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);
const confidence = z.number().min(0).max(1);

export const receiptJsonSchema = z.object({
  engine: z.enum(EXTRACTION_ENGINES),
  documentType: z.enum(['receipt', 'invoice', 'credit-note']).optional(),
  documentNumber: z.string().optional(),
  vendor: z.string().optional(),
  vendorVatNumber: z.string().optional(),
  vendorSiren: z.string().optional(),
  vendorSiret: z.string().optional(),
  vendorAddress: z.string().optional(),
  date: z.iso.date().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  total: decimalString.optional(),
  subtotal: decimalString.optional(),
  taxes: z.array(z.object({ rate: decimalString.optional(), base: decimalString.optional(), amount: decimalString })),
  tip: decimalString.optional(),
  cardLast4: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
  lineItems: z.array(
    z.object({
      description: z.string(),
      quantity: decimalString.optional(),
      unitPrice: decimalString.optional(),
      amount: decimalString.optional(),
      taxRate: decimalString.optional(),
    }),
  ),
  confidence: z.partialRecord(z.enum(CONFIDENCE_FIELDS), confidence),
  warnings: z.array(z.string()),
});
export type ReceiptJson = z.infer<typeof receiptJsonSchema>;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The wire form (decimal strings, flat vendor fields), key order stable for the CLI. */
export const receiptToJson = (r: ExtractedReceipt): ReceiptJson => {
  const out: ReceiptJson = { engine: r.engine, taxes: [], lineItems: [], confidence: {}, warnings: r.warnings };
  if (r.documentType) out.documentType = r.documentType;
  if (r.documentNumber) out.documentNumber = r.documentNumber;
  if (r.vendor.name) out.vendor = r.vendor.name;
  if (r.vendor.vatNumber) out.vendorVatNumber = r.vendor.vatNumber;
  if (r.vendor.siren) out.vendorSiren = r.vendor.siren;
  if (r.vendor.siret) out.vendorSiret = r.vendor.siret;
  if (r.vendor.address) out.vendorAddress = r.vendor.address;
  if (r.date) out.date = r.date;
  if (r.currency) out.currency = r.currency;
  if (r.total) out.total = formatMoney(r.total);
  if (r.subtotal) out.subtotal = formatMoney(r.subtotal);
  out.taxes = r.taxes.map((t) => ({
    ...(t.rate !== undefined ? { rate: t.rate } : {}),
    ...(t.base ? { base: formatMoney(t.base) } : {}),
    amount: formatMoney(t.amount),
  }));
  if (r.tip) out.tip = formatMoney(r.tip);
  if (r.cardLast4) out.cardLast4 = r.cardLast4;
  out.lineItems = r.lineItems.map((li) => ({
    description: li.description,
    ...(li.quantity !== undefined ? { quantity: li.quantity } : {}),
    ...(li.unitPrice !== undefined ? { unitPrice: li.unitPrice } : {}),
    ...(li.amount ? { amount: formatMoney(li.amount) } : {}),
    ...(li.taxRate !== undefined ? { taxRate: li.taxRate } : {}),
  }));
  for (const k of CONFIDENCE_FIELDS) {
    const c = r.confidence[k];
    if (c !== undefined) out.confidence[k] = round2(c);
  }
  // Re-order so that the "headline" keys come first (taxes/lineItems/confidence after the scalars).
  const { taxes, lineItems, confidence: conf, warnings, ...head } = out;
  return { ...head, taxes, lineItems, confidence: conf, warnings };
};

/** Reads the wire form back into Money (validating it). */
export const receiptFromJson = (json: unknown): ExtractedReceipt => {
  const j = receiptJsonSchema.parse(json);
  const cur = j.currency ?? UNKNOWN_CURRENCY;
  const m = (s: string | undefined): Money | undefined => (s === undefined ? undefined : parseMoney(s, cur));
  const vendor: VendorInfo = {};
  if (j.vendor) vendor.name = j.vendor;
  if (j.vendorVatNumber) vendor.vatNumber = j.vendorVatNumber;
  if (j.vendorSiren) vendor.siren = j.vendorSiren;
  if (j.vendorSiret) vendor.siret = j.vendorSiret;
  if (j.vendorAddress) vendor.address = j.vendorAddress;
  const r: ExtractedReceipt = {
    engine: j.engine,
    vendor,
    taxes: j.taxes.map((t) => ({
      ...(t.rate !== undefined ? { rate: t.rate } : {}),
      ...(t.base !== undefined ? { base: parseMoney(t.base, cur) } : {}),
      amount: parseMoney(t.amount, cur),
    })),
    lineItems: j.lineItems.map((li) => ({
      description: li.description,
      ...(li.quantity !== undefined ? { quantity: li.quantity } : {}),
      ...(li.unitPrice !== undefined ? { unitPrice: li.unitPrice } : {}),
      ...(li.amount !== undefined ? { amount: parseMoney(li.amount, cur) } : {}),
      ...(li.taxRate !== undefined ? { taxRate: li.taxRate } : {}),
    })),
    confidence: j.confidence,
    warnings: j.warnings,
  };
  if (j.documentType) r.documentType = j.documentType;
  if (j.documentNumber) r.documentNumber = j.documentNumber;
  if (j.date) r.date = j.date;
  if (j.currency) r.currency = j.currency;
  const total = m(j.total);
  if (total) r.total = total;
  const subtotal = m(j.subtotal);
  if (subtotal) r.subtotal = subtotal;
  const tip = m(j.tip);
  if (tip) r.tip = tip;
  if (j.cardLast4) r.cardLast4 = j.cardLast4;
  return r;
};
