/**
 * Pure mapping of an AWS Textract AnalyzeExpense / GetExpenseAnalysis response to the normalized receipt
 * (the same ExtractedReceipt the built-in engine produces). No I/O, no SDK client: only the response types.
 *
 * - Several ExpenseDocuments: the first with a TOTAL is the receipt; the others are reported in warnings.
 * - SummaryFields by Type.Text; duplicates (Textract often returns the same value twice) are folded.
 * - Amounts through the domain's locale-aware parser; currency from Textract's Currency.Code, then the printed marks.
 * - Dates day-first or month-first from the document's currency, then the company's country/currency hints.
 * - Confidence: min(Type, Value) / 100 per field, lowered by inconsistencies (which also become warnings).
 * - No total on the document: the sum of the line items, only when every line is readable and consistent, with a
 *   low confidence and a warning.
 */
import type { ExpenseDocument, ExpenseField, GetExpenseAnalysisResponse } from '@aws-sdk/client-textract';
import { type DateOrder, dateOrderFor, findDates } from '../../domain/extraction/dates.ts';
import { findCardLast4, findCompanyIds, isValidSiren, isValidSiret } from '../../domain/extraction/identifiers.ts';
import { type ExtractedReceipt, type LineItem, type TaxLine, UNKNOWN_CURRENCY } from '../../domain/extraction/model.ts';
import {
  type DecimalSeparator,
  type DecimalValue,
  decimalToMoney,
  decimalToString,
  detectDecimalSeparator,
} from '../../domain/extraction/numbers.ts';
import { currencyExponent, divideRounded, formatMoney, type Money } from '../../domain/money.ts';
import { parseTextractAmount, parseTextractQuantity } from './textract-amounts.ts';

/** What the mapper reads from a response: AnalyzeExpense output, or GetExpenseAnalysis pages merged. */
export interface ExpenseResponse {
  ExpenseDocuments?: ExpenseDocument[] | undefined;
  DocumentMetadata?: { Pages?: number | undefined } | undefined;
  Warnings?: GetExpenseAnalysisResponse['Warnings'];
}

export interface TextractMapOptions {
  /** The company's country (ISO 3166 alpha-2): date order when the document does not tell. */
  country?: string;
  /** The company's currency: only used to name a bare "$" (never forced onto a document that shows nothing). */
  currency?: string;
  /** Reference date for date plausibility. Default: now. */
  now?: Date;
}

export type TextractMapResult =
  | { ok: true; receipt: ExtractedReceipt }
  | { ok: false; code: 'not-a-receipt'; error: string; engine: 'textract' };

const DOLLAR_CURRENCIES = new Set(['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD', 'MXN', 'TWD']);
const COMMA_DECIMAL_CURRENCIES = new Set(['EUR', 'CHF', 'BRL', 'ARS', 'DKK', 'NOK', 'SEK', 'PLN', 'CZK', 'TRY', 'IDR']);
const DOT_DECIMAL_COUNTRIES = new Set(['US', 'GB', 'IE', 'CA', 'AU', 'NZ', 'MY', 'SG', 'PH', 'JP', 'CN', 'IN', 'MX']);

const type = (f: ExpenseField): string => (f.Type?.Text ?? '').toUpperCase();
const text = (f: ExpenseField | undefined): string => (f?.ValueDetection?.Text ?? '').trim();
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
const label = (f: ExpenseField): string => oneLine(f.LabelDetection?.Text ?? '');
const clamp01 = (n: number): number => Math.max(0, Math.min(1, n));
/** Textract's 0–100 → 0–1: the weaker of "this is a TOTAL" and "the value reads so". */
export const fieldConfidence = (f: ExpenseField): number => {
  const c = [f.Type?.Confidence, f.ValueDetection?.Confidence].filter((x): x is number => typeof x === 'number');
  return c.length === 0 ? 0.5 : clamp01(Math.min(...c) / 100);
};
const hasGroup = (f: ExpenseField, group: string): boolean =>
  (f.GroupProperties ?? []).some((g) => (g.Types ?? []).some((t) => t.toUpperCase() === group));

/** Fields of the given types with a value, best confidence first, stable on ties (document order). */
const candidates = (fields: readonly ExpenseField[], types: readonly string[], where?: (f: ExpenseField) => boolean) =>
  fields
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => types.includes(type(f)) && text(f) && (!where || where(f)))
    .sort((a, b) => fieldConfidence(b.f) - fieldConfidence(a.f) || a.i - b.i)
    .map(({ f }) => f);

const round2 = (n: number): number => Math.round(n * 1000) / 1000;

const isSummaryTotal = (f: ExpenseField): boolean => type(f) === 'TOTAL' && Boolean(text(f));

/** Chooses the receipt among several ExpenseDocuments: the first with a TOTAL, else the one with most content. */
export const chooseMainDocument = (docs: readonly ExpenseDocument[]): { main: number; others: number[] } => {
  const score = (d: ExpenseDocument): number =>
    (d.SummaryFields ?? []).filter((f) => text(f)).length +
    (d.LineItemGroups ?? []).reduce((s, g) => s + (g.LineItems?.length ?? 0), 0);
  let main = docs.findIndex((d) => (d.SummaryFields ?? []).some(isSummaryTotal));
  if (main < 0) {
    main = 0;
    docs.forEach((d, i) => {
      if (score(d) > score(docs[main] ?? {})) main = i;
    });
  }
  return { main, others: docs.map((_, i) => i).filter((i) => i !== main && score(docs[i] ?? {}) > 0) };
};

/**
 * Merges GetExpenseAnalysis pages (NextToken) into one response: documents with the same ExpenseIndex (a document
 * split across result pages) have their fields, line item groups and blocks concatenated, in order.
 */
export const mergeExpensePages = (pages: readonly ExpenseResponse[]): ExpenseResponse => {
  const byIndex = new Map<number | string, ExpenseDocument>();
  const order: Array<number | string> = [];
  let n = 0;
  for (const page of pages) {
    for (const doc of page.ExpenseDocuments ?? []) {
      const key = doc.ExpenseIndex ?? `anon-${n++}`;
      const prev = byIndex.get(key);
      if (!prev) {
        byIndex.set(key, {
          ...doc,
          SummaryFields: [...(doc.SummaryFields ?? [])],
          LineItemGroups: [...(doc.LineItemGroups ?? [])],
          Blocks: [...(doc.Blocks ?? [])],
        });
        order.push(key);
        continue;
      }
      prev.SummaryFields?.push(...(doc.SummaryFields ?? []));
      prev.LineItemGroups?.push(...(doc.LineItemGroups ?? []));
      prev.Blocks?.push(...(doc.Blocks ?? []));
    }
  }
  const pagesMeta = pages.find((p) => p.DocumentMetadata?.Pages !== undefined)?.DocumentMetadata;
  const warnings = pages.flatMap((p) => p.Warnings ?? []);
  return {
    ExpenseDocuments: order.map((k) => byIndex.get(k) as ExpenseDocument),
    ...(pagesMeta ? { DocumentMetadata: pagesMeta } : {}),
    ...(warnings.length > 0 ? { Warnings: warnings } : {}),
  };
};

interface Context {
  currency: string;
  decimal: DecimalSeparator;
  warnings: string[];
}

const readMoney = (f: ExpenseField | undefined, ctx: Context): Money | undefined => {
  if (!f) return undefined;
  const parsed = parseTextractAmount(text(f), ctx.decimal);
  if (!parsed) return undefined;
  const m = decimalToMoney(parsed.value, ctx.currency);
  if (!m) ctx.warnings.push(`${type(f)} "${oneLine(text(f))}" has more decimals than ${ctx.currency} allows`);
  return m;
};

/** The first field of the given types (in priority order) whose value reads as an amount. */
const firstMoney = (
  fields: readonly ExpenseField[],
  types: readonly string[],
  ctx: Context,
): { field: ExpenseField; money: Money } | undefined => {
  for (const t of types) {
    for (const f of candidates(fields, [t])) {
      const money = readMoney(f, ctx);
      if (money) return { field: f, money };
      ctx.warnings.push(`unreadable ${t} "${oneLine(text(f))}"`);
    }
  }
  return undefined;
};

const allFields = (doc: ExpenseDocument): ExpenseField[] => [
  ...(doc.SummaryFields ?? []),
  ...(doc.LineItemGroups ?? []).flatMap((g) => (g.LineItems ?? []).flatMap((li) => li.LineItemExpenseFields ?? [])),
];
/** Fields whose value is an amount (not a description, a phone number or a code). */
const isAmountField = (f: ExpenseField): boolean =>
  /TOTAL|SUBTOTAL|TAX|AMOUNT|PRICE|GRATUITY|TIP|DISCOUNT|FEE|CHARGE/.test(type(f)) && type(f) !== 'TAX_PAYER_ID';

/** Currency: Textract's Currency.Code (majority), then marks printed in the amounts. */
const detectCurrency = (
  doc: ExpenseDocument,
  options: TextractMapOptions,
  warnings: string[],
): { currency?: string; confidence?: number } => {
  const all = allFields(doc);
  const votes = new Map<string, number>();
  for (const f of all) {
    const code = f.Currency?.Code?.toUpperCase();
    if (code && /^[A-Z]{3}$/.test(code)) votes.set(code, (votes.get(code) ?? 0) + 1);
  }
  const byVotes = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  if (byVotes[0]) {
    if (byVotes.length > 1) warnings.push(`several currencies on the document: ${byVotes.map(([c]) => c).join(', ')}`);
    const codeConf = all.find((f) => f.Currency?.Code?.toUpperCase() === byVotes[0]?.[0])?.Currency?.Confidence;
    return { currency: byVotes[0][0], confidence: clamp01((codeConf ?? 90) / 100) };
  }
  const marks = new Map<string, number>();
  for (const f of all.filter(isAmountField)) {
    const c = parseTextractAmount(text(f))?.currency;
    if (c) marks.set(c, (marks.get(c) ?? 0) + 1);
  }
  const named = [...marks.entries()].filter(([c]) => c !== '$').sort((a, b) => b[1] - a[1]);
  if (named[0]) return { currency: named[0][0], confidence: 0.8 };
  if (marks.has('$')) {
    const hint = options.currency?.toUpperCase();
    if (hint && DOLLAR_CURRENCIES.has(hint)) return { currency: hint, confidence: 0.7 };
    if (options.country?.toUpperCase() === 'CA') return { currency: 'CAD', confidence: 0.6 };
    warnings.push('a bare "$" on the document, read as USD');
    return { currency: 'USD', confidence: 0.6 };
  }
  return {};
};

const dateOrder = (docCurrency: string | undefined, options: TextractMapOptions): DateOrder =>
  // The merchant's currency says more about how it prints dates than the employee's company does.
  docCurrency ? dateOrderFor(undefined, docCurrency) : dateOrderFor(options.country, options.currency);

const normalizeId = (s: string): string => s.toUpperCase().replace(/[\s.\-/]/g, '');

const mapVendor = (fields: readonly ExpenseField[], receipt: ExtractedReceipt): void => {
  const isVendorName = (f: ExpenseField): boolean =>
    type(f) === 'VENDOR_NAME' || (type(f) === 'NAME' && hasGroup(f, 'VENDOR'));
  const names = candidates(fields, ['VENDOR_NAME', 'NAME'], isVendorName);
  const first = names[0];
  if (first) {
    receipt.vendor.name = oneLine(text(first));
    receipt.confidence.vendor = fieldConfidence(first);
    const others = [...new Set(names.map((f) => oneLine(text(f))))].filter((n) => n !== receipt.vendor.name);
    if (others.length > 0) {
      receipt.warnings.push(
        `several vendor names: "${receipt.vendor.name}" kept, also ${others.map((o) => `"${o}"`).join(', ')}`,
      );
    }
  }
  const address =
    candidates(fields, ['VENDOR_ADDRESS'])[0] ??
    candidates(fields, ['ADDRESS'], (f) => hasGroup(f, 'VENDOR'))[0] ??
    candidates(fields, ['ADDRESS'], (f) => !hasGroup(f, 'RECEIVER') && !hasGroup(f, 'RECEIVER_BILL_TO'))[0];
  if (address) {
    receipt.vendor.address = text(address)
      .split(/\s*\n\s*/)
      .filter(Boolean)
      .join(', ');
  }
  for (const f of candidates(fields, ['VENDOR_VAT_NUMBER', 'TAX_PAYER_ID'])) {
    const raw = normalizeId(text(f));
    const ids = findCompanyIds(text(f));
    if (ids.vatNumber) receipt.vendor.vatNumber ??= ids.vatNumber;
    if (ids.siret) receipt.vendor.siret ??= ids.siret;
    if (ids.siren) receipt.vendor.siren ??= ids.siren;
    if (isValidSiret(raw)) {
      receipt.vendor.siret ??= raw;
      receipt.vendor.siren ??= raw.slice(0, 9);
    } else if (isValidSiren(raw)) receipt.vendor.siren ??= raw;
    else if (type(f) === 'VENDOR_VAT_NUMBER' || /^[A-Z]{2}[0-9A-Z]{2,13}$/.test(raw)) receipt.vendor.vatNumber ??= raw;
  }
  // Identifiers printed with a label Textract files as OTHER ("SIRET", "TVA intracom.").
  for (const f of fields) {
    if (type(f) !== 'OTHER') continue;
    const ids = findCompanyIds(`${label(f)} ${text(f)}`);
    if (ids.vatNumber) receipt.vendor.vatNumber ??= ids.vatNumber;
    if (ids.siret) receipt.vendor.siret ??= ids.siret;
    if (ids.siren) receipt.vendor.siren ??= ids.siren;
  }
};

const mapDate = (fields: readonly ExpenseField[], receipt: ExtractedReceipt, order: DateOrder, now?: Date): void => {
  for (const [types, factor] of [
    [['INVOICE_RECEIPT_DATE'], 1],
    [['ORDER_DATE'], 0.8],
  ] as const) {
    const found = candidates(fields, types);
    for (const f of found) {
      const d = findDates(oneLine(text(f)), { order, ...(now ? { now } : {}) })[0];
      if (!d) {
        receipt.warnings.push(`unreadable date "${oneLine(text(f))}"`);
        continue;
      }
      receipt.date = d.iso;
      receipt.confidence.date = fieldConfidence(f) * factor * d.confidence;
      const others = new Set(
        found
          .map((g) => findDates(oneLine(text(g)), { order, ...(now ? { now } : {}) })[0]?.iso)
          .filter((iso): iso is string => Boolean(iso) && iso !== d.iso),
      );
      if (others.size > 0) {
        receipt.warnings.push(`several dates: ${d.iso} kept, also ${[...others].join(', ')}`);
        receipt.confidence.date *= 0.8;
      }
      if (d.ambiguous) receipt.warnings.push(`ambiguous date "${d.text}" read as ${d.iso} (${order})`);
      return;
    }
  }
};

const mapCard = (fields: readonly ExpenseField[], receipt: ExtractedReceipt): void => {
  for (const f of fields) {
    const t = type(f);
    const context = `${label(f)} ${oneLine(text(f))}`;
    if (t !== 'OTHER' && t !== 'PAYMENT_TYPE' && t !== 'ACCOUNT_NUMBER') continue;
    if (!/CARD|ACCOUNT|CARTE|VISA|MASTER|AMEX|\bCB\b|[*Xx•]{4}/i.test(context)) continue;
    const last4 = findCardLast4(oneLine(text(f))) ?? findCardLast4(context);
    if (last4) {
      receipt.cardLast4 = last4;
      receipt.confidence.cardLast4 = fieldConfidence(f);
      return;
    }
  }
};

const mapTaxes = (fields: readonly ExpenseField[], receipt: ExtractedReceipt, ctx: Context): void => {
  const seen = new Set<string>();
  for (const f of candidates(fields, ['TAX'])) {
    const amount = readMoney(f, ctx);
    if (!amount) {
      ctx.warnings.push(`unreadable TAX "${oneLine(text(f))}"`);
      continue;
    }
    const rateMatch = /(\d{1,2}(?:[.,]\d{1,3})?)\s?%/.exec(`${label(f)} ${text(f)}`)?.[1];
    const rate = rateMatch
      ? decimalToString(
          { units: BigInt(rateMatch.replace(/[.,]/, '')), scale: rateMatch.split(/[.,]/)[1]?.length ?? 0 },
          2,
        )
      : undefined;
    // The same tax twice (same label, rate and amount) is one Textract duplicate, not two taxes.
    const key = `${label(f)}|${rate ?? ''}|${amount.minor}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line: TaxLine = { amount, ...(rate ? { rate } : {}) };
    receipt.taxes.push(line);
    receipt.confidence.taxes = Math.min(receipt.confidence.taxes ?? 1, fieldConfidence(f));
  }
};

const exactProduct = (q: DecimalValue, u: DecimalValue, currency: string): bigint => {
  // q × u in minor units of the currency, rounded half-even (0.5 cent on fuel is printed rounded).
  const units = q.units * u.units;
  const scale = q.scale + u.scale;
  const exp = currencyExponent(currency);
  if (scale <= exp) return units * 10n ** BigInt(exp - scale);
  return divideRounded(units, 10n ** BigInt(scale - exp));
};

interface LineAnalysis {
  items: LineItem[];
  /** Reasons the lines cannot be trusted to add up to the total. */
  problems: string[];
  confidence?: number;
}

const mapLineItems = (doc: ExpenseDocument, ctx: Context): LineAnalysis => {
  const items: LineItem[] = [];
  const problems: string[] = [];
  const confidences: number[] = [];
  for (const group of doc.LineItemGroups ?? []) {
    for (const li of group.LineItems ?? []) {
      const lf = li.LineItemExpenseFields ?? [];
      const of = (t: string): ExpenseField | undefined => candidates(lf, [t])[0];
      const codes = new Set(candidates(lf, ['PRODUCT_CODE']).map((f) => oneLine(text(f))));
      const itemField = of('ITEM');
      const priceField = of('PRICE');
      const rowField = of('EXPENSE_ROW');
      let description = itemField ? text(itemField) : '';
      if (!description && rowField) {
        // No ITEM: the row minus its price.
        description = text(rowField).replace(text(priceField), '');
      }
      // Product codes (EAN) Textract folds into the description are not part of it.
      description = description
        .split(/\s+/)
        .filter((tok) => tok && !codes.has(tok))
        .join(' ');
      const item: LineItem = { description };
      const fieldConfs = [itemField, priceField].filter((f): f is ExpenseField => Boolean(f)).map(fieldConfidence);
      const name = description || oneLine(text(rowField));
      if (priceField) {
        const amount = readMoney(priceField, ctx);
        if (amount) item.amount = amount;
        else problems.push(`unreadable price "${oneLine(text(priceField))}" on "${name}"`);
      } else {
        problems.push(`no price on "${name}"`);
      }
      const qField = of('QUANTITY');
      const q = qField ? parseTextractQuantity(text(qField), ctx.decimal) : undefined;
      if (q) item.quantity = decimalToString(q);
      else if (qField) problems.push(`unreadable quantity "${oneLine(text(qField))}" on "${name}"`);
      const uField = of('UNIT_PRICE');
      const u = uField ? parseTextractAmount(text(uField), ctx.decimal) : undefined;
      if (u) item.unitPrice = decimalToString(u.value);
      else if (uField) problems.push(`unreadable unit price "${oneLine(text(uField))}" on "${name}"`);
      if (q && u && item.amount && exactProduct(q, u.value, ctx.currency) !== item.amount.minor) {
        problems.push(`"${name}": ${decimalToString(q)} × ${decimalToString(u.value)} ≠ ${formatMoney(item.amount)}`);
      }
      if (!item.description && !item.amount) continue;
      items.push(item);
      if (fieldConfs.length > 0) confidences.push(Math.min(...fieldConfs));
    }
  }
  const confidence = confidences.length > 0 ? confidences.reduce((s, c) => s + c, 0) / confidences.length : undefined;
  return { items, problems, ...(confidence !== undefined ? { confidence } : {}) };
};

const sum = (xs: readonly bigint[]): bigint => xs.reduce((s, x) => s + x, 0n);

/** Maps one ExpenseDocument (already chosen) to the normalized receipt. */
export const mapExpenseDocument = (doc: ExpenseDocument, options: TextractMapOptions = {}): ExtractedReceipt => {
  const fields = doc.SummaryFields ?? [];
  const warnings: string[] = [];
  const receipt: ExtractedReceipt = {
    engine: 'textract',
    vendor: {},
    taxes: [],
    lineItems: [],
    confidence: {},
    warnings,
  };
  const cur = detectCurrency(doc, options, warnings);
  if (cur.currency) {
    receipt.currency = cur.currency;
    receipt.confidence.currency = cur.confidence ?? 0.5;
  }
  const currency = cur.currency ?? UNKNOWN_CURRENCY;
  const amountTexts = allFields(doc).filter(isAmountField).map(text);
  const country = options.country?.toUpperCase();
  const fallback: DecimalSeparator = cur.currency
    ? COMMA_DECIMAL_CURRENCIES.has(cur.currency)
      ? ','
      : '.'
    : country && !DOT_DECIMAL_COUNTRIES.has(country)
      ? ','
      : '.';
  const ctx: Context = { currency, decimal: detectDecimalSeparator(amountTexts, fallback), warnings };

  mapVendor(fields, receipt);
  mapDate(fields, receipt, dateOrder(cur.currency, options), options.now);
  const id = candidates(fields, ['INVOICE_RECEIPT_ID'])[0];
  if (id) receipt.documentNumber = oneLine(text(id));
  mapCard(fields, receipt);

  const total = firstMoney(fields, ['TOTAL', 'AMOUNT_DUE', 'AMOUNT_PAID'], ctx);
  if (total) {
    receipt.total = total.money;
    receipt.confidence.total = fieldConfidence(total.field) * (type(total.field) === 'TOTAL' ? 1 : 0.85);
  }
  const subtotal = firstMoney(fields, ['SUBTOTAL'], ctx);
  if (subtotal) {
    receipt.subtotal = subtotal.money;
    receipt.confidence.subtotal = fieldConfidence(subtotal.field);
  }
  mapTaxes(fields, receipt, ctx);
  const tip = firstMoney(fields, ['GRATUITY', 'TIP'], ctx);
  if (tip) {
    receipt.tip = tip.money;
    receipt.confidence.tip = fieldConfidence(tip.field);
  }

  const lines = mapLineItems(doc, ctx);
  receipt.lineItems = lines.items;
  const lineSum = sum(lines.items.map((l) => l.amount?.minor ?? 0n));
  const taxSum = sum(receipt.taxes.map((t) => t.amount.minor));
  const tipMinor = receipt.tip?.minor ?? 0n;

  if (lines.confidence !== undefined) {
    let c = lines.confidence;
    const target = receipt.subtotal?.minor ?? receipt.total?.minor;
    const matches =
      target !== undefined &&
      (lineSum === target || (receipt.total !== undefined && lineSum === receipt.total.minor - tipMinor));
    if (lines.problems.length > 0) c *= 0.7;
    if (target !== undefined && !matches) c *= 0.7;
    receipt.confidence.lineItems = c;
  }
  if (lines.problems.length > 0) warnings.push(...lines.problems.map((p) => `line items: ${p}`));

  if (receipt.total) {
    // subtotal + taxes (+ tip) = total; a tip may also be outside the printed total.
    if (receipt.subtotal && receipt.taxes.length > 0) {
      const expected = receipt.subtotal.minor + taxSum;
      if (expected !== receipt.total.minor && expected + tipMinor !== receipt.total.minor) {
        warnings.push(
          `subtotal + taxes (${formatMoney({ minor: expected, currency })}) ≠ total (${formatMoney(receipt.total)})`,
        );
        receipt.confidence.total = (receipt.confidence.total ?? 1) * 0.8;
      }
    }
  } else if (lines.items.length > 0) {
    deriveTotal(receipt, lines, lineSum, ctx);
  } else {
    warnings.push('no total found');
  }
  return roundConfidences(receipt);
};

/** No total printed (or read): the sum of the line items, only when every line reads and agrees with itself. */
const deriveTotal = (receipt: ExtractedReceipt, lines: LineAnalysis, lineSum: bigint, ctx: Context): void => {
  const why: string[] = [];
  if (lines.problems.length > 0) why.push(`${lines.problems.length} unreadable or inconsistent line(s)`);
  if (receipt.taxes.length > 0) why.push('taxes printed without a total (line items may exclude them)');
  if (receipt.subtotal && receipt.subtotal.minor !== lineSum) why.push('line items do not add up to the subtotal');
  if (lineSum <= 0n) why.push('line items add up to nothing');
  if (why.length > 0) {
    ctx.warnings.push(`no total found; not derived from the line items: ${why.join('; ')}`);
    return;
  }
  receipt.total = { minor: lineSum, currency: ctx.currency };
  receipt.confidence.total = 0.3;
  ctx.warnings.push(
    `no total found; derived from the sum of ${lines.items.length} line items (${formatMoney(receipt.total)})`,
  );
};

const roundConfidences = (r: ExtractedReceipt): ExtractedReceipt => {
  for (const k of Object.keys(r.confidence) as Array<keyof ExtractedReceipt['confidence']>) {
    const v = r.confidence[k];
    if (v !== undefined) r.confidence[k] = round2(clamp01(v));
  }
  return r;
};

const describeDoc = (doc: ExpenseDocument, i: number, options: TextractMapOptions): string => {
  const r = mapExpenseDocument(doc, options);
  const bits = [
    r.vendor.name ? `"${r.vendor.name}"` : undefined,
    r.date,
    r.total ? `total ${formatMoney(r.total)}${r.currency ? ` ${r.currency}` : ''}` : 'no total',
    `${r.lineItems.length} line items`,
  ].filter(Boolean);
  return `#${doc.ExpenseIndex ?? i + 1} (${bits.join(', ')})`;
};

/**
 * Maps a whole response: the main ExpenseDocument becomes the receipt, the others are listed in its warnings.
 * A response with no document, or a document with neither total, date, vendor nor line item, is not a receipt.
 */
export const mapExpenseResponse = (response: ExpenseResponse, options: TextractMapOptions = {}): TextractMapResult => {
  const docs = response.ExpenseDocuments ?? [];
  if (docs.length === 0) {
    return { ok: false, code: 'not-a-receipt', error: 'Textract found no expense document', engine: 'textract' };
  }
  const { main, others } = chooseMainDocument(docs);
  const receipt = mapExpenseDocument(docs[main] as ExpenseDocument, options);
  if (!receipt.total && !receipt.date && !receipt.vendor.name && receipt.lineItems.length === 0) {
    return {
      ok: false,
      code: 'not-a-receipt',
      error: 'Textract found no total, date, vendor or line item: this does not look like a receipt',
      engine: 'textract',
    };
  }
  if (others.length > 0) {
    const chosen = docs[main] as ExpenseDocument;
    receipt.warnings.unshift(
      `${docs.length} expense documents in the file; used #${chosen.ExpenseIndex ?? main + 1}, not ${others
        .map((i) => describeDoc(docs[i] as ExpenseDocument, i, options))
        .join(', ')}`,
    );
  }
  for (const w of response.Warnings ?? []) {
    receipt.warnings.push(
      `Textract warning ${w.ErrorCode ?? ''}${w.Pages?.length ? ` on pages ${w.Pages.join(', ')}` : ''}`.trim(),
    );
  }
  return { ok: true, receipt };
};
