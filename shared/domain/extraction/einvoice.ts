/**
 * E-invoices read exactly: UN/CEFACT CII (Factur-X / ZUGFeRD, also embedded in PDF/A-3) and OASIS UBL 2.1 (Invoice,
 * CreditNote). Takes XML text; never resolves entities (a DOCTYPE is refused outright: e-invoices never need one).
 */
import { XMLParser } from 'fast-xml-parser';
import { type Money, parseMoney } from '../money.ts';
import { isValidSiren, isValidSiret } from './identifiers.ts';
import type { ExtractedReceipt, LineItem, TaxLine, VendorInfo } from './model.ts';
import { decimalToMoney, decimalToString, parseAmount } from './numbers.ts';

export type EInvoiceSyntax = 'cii' | 'ubl';

export type EInvoiceResult =
  | { ok: true; syntax: EInvoiceSyntax; receipt: ExtractedReceipt }
  | { ok: false; error: string };

/** Elements that may repeat, so they always come back as arrays. */
const ARRAYS = new Set([
  'IncludedSupplyChainTradeLineItem',
  'ApplicableTradeTax',
  'SpecifiedTaxRegistration',
  'GlobalID',
  'TaxTotalAmount',
  'InvoiceLine',
  'CreditNoteLine',
  'TaxTotal',
  'TaxSubtotal',
  'PartyTaxScheme',
  'PartyIdentification',
  'PartyName',
  'IncludedNote',
  'Note',
]);

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => ARRAYS.has(name),
});

const MAX_XML_CHARS = 20_000_000;

const obj = (v: unknown): Node | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
const arr = (v: unknown): Node[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(obj).filter((x): x is Node => Boolean(x));
const first = (v: unknown): Node | undefined => arr(v)[0] ?? obj(v);
const get = (n: Node | undefined, ...path: string[]): unknown => {
  let cur: unknown = n;
  for (const p of path) {
    if (Array.isArray(cur)) cur = cur[0];
    cur = obj(cur)?.[p];
  }
  return cur;
};
const text = (v: unknown): string | undefined => {
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  const o = obj(v);
  if (o && '#text' in o) return text(o['#text']);
  return undefined;
};
const attr = (v: unknown, name: string): string | undefined => {
  const o = Array.isArray(v) ? obj(v[0]) : obj(v);
  const a = o?.[`@_${name}`];
  return typeof a === 'string' ? a : undefined;
};

class EInvoiceError extends Error {}

const amount = (v: unknown, currency: string, what: string, warnings: string[]): Money | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  const d = parseAmount(s, '.');
  if (!d) throw new EInvoiceError(`${what}: "${s}" is not a decimal amount`);
  const exact = decimalToMoney(d, currency);
  if (exact) return exact;
  // More decimals than the currency has: round half-up explicitly and say so.
  const rounded = parseMoney(roundHalfUp(decimalToString(d), 2), currency);
  warnings.push(`${what} ${s} rounded to ${currency} minor units`);
  return rounded;
};

const roundHalfUp = (s: string, decimals: number): string => {
  const neg = s.startsWith('-');
  const [w = '0', f = ''] = (neg ? s.slice(1) : s).split('.');
  const units = BigInt(w + f.padEnd(decimals + 1, '0').slice(0, decimals + 1));
  const r = (units + 5n) / 10n;
  const digits = r.toString().padStart(decimals + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
};

const rate = (v: unknown): string | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  const d = parseAmount(s, '.');
  return d ? normalizeRate(decimalToString(d, 2)) : undefined;
};

/** "0.0000" → "0.00", "5.500" → "5.50", "12.125" stays. */
const normalizeRate = (r: string): string => r.replace(/^(-?\d+\.\d\d)(\d*?)0+$/, '$1$2');

const decimalText = (v: unknown): string | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  const d = parseAmount(s, '.');
  if (!d) return undefined;
  // Drop insignificant trailing zeros ("1.0000" → "1").
  return decimalToString(d)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
};

/** YYYYMMDD (format 102) or YYYY-MM-DD → YYYY-MM-DD. */
const isoDate = (s: string | undefined): string | undefined => {
  if (!s) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(s.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
};

const docType = (code: string | undefined): ExtractedReceipt['documentType'] =>
  code === '381' || code === '261' || code === '262' || code === '396' ? 'credit-note' : 'invoice';

const exactConfidence = { vendor: 1, date: 1, currency: 1, total: 1, subtotal: 1, taxes: 1, lineItems: 1 } as const;

const mapCii = (root: Node): ExtractedReceipt => {
  const warnings: string[] = [];
  const doc = first(root.ExchangedDocument);
  const tx = first(root.SupplyChainTradeTransaction);
  if (!tx) throw new EInvoiceError('CII: no SupplyChainTradeTransaction');
  const settlement = first(tx.ApplicableHeaderTradeSettlement);
  const agreement = first(tx.ApplicableHeaderTradeAgreement);
  const currency = text(settlement?.InvoiceCurrencyCode);
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new EInvoiceError('CII: no InvoiceCurrencyCode');

  const seller = first(agreement?.SellerTradeParty);
  const vendor: VendorInfo = {};
  const name = text(seller?.Name);
  if (name) vendor.name = name;
  for (const reg of arr(seller?.SpecifiedTaxRegistration)) {
    const id = get(reg, 'ID');
    if ((attr(id, 'schemeID') ?? 'VA') === 'VA' && text(id)) vendor.vatNumber = (text(id) ?? '').replace(/\s/g, '');
  }
  const legalId = get(seller, 'SpecifiedLegalOrganization', 'ID');
  const legal = text(legalId)?.replace(/\s/g, '');
  if (legal && attr(legalId, 'schemeID') === '0002' && isValidSiren(legal)) vendor.siren = legal;
  if (legal && attr(legalId, 'schemeID') === '0009' && isValidSiret(legal)) {
    vendor.siret = legal;
    vendor.siren = legal.slice(0, 9);
  }
  for (const g of arr(seller?.GlobalID)) {
    const id = text(g)?.replace(/\s/g, '');
    if (id && attr(g, 'schemeID') === '0009' && isValidSiret(id)) {
      vendor.siret = id;
      vendor.siren ??= id.slice(0, 9);
    }
  }
  const addr = first(seller?.PostalTradeAddress);
  if (addr) {
    const parts = [addr.LineOne, addr.LineTwo, addr.LineThree, addr.PostcodeCode, addr.CityName, addr.CountryID]
      .map(text)
      .filter(Boolean);
    if (parts.length > 0) vendor.address = parts.join(', ');
  }

  const sums = first(settlement?.SpecifiedTradeSettlementHeaderMonetarySummation);
  const taxTotalNode = arr(sums?.TaxTotalAmount).find((t) => (attr(t, 'currencyID') ?? currency) === currency);
  const total = amount(sums?.GrandTotalAmount, currency, 'GrandTotalAmount', warnings);
  if (!total) throw new EInvoiceError('CII: no GrandTotalAmount');
  const subtotal = amount(sums?.TaxBasisTotalAmount, currency, 'TaxBasisTotalAmount', warnings);
  const taxTotal = taxTotalNode ? amount(taxTotalNode, currency, 'TaxTotalAmount', warnings) : undefined;

  const taxes: TaxLine[] = [];
  for (const t of arr(settlement?.ApplicableTradeTax)) {
    const a = amount(t.CalculatedAmount, currency, 'CalculatedAmount', warnings);
    if (!a) continue;
    const line: TaxLine = { amount: a };
    const r = rate(t.RateApplicablePercent);
    if (r !== undefined) line.rate = r;
    const b = amount(t.BasisAmount, currency, 'BasisAmount', warnings);
    if (b) line.base = b;
    taxes.push(line);
  }
  if (taxes.length === 0 && taxTotal) taxes.push({ amount: taxTotal });

  const lineItems: LineItem[] = [];
  for (const li of arr(tx.IncludedSupplyChainTradeLineItem)) {
    const item: LineItem = { description: text(get(li, 'SpecifiedTradeProduct', 'Name')) ?? '' };
    const q = decimalText(get(li, 'SpecifiedLineTradeDelivery', 'BilledQuantity'));
    if (q !== undefined) item.quantity = q;
    const price = decimalText(get(li, 'SpecifiedLineTradeAgreement', 'NetPriceProductTradePrice', 'ChargeAmount'));
    if (price !== undefined) item.unitPrice = price;
    const a = amount(
      get(li, 'SpecifiedLineTradeSettlement', 'SpecifiedTradeSettlementLineMonetarySummation', 'LineTotalAmount'),
      currency,
      'LineTotalAmount',
      warnings,
    );
    if (a) item.amount = a;
    const r = rate(get(li, 'SpecifiedLineTradeSettlement', 'ApplicableTradeTax', 'RateApplicablePercent'));
    if (r !== undefined) item.taxRate = r;
    lineItems.push(item);
  }

  const receipt: ExtractedReceipt = {
    engine: 'cii',
    documentType: docType(text(doc?.TypeCode)),
    vendor,
    currency,
    total,
    taxes,
    lineItems,
    confidence: { ...exactConfidence },
    warnings,
  };
  const number = text(doc?.ID);
  if (number) receipt.documentNumber = number;
  const date = isoDate(text(get(doc, 'IssueDateTime', 'DateTimeString')));
  if (date) receipt.date = date;
  if (subtotal) receipt.subtotal = subtotal;
  checkTotals(receipt, taxTotal);
  return receipt;
};

const mapUbl = (root: Node, kind: 'Invoice' | 'CreditNote'): ExtractedReceipt => {
  const warnings: string[] = [];
  const currency = text(root.DocumentCurrencyCode);
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new EInvoiceError('UBL: no DocumentCurrencyCode');
  const party = obj(get(root, 'AccountingSupplierParty', 'Party'));
  const vendor: VendorInfo = {};
  const name = text(get(arr(party?.PartyName)[0], 'Name')) ?? text(get(party, 'PartyLegalEntity', 'RegistrationName'));
  if (name) vendor.name = name;
  for (const ts of arr(party?.PartyTaxScheme)) {
    const id = text(ts.CompanyID)?.replace(/\s/g, '');
    if (id && (text(get(ts, 'TaxScheme', 'ID')) ?? 'VAT') === 'VAT') vendor.vatNumber = id;
  }
  const legalId = get(party, 'PartyLegalEntity', 'CompanyID');
  const legal = text(legalId)?.replace(/\s/g, '');
  if (legal && (attr(legalId, 'schemeID') === '0002' || !attr(legalId, 'schemeID')) && isValidSiren(legal)) {
    vendor.siren = legal;
  }
  for (const pid of arr(party?.PartyIdentification)) {
    const id = text(pid.ID)?.replace(/\s/g, '');
    if (id && attr(pid.ID, 'schemeID') === '0009' && isValidSiret(id)) {
      vendor.siret = id;
      vendor.siren ??= id.slice(0, 9);
    }
  }
  const addr = obj(party?.PostalAddress);
  if (addr) {
    const parts = [
      addr.StreetName,
      addr.AdditionalStreetName,
      get(addr, 'AddressLine', 'Line'),
      addr.PostalZone,
      addr.CityName,
      get(addr, 'Country', 'IdentificationCode'),
    ]
      .map(text)
      .filter(Boolean);
    if (parts.length > 0) vendor.address = parts.join(', ');
  }

  const totals = obj(root.LegalMonetaryTotal);
  const total = amount(totals?.TaxInclusiveAmount, currency, 'TaxInclusiveAmount', warnings);
  if (!total) throw new EInvoiceError('UBL: no LegalMonetaryTotal/TaxInclusiveAmount');
  const subtotal = amount(totals?.TaxExclusiveAmount, currency, 'TaxExclusiveAmount', warnings);
  const taxTotalNode =
    arr(root.TaxTotal).find((t) => (attr(t.TaxAmount, 'currencyID') ?? currency) === currency) ?? undefined;
  const taxTotal = taxTotalNode ? amount(taxTotalNode.TaxAmount, currency, 'TaxAmount', warnings) : undefined;
  const taxes: TaxLine[] = [];
  for (const st of arr(taxTotalNode?.TaxSubtotal)) {
    const a = amount(st.TaxAmount, currency, 'TaxSubtotal/TaxAmount', warnings);
    if (!a) continue;
    const line: TaxLine = { amount: a };
    const r = rate(get(st, 'TaxCategory', 'Percent'));
    if (r !== undefined) line.rate = r;
    const b = amount(st.TaxableAmount, currency, 'TaxableAmount', warnings);
    if (b) line.base = b;
    taxes.push(line);
  }
  if (taxes.length === 0 && taxTotal) taxes.push({ amount: taxTotal });

  const lineItems: LineItem[] = [];
  for (const li of arr(kind === 'Invoice' ? root.InvoiceLine : root.CreditNoteLine)) {
    const item: LineItem = { description: text(get(li, 'Item', 'Name')) ?? text(get(li, 'Item', 'Description')) ?? '' };
    const q = decimalText(kind === 'Invoice' ? li.InvoicedQuantity : li.CreditedQuantity);
    if (q !== undefined) item.quantity = q;
    const price = decimalText(get(li, 'Price', 'PriceAmount'));
    if (price !== undefined) item.unitPrice = price;
    const a = amount(li.LineExtensionAmount, currency, 'LineExtensionAmount', warnings);
    if (a) item.amount = a;
    const r = rate(get(li, 'Item', 'ClassifiedTaxCategory', 'Percent'));
    if (r !== undefined) item.taxRate = r;
    lineItems.push(item);
  }

  const receipt: ExtractedReceipt = {
    engine: 'ubl',
    documentType: kind === 'CreditNote' ? 'credit-note' : docType(text(root.InvoiceTypeCode)),
    vendor,
    currency,
    total,
    taxes,
    lineItems,
    confidence: { ...exactConfidence },
    warnings,
  };
  const number = text(root.ID);
  if (number) receipt.documentNumber = number;
  const date = isoDate(text(root.IssueDate));
  if (date) receipt.date = date;
  if (subtotal) receipt.subtotal = subtotal;
  checkTotals(receipt, taxTotal);
  return receipt;
};

/** EN 16931 arithmetic (BR-CO-14/15): Σ VAT = VAT total, base + VAT = grand total. Differences become warnings. */
const checkTotals = (r: ExtractedReceipt, taxTotal: Money | undefined): void => {
  const sum = r.taxes.reduce((s, t) => s + t.amount.minor, 0n);
  if (taxTotal && sum !== taxTotal.minor) r.warnings.push('sum of VAT breakdown differs from the VAT total');
  if (r.subtotal && r.total && taxTotal && r.subtotal.minor + taxTotal.minor !== r.total.minor) {
    r.warnings.push('tax basis + VAT total differs from the grand total');
  }
  if (!r.vendor.name) {
    r.confidence.vendor = 0;
    r.warnings.push('no seller name');
  }
};

/** ZUGFeRD 1.0 (CrossIndustryDocument) element names → their CII D16B equivalents. */
const ZUGFERD1: Readonly<Record<string, string>> = {
  HeaderExchangedDocument: 'ExchangedDocument',
  SpecifiedSupplyChainTradeTransaction: 'SupplyChainTradeTransaction',
  ApplicableSupplyChainTradeAgreement: 'ApplicableHeaderTradeAgreement',
  ApplicableSupplyChainTradeSettlement: 'ApplicableHeaderTradeSettlement',
  SpecifiedSupplyChainTradeAgreement: 'SpecifiedLineTradeAgreement',
  SpecifiedSupplyChainTradeDelivery: 'SpecifiedLineTradeDelivery',
  SpecifiedSupplyChainTradeSettlement: 'SpecifiedLineTradeSettlement',
  ApplicablePercent: 'RateApplicablePercent',
};

const upgradeZugferd1 = (v: unknown, inLine = false): unknown => {
  if (Array.isArray(v)) return v.map((x) => upgradeZugferd1(x, inLine));
  const o = obj(v);
  if (!o) return v;
  const out: Node = {};
  for (const [k, child] of Object.entries(o)) {
    let name = ZUGFERD1[k] ?? k;
    if (k === 'SpecifiedTradeSettlementMonetarySummation') {
      name = inLine
        ? 'SpecifiedTradeSettlementLineMonetarySummation'
        : 'SpecifiedTradeSettlementHeaderMonetarySummation';
    }
    out[name] = upgradeZugferd1(child, inLine || name === 'SpecifiedLineTradeSettlement');
  }
  return out;
};

/** Cheap sniffing: is this XML text an e-invoice we can read? */
export const sniffEInvoice = (xml: string): EInvoiceSyntax | undefined => {
  const head = xml.slice(0, 4000);
  if (/<(?:\w+:)?CrossIndustry(?:Invoice|Document)[\s>]/.test(head)) return 'cii';
  if (/<(?:\w+:)?(?:Invoice|CreditNote)[\s>]/.test(head) && /oasis:names:specification:ubl/.test(head)) return 'ubl';
  return undefined;
};

/** Parses CII or UBL XML text into the normalized receipt. */
export const parseEInvoiceXml = (xml: string): EInvoiceResult => {
  if (xml.length > MAX_XML_CHARS) return { ok: false, error: 'XML larger than 20 MB' };
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    return { ok: false, error: 'XML with a DOCTYPE/ENTITY declaration refused (external entities are never resolved)' };
  }
  let doc: Node;
  try {
    doc = parser.parse(xml.replace(/^\uFEFF/, ''), true) as Node;
  } catch (error) {
    return {
      ok: false,
      error: `malformed XML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
  try {
    const cii = obj(doc.CrossIndustryInvoice);
    if (cii) return { ok: true, syntax: 'cii', receipt: mapCii(cii) };
    const zugferd1 = obj(doc.CrossIndustryDocument);
    if (zugferd1) return { ok: true, syntax: 'cii', receipt: mapCii(upgradeZugferd1(zugferd1) as Node) };
    const inv = obj(doc.Invoice);
    if (inv) return { ok: true, syntax: 'ubl', receipt: mapUbl(inv, 'Invoice') };
    const cn = obj(doc.CreditNote);
    if (cn) return { ok: true, syntax: 'ubl', receipt: mapUbl(cn, 'CreditNote') };
    const rootName = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
    return { ok: false, error: `not a CII or UBL invoice (root element ${rootName ?? 'missing'})` };
  } catch (error) {
    if (error instanceof EInvoiceError) return { ok: false, error: error.message };
    throw error;
  }
};
