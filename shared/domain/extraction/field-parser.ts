/**
 * The layout-aware field parser: rows of text (from a PDF text layer, OCR or pre-OCR'd lines) → normalized receipt.
 * French and English labels, locale numbers and dates, VAT tables, and consistency checks that move confidence:
 * base × rate ≈ VAT, subtotal + taxes ≈ total, lines ≈ total, tendered − change ≈ total.
 */
import { currencyExponent, type Money } from '../money.ts';
import { type DateOrder, dateOrderFor, findCompactDates, findDates, isValidDate, toIso } from './dates.ts';
import { findCardLast4, findCompanyIds } from './identifiers.ts';
import type { Row } from './layout.ts';
import type { ExtractedReceipt, ExtractionEngine, LineItem, TaxLine, VendorInfo } from './model.ts';
import { UNKNOWN_CURRENCY } from './model.ts';
import { repairTradeWords } from './name-words.ts';
import {
  type AmountToken,
  type DecimalSeparator,
  type DecimalValue,
  decimalToMoney,
  decimalToString,
  detectDecimalSeparator,
  findAmounts,
} from './numbers.ts';

export interface ParseHints {
  country?: string;
  currency?: string;
  /** Reference date for plausibility (defaults to now). */
  now?: Date;
}

/** Upper-case, accents removed, so that "Net à payer" and "NET A PAYER" read the same. */
export const normalizeLabel = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();

const RE = {
  totalStrong:
    /TOTAL\s*T\.?T\.?C|NET\s*A\s*PAYER|MONTANT\s*(?:T\.?T\.?C|A\s*PAYER|DU)|(?:RESTE\s*)?A\s*PAYER|GRAND\s*TOTAL|TOTAL\s*(?:DUE|PAYABLE|TO\s*PAY|A\s*REGLER)|AMOUNT\s*(?:DUE|PAYABLE|TO\s*PAY)|BALANCE\s*DUE|TOTAL\s*AMOUNT|NETT?\s*TOTAL|TOTAL\s*NETT?\b|ROUND(?:ED|ING)?\s*TOTAL|TOTAL\s*(?:AFTER\s*)?ROUND|TOTAL\s*(?:\(?\s*(?:RM|MYR|EUR|USD)\s*\)?\s*)?(?:INCL|INC\b|\(INC)|TOTAL\s*SALES?\b|TOTAL\s*PRICE|TOTAL\s*(?:RM|EUR|€|\$)/,
  totalPlain:
    /\bTOTA[LI1|\]](?![A-Z])|\bTOTAUX?\b|\bTTL\b|\bTOTAL[A-Z]*|\bMONTANT\b|\bSOMME\b|\bAMOUNT\b|\bAMT\b|\bNET\b/,
  notTotal:
    /TOTAL\s*(?:QTY|QUANTITY|ITEMS?|ARTICLES?|POINTS?|SAVINGS?|DISCOUNTS?|REMISES?|ECONOMIES?|WEIGHT|UNITS?|PCS|NO\b|NUMBER)|ITEMS?\s*COUNT|NB\.?\s*(?:D'?)?ARTICLES?|\bQTY\b|NO\.?\s*OF\s*ITEMS|DISCOUNT|REMISE|\bPOINTS?\b|SAVING|ECONOMI|\bDEPOSIT\b|\bCREDIT\s*NOTE|VOUCHER|TOTAL\s*(?:GST|TAX|VAT|TVA|SST)/,
  subtotal:
    /SUB\s*-?\s*TOTAL|TAXABLE\s*AMOUNT|SOUS\s*-?\s*TOTAL|TOTAL\s*H\.?T|MONTANT\s*H\.?T|\bH\.?T\.?\b|TOTAL\s*(?:\(?\s*)?EXCL|EXCL(?:UDING|\.|USIVE)?\s*(?:OF\s*)?(?:GST|TAX|VAT|TVA)|TOTAL\s*BEFORE|\bNET\s*(?:AMOUNT|SALES?)\b|TOTAL\s*NET\s*H/,
  tax: /\bT\.?V\.?A\b|\bVAT\b|\bGST\b|\bSST\b|\bTAX(?:E|ES)?\b|\bHST\b|\bPST\b|\bMWST\b|\bIVA\b/,
  tip: /\bTIPS?\b|GRATUITY|POURBOIRE|\bTIP\s*AMOUNT/,
  change: /\bCHANGE\b|\bRENDU\b|MONNAIE\s*RENDUE|A\s*RENDRE|\bCHANGE\s*DUE|\bBALANCE\b(?!\s*DUE)/,
  tender:
    /\bCASH\b|ESPECES|\bTENDER(?:ED)?\b|\bTEND\b|\bPAID\b|\bPAYMENT\b|\bPAIEMENT\b|\bREGLEMENT\b|\bCB\b|\bCARTE\b|\bVISA\b|MASTER\s*CARD|\bAMEX\b|\bDEBIT\b|\bCREDIT\s*CARD\b|\bCARD\b|CONTACTLESS|SANS\s*CONTACT/,
  date: /\bDATE\b|\bDATED\b|\bLE\s*\d|\bDU\s*\d|\bINVOICE\s*DATE|\bDATE\s*DE\s*VENTE/,
  badDate:
    /EXP(?:IRY|IRES|\.)?\b|VALID|VALABLE|ECHEANCE|DUE\s*DATE|PRINTED|IMPRIME|BEST\s*BEFORE|\bDLC\b|\bDDM\b|MEMBER\s*SINCE/,
  // Web addresses as words or URL parts ("WWW.", "WWW. POPULAR", "HTTP://", "HTTPS:"), not letters inside a name
  // ("HTTPVIG HTAMVG", "NEWWWAVE CAFE").
  // Header and courtesy words likewise (the label is upper-cased, accents removed): a letter on either side makes them
  // part of a name ("VEGETABLE", "BORDER", "MERCIER", "SAXOPHONE BAR", "PLEASEANT"), digits and punctuation do not
  // ("TABLE12", "ORDER#:", "CASHIER3", "WELCOME20", "****MERCI", "TEL/PHONE:"); words printed or read glued are
  // spelled out (TELEPHONE, HANDPHONE, ORDERNO, CASHIERNAME, THANKS, "THANKYOUPLEASECOME", "MERCIDEVOTREVISITE").
  // TABLE and MERCI are also words of names ("LA TABLE DE NICOLAS", "TABLE DU MARCHE", "A TABLE", the shop "MERCI"):
  // TABLE is noise as a table label (tableLabel), MERCI in thank-you phrasing (thanksFr). SIRET / SIREN and CAISSE
  // are words too ("SIRENA", "LA SIRENE", "ENCAISSE"), glued to NO or a digit as printed or read ("NOSIRET",
  // "CAISSE3"); HOTE is the host's label, not "TABLE D'HOTE" or "MAISON D'HOTES".
  noiseHeader:
    /(?<![A-Z])(?:WELCOME(?:TO)?|(?:TELE?|HAND)?PHONE(?:NO)?|OFFICIAL(?:RECEIPT)?|ORDER(?:NO)?|CASHIER(?:NAME|NO)?|CAISSIERE?|THANKS?|PLEASE)(?![A-Z])|(?<![A-Z])THANKYOU|TAX\s*INVOICE|\bINVOICE\b|\bRECEIPT\b|\bRECU\b|\bTICKET\b|\bFACTURE\b|BIENVENUE|\bTEL\b|\bTEL\.|\bFAX\b|\bGST\b|\bVAT\b|\bTVA\b|(?<![A-Z])(?:NO?)?SIRE[TN](?:NO?)?(?![A-Z])|\bREG\b|\bREG\.|\bNO\s*[:.]|\bWWW\b|WWW\.|\bHTTPS?\b|HTTPS?:|@|\.COM\b|\bCOPY\b|DUPLICATA|CASH\s*BILL|\bCO\.?\s*(?:REG|NO)\b|\bROC\b|COMPANY\s*NO|\bBILL\b|(?<![A-Z])(?:NO?)?CAISSE(?:NO?)?(?![A-Z])|(?<!D['’]\s?)\bHOTE\b|SERVEUR|\bDATE\b|\bTIME\b|\bHEURE\b|CASH\s*SALES?\b|GOODS\s*SOLD|RETURNABLE|\bVISIT|A\s*BIENTOT|\bPOSTED\b/,
  /**
   * A table label or number ("TABLE", "TABLE:", "TABLE 12", "TABLE12", "TABLE: T10", "TABLE NO 5", "TABLE N° 5",
   * "TABLE #3", "TABLE A", "TABLE D2", "TABLE/COUVERTS", "DINE IN TABLE 5", "NB COUVERTS", "COUVERTS: 2"), not a name
   * with the word TABLE: followed by words ("TABLE DU MARCHE", "TABLE D'HOTES"), or after a word when bare
   * ("LA GRANDE TABLE", "ART DE TABLE", "A TABLE !"), or after an article even with a number ("LA TABLE 2").
   */
  tableLabel:
    /^[^A-Z]*(?:TABLE(?:NO)?|COUVERTS?)[^A-Z]*$|(?<!(?<![A-Z])(?:(?:LA|LES|LE|MA|TA|SA|UNE|UN|NOTRE|VOTRE|A|DE)\s+|D['’]\s*))(?<![A-Z])(?:TABLE(?:NO)?|COUVERTS?)(?:\s*(?:[:#°º./([]|\d|N[°º]|-\s*[A-Z]?\d)|\s+(?:(?:NO|NR|NUM(?:ERO)?|PAX|COUVERTS?|COVERS?|GUESTS?)(?![A-Z])|[A-Z]{1,2}\d|[A-Z](?=\s*(?:$|[^A-Z\s'’]))))|(?<![A-Z])(?:NB|NBR|NOMBRE)\.?\s*(?:DE\s*)?COUVERTS?(?![A-Z])/,
  /**
   * French thanks: MERCI followed by the words of a thank-you ("MERCI DE VOTRE VISITE", "MERCI ET A BIENTOT",
   * "MERCI POUR …", "MERCI BEAUCOUP", "MERCI, BONNE JOURNEE", glued "MERCIDEVOTREVISITE"), "GRAND MERCI"; alone it
   * is a name (the shop "MERCI"), unless punctuated ("MERCI !", "*** MERCI ***": see THANKS_ALONE).
   */
  thanksFr:
    /(?<![A-Z])MERCI(?:DE|POUR|\s*,|\s+(?:D['’]|(?:DE|DU|DES|POUR|ET|&|A|AU|AUX|BEAUCOUP|BCP|INFINIMENT|ENCORE|BIEN|BONNE|BON|VOTRE|ESPERANT)(?![A-Z])))|(?<![A-Z])GRAND\s*MERCI(?![A-Z])/,
  address:
    /\bJALAN\b|\bJLN\b|\bLOT\b|\bNO\.?\s*\d|\bRUE\b|\bAVENUE\b|\bAV\.?\s|\bBD\b|\bBOULEVARD\b|\bSTREET\b|\bST\.?\s*$|\bROAD\b|\bRD\b|\bTAMAN\b|\bPLACE\b|\bCEDEX\b|\bCHEMIN\b|\bALLEE\b|\bIMPASSE\b|\bQUAI\b|\bROUTE\b|\bPERSIARAN\b|\bLORONG\b|\bKAMPUNG\b|\bBANDAR\b|\bFLOOR\b|\bSUITE\b|\bBLOCK\b|\bBLK\b|\bLEVEL\b|\bETAGE\b|\bMENARA\b|\bWISMA\b|#\d{1,3}-\d{1,3}\b|\bUNIT\b|\bBATU\b|\b\d{5}\b|\bMALAYSIA\b|\bFRANCE\b|\bSELANGOR\b|\bJOHOR\b|\bKUALA\s*LUMPUR\b/,
  legalForm:
    /\bSDN\.?\s*B[HN]D\.?|\bS\/B\b|\bBHD\b|\bBERHAD\b|\bENTERPRISE\b|\bENTERPRISES\b|\bTRADING\b|\bSARL\b|\bS\.?A\.?S\.?U?\b|\bEURL\b|\bSNC\b|\bS\.A\.|\bLTD\b|\bLIMITED\b|\bLLC\b|\bINC\b|\bGMBH\b|\bPLC\b|\bCORP(?:ORATION)?\b|\bCOMPANY\b|\bPTE\b|\bPLT\b/,
};

const PERCENT_RE = /(\d{1,2}(?:[.,]\d{1,3})?)\s?%/g;

interface RowInfo {
  row: Row;
  index: number;
  label: string;
  amounts: AmountToken[];
  /** Amounts with decimals that are not percentages. */
  money: AmountToken[];
  percents: DecimalValue[];
}

const isPercentToken = (text: string, t: AmountToken): boolean => /^\s?%/.test(text.slice(t.end));

/** Amount tokens of a row: per cell when positions are known, so "1" and "234,56" in two columns stay two numbers. */
const rowAmounts = (row: Row, decimal: DecimalSeparator): { all: AmountToken[]; money: AmountToken[] } => {
  const all: AmountToken[] = [];
  const money: AmountToken[] = [];
  let offset = 0;
  for (const cell of row.cells) {
    const text = cell.text;
    for (const t of findAmounts(text, decimal)) {
      const shifted: AmountToken = { ...t, start: t.start + offset, end: t.end + offset };
      all.push(shifted);
      if (isPercentToken(text, t)) continue;
      // Times ("19:21", "12.30PM") and dates are not money.
      if (/^\s?(?:[:hH]\s?\d|AM|PM)/.test(text.slice(t.end)) || /\d\s?[:]\s?$/.test(text.slice(0, t.start))) continue;
      if (t.hasDecimals || t.currency) money.push(shifted);
    }
    offset += text.length + 1;
  }
  return { all, money };
};

const parsePercent = (s: string): DecimalValue | undefined => {
  const m = /^(\d{1,3})(?:[.,](\d{1,3}))?$/.exec(s);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  return { units: BigInt((m[1] ?? '') + frac), scale: frac.length };
};

const rateString = (d: DecimalValue): string => decimalToString(d, 2);

const moneyOf = (t: AmountToken | undefined, currency: string): Money | undefined =>
  t ? decimalToMoney(t.value, currency) : undefined;

const absMinor = (m: Money): bigint => (m.minor < 0n ? -m.minor : m.minor);

/** |a − b| ≤ tolerance (minor units). */
const near = (a: bigint, b: bigint, tol = 2n): boolean => (a > b ? a - b : b - a) <= tol;

/** VAT from base and rate (percent), rounded half-up. */
const vatOf = (base: bigint, rate: DecimalValue): bigint => {
  const num = base * rate.units;
  const den = 100n * 10n ** BigInt(rate.scale);
  return (num * 2n + den) / (2n * den);
};

const detectCurrency = (rows: readonly Row[], hints: ParseHints): { code?: string; confidence: number } => {
  const votes = new Map<string, number>();
  const vote = (c: string, w = 1): void => {
    votes.set(c, (votes.get(c) ?? 0) + w);
  };
  for (const r of rows) {
    const t = normalizeLabel(r.text);
    if (/€|\bEUR\b|\bEUROS?\b/.test(t)) vote('EUR', 2);
    if (/\bRM\s?\d|\bRM\b|\bMYR\b|\(RM\)/.test(t)) vote('MYR', 2);
    // A pound sign next to a number ("A£ON" is an OCR-misread letter).
    if (/£\s?\d|\d\s?£|\bGBP\b/.test(t)) vote('GBP', 2);
    if (/\bCHF\b/.test(t)) vote('CHF', 2);
    if (/\bUSD\b|US\$/.test(t)) vote('USD', 2);
    if (/\bSGD\b|S\$/.test(t)) vote('SGD', 2);
    if (/\bCAD\b|C\$/.test(t)) vote('CAD', 2);
    if (/\bAUD\b|A\$/.test(t)) vote('AUD', 2);
    // A dollar sign before a well-formed amount: a stray "$" in OCR noise ("AR $ 5") is not evidence.
    if (/(?<![A-Z])\$\s?\d{1,3}(?:[,. ]?\d{3})*[.,]\d{2}(?!\d)/.test(t)) vote('$', 1);
  }
  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  const top = ranked[0];
  const hinted = hints.currency?.toUpperCase();
  if (top && top[0] !== '$') return { code: top[0], confidence: 0.95 };
  if (top && top[0] === '$') {
    if (hinted && ['USD', 'CAD', 'AUD', 'SGD', 'NZD', 'HKD'].includes(hinted)) return { code: hinted, confidence: 0.9 };
    const c = hints.country?.toUpperCase();
    const byCountry: Record<string, string> = { US: 'USD', CA: 'CAD', AU: 'AUD', SG: 'SGD', NZ: 'NZD', HK: 'HKD' };
    return { code: (c && byCountry[c]) || 'USD', confidence: 0.7 };
  }
  if (hinted) return { code: hinted, confidence: 0.6 };
  const byCountry = COUNTRY_CURRENCY[hints.country?.toUpperCase() ?? ''];
  if (byCountry) return { code: byCountry, confidence: 0.5 };
  const all = normalizeLabel(rows.map((r) => r.text).join('\n'));
  if (/\bT\.?V\.?A\b|SIRET|SIREN|NET A PAYER|\bTTC\b/.test(all)) return { code: 'EUR', confidence: 0.6 };
  return { confidence: 0 };
};

const COUNTRY_CURRENCY: Readonly<Record<string, string>> = {
  FR: 'EUR',
  BE: 'EUR',
  LU: 'EUR',
  DE: 'EUR',
  ES: 'EUR',
  IT: 'EUR',
  NL: 'EUR',
  PT: 'EUR',
  AT: 'EUR',
  IE: 'EUR',
  CH: 'CHF',
  GB: 'GBP',
  US: 'USD',
  CA: 'CAD',
  MY: 'MYR',
  SG: 'SGD',
  AU: 'AUD',
};

const FR_LIKE = new Set(['FR', 'BE', 'LU', 'CH', 'DE', 'ES', 'IT', 'PT', 'NL', 'AT']);

const defaultDecimal = (hints: ParseHints, rows: readonly Row[]): DecimalSeparator => {
  const c = hints.country?.toUpperCase();
  if (c && FR_LIKE.has(c)) return ',';
  if (hints.currency?.toUpperCase() === 'EUR') return ',';
  const all = normalizeLabel(rows.map((r) => r.text).join('\n'));
  return /\bT\.?V\.?A\b|\bTTC\b|€/.test(all) ? ',' : '.';
};

/** How many column-header words a label holds (ITEM, QTY, U/P, PRICE, DESCRIPTION, AMOUNT…). */
const columnWords = (label: string): number =>
  [
    /\bITEMS?\b|\bARTICLES?\b/,
    /\bQTY\b|QUANTIT|\bQTE\b/,
    /\bU\/P\b|\bUNIT\b|\bPRICE\b|\bPRIX\b|\bRSP\b/,
    /DESCRIPTION|\bDESC\b|DESIGNATION|LIBELLE/,
    /AMOUNT|\bAMT\b|MONTANT/,
  ].filter((re) => re.test(label)).length;

const REGISTRATION_LINE =
  /(?:COMPANY|CO\.?|BUSINESS|GST|ROC|REG(?:ISTRATION)?|SSM)\s*(?:REG(?:\.|ISTRATION)?\s*)?(?:NO|NUMBER|#|ID)\b|^\W*\(?\s*\d{4,}[-\s]?[A-Z]\W*\)?\W*$/;
const OWNER_PREFIX =
  /^\W*(?:OWNED\s*BY|OWN\s*BY|DIMILIKI(?:\s*OLEH)?|OPERATED\s*BY|EXPLOITE\s*PAR|MANAGED\s*BY)\s*[:.-]?\s*/;

/** MERCI alone with punctuation around it ("MERCI !", "MERCI.", "*** MERCI ***"), read before the name is cleaned. */
const THANKS_ALONE = /^\s*(?:[^\w\s]\W*MERCI\W*|MERCI\s*[^\w\s]\W*)$/;

/** A line that ends with a conjunction continues on the next ("HOME MASTER HARDWARE &" / "ELECTRICAL"). */
const OPEN_END = /(?:&|\bAND|\bET)\s*$/;

/** Below this OCR confidence a header line is taken for a logo, stamp or handwriting (measured plateau 0.4–0.5). */
const MIN_VENDOR_CONFIDENCE = 0.5;

/** Picks the merchant name from the top of the receipt. */
const findVendor = (infos: readonly RowInfo[]): { name?: string; confidence: number } => {
  const letters = (s: string): number => (s.match(/[A-Za-zÀ-ÿ]/g) ?? []).length;
  const isAddress = (info: RowInfo): boolean => RE.address.test(info.label) && !RE.legalForm.test(info.label);
  const isNoise = (info: RowInfo): boolean => {
    const t = cleanVendor(info.label);
    if (letters(t) < 2) return true;
    // OCR that is unsure of a header line read a logo, a stamp or handwriting: not the name.
    if (info.row.confidence !== undefined && info.row.confidence < MIN_VENDOR_CONFIDENCE) return true;
    if (REGISTRATION_LINE.test(t)) return true;
    if ((RE.noiseHeader.test(t) || RE.tableLabel.test(t) || RE.thanksFr.test(t)) && !RE.legalForm.test(t)) return true;
    if (THANKS_ALONE.test(info.label)) return true;
    if (findDates(t).length > 0) return true;
    if (info.money.length > 0) return true;
    if (/^\W*\(.*\)\W*$/.test(t)) return true; // "(CO. NO. 113825-W)"
    return false;
  };
  // The header: rows before the address block and before the items.
  const header: RowInfo[] = [];
  let sawName = false;
  for (const info of infos) {
    if (header.length >= 10 || (info.row.rel > 0.45 && header.length > 0)) break;
    if (isAddress(info) && sawName) break;
    if (info.money.length > 0 && sawName) break;
    header.push(info);
    if (!isNoise(info) && !isAddress(info)) sawName = true;
  }
  const names = header.filter((h) => !isNoise(h) && !isAddress(h));
  const first = names[0];
  if (!first) return { confidence: 0 };
  const adjacent = (a: RowInfo, b: RowInfo): boolean => b.index === a.index + 1;
  const legal = names.find((h) => RE.legalForm.test(h.label));
  let parts: RowInfo[];
  let confidence: number;
  if (legal) {
    parts = [legal];
    const prev = names[names.indexOf(legal) - 1];
    const body = legal.label
      .replace(OWNER_PREFIX, '')
      .replace(RE.legalForm, ' ')
      .replace(/\(.*?\)|\W+/g, ' ')
      .trim();
    const continuation =
      /^\W*(?:CO\b|CO\.|\(M\)|SDN|BHD|S\/B|&|AND\b)/.test(legal.label) ||
      body.split(/\s+/).filter(Boolean).length <= 1 ||
      (prev !== undefined && OPEN_END.test(prev.label));
    if (prev && adjacent(prev, legal) && continuation) parts = [prev, legal];
    // "AIK HUAT HARDWARE ENTERPRISE (SETIA" / "ALAM) SDN BHD"
    const next = infos[legal.index + 1];
    if (next && (legal.label.match(/\(/g) ?? []).length > (legal.label.match(/\)/g) ?? []).length) parts.push(next);
    confidence = 0.85;
  } else {
    parts = [first];
    const next = names[1];
    // A name printed over several lines ("THE" / "ROTI", "HOME MASTER HARDWARE" / "& ELECTRICAL").
    if (
      next &&
      adjacent(first, next) &&
      (letters(first.label) <= 4 || /^\W*(?:&|AND\b|ET\b)/.test(next.label) || OPEN_END.test(first.label))
    ) {
      parts.push(next);
    }
    confidence = 0.6;
  }
  const checked = crossCheckName(
    cleanVendor(parts.map((p) => p.row.text).join(' ')),
    parts.map((p) => p.row),
    infos.filter((i) => !parts.includes(i)).map((i) => i.row),
  );
  // OCR rows only: a misread trade word ("BAKERLES" → BAKERIES); clean text is kept as printed.
  const name = parts.every((p) => p.row.confidence !== undefined) ? repairTradeWords(checked) : checked;
  return name ? { name, confidence } : { confidence: 0 };
};

/** Same length, exactly one letter different. */
const oneSubstitution = (a: string, b: string): boolean => {
  if (a.length !== b.length || a === b) return false;
  let diff = 0;
  for (let i = 0; i < a.length && diff < 2; i++) if (a[i] !== b[i]) diff++;
  return diff === 1;
};

/**
 * OCR rows only: a word of the name (5+ letters) that the receipt prints elsewhere with one letter different, read
 * there at least as confidently ("SANYO" in the header, "SANYU SUPPLY" and "Sanyu.Stationery" below), is taken in
 * that spelling. Shorter words (3+ letters) only when their neighbour in the name is printed next to them there too
 * ("Gld Town Kopitiam" under "OLD TOWN WHITE COFFEE"). Only one candidate spelling is accepted; rows without a
 * confidence (PDF text, clean lines) are left alone.
 */
const crossCheckName = (name: string, own: readonly Row[], others: readonly Row[]): string => {
  const conf = Math.min(...own.map((r) => r.confidence ?? Number.NaN));
  if (!name || Number.isNaN(conf)) return name;
  const words = new Set<string>();
  const pairs = new Set<string>();
  for (const r of others) {
    if (r.confidence === undefined || r.confidence < conf) continue;
    const ws = normalizeLabel(r.text).match(/\p{L}+/gu) ?? [];
    ws.forEach((w, i) => {
      words.add(w);
      if (i > 0) pairs.add(`${ws[i - 1]} ${w}`);
    });
  }
  const tokens = [...name.matchAll(/\p{L}+/gu)];
  const ups = tokens.map((m) => normalizeLabel(m[0]));
  // The legal form is already read against its known spellings.
  const legal = [...normalizeLabel(name).matchAll(new RegExp(RE.legalForm.source, 'g'))].map((m) => [
    m.index ?? 0,
    (m.index ?? 0) + m[0].length,
  ]);
  let out = '';
  let at = 0;
  tokens.forEach((m, i) => {
    const w = m[0];
    const up = ups[i] as string;
    if (up.length < 3 || words.has(up)) return;
    if (legal.some(([a = 0, b = 0]) => (m.index ?? 0) >= a && (m.index ?? 0) < b)) return;
    let alternatives: string[] = [];
    if (up.length >= 5) alternatives = [...words].filter((v) => up.length >= 5 && oneSubstitution(up, v));
    if (alternatives.length === 0) {
      const prev = ups[i - 1];
      const next = ups[i + 1];
      const inPair = (v: string): boolean =>
        (prev !== undefined && prev.length >= 3 && pairs.has(`${prev} ${v}`)) ||
        (next !== undefined && next.length >= 3 && pairs.has(`${v} ${next}`));
      alternatives = [...words].filter((v) => oneSubstitution(up, v) && inPair(v));
    }
    if (alternatives.length !== 1) return;
    const v = alternatives[0] as string;
    out += name.slice(at, m.index) + (w === w.toUpperCase() ? v : v.charAt(0) + v.slice(1).toLowerCase());
    at = (m.index ?? 0) + w.length;
  });
  return out + name.slice(at);
};

const sameLength3 = (a: string, b: string): number => {
  let same = 0;
  for (let i = 0; i < 3; i++) if (a[i] === b[i]) same++;
  return a.length === 3 && b.length === 3 ? same : -1;
};

/**
 * OCR misreadings of a two-word legal form ("SON BHD", "SDN 3HD", "Sdn End", "SL: BHD" for SDN BHD; "5/8" for S/B):
 * when one word is exact and the other has its length, or both are one character off, the pair is that legal form.
 */
export const repairLegalForm = (name: string): string => {
  const pair = /(^|\s)([^\s]{2,3}?)(\.?)(\s+)([^\s]{3})(\.?)(?=\s*(?:\(|$))/u.exec(name);
  let out = name;
  if (pair) {
    const [whole, lead = '', w1 = '', dot1 = '', gap = '', w2 = '', dot2 = ''] = pair;
    const a = w1.toUpperCase().padEnd(3, '?');
    const b = w2.toUpperCase();
    const s1 = sameLength3(a, 'SDN');
    const s2 = sameLength3(b, 'BHD');
    const ok = (s1 === 3 && s2 >= 0 && /^[A-Z0-9]{3}$/.test(b)) || (s2 === 3 && s1 >= 1) || (s1 === 2 && s2 === 2);
    if (ok && !(s1 === 3 && s2 === 3)) {
      const upper = w1 === w1.toUpperCase() || w2 === w2.toUpperCase();
      const fixed = upper ? `SDN${dot1}${gap}BHD${dot2}` : `Sdn${dot1}${gap}Bhd${dot2}`;
      out = name.slice(0, pair.index) + lead + fixed + name.slice(pair.index + whole.length);
    }
  }
  return out.replace(/(^|\s)[S5][/|][B8](?=\s*$)/, '$1S/B');
};

/**
 * After a legal form ("… SDN BHD", "… TRADING"), trailing tokens that are not words (a registration number cut by
 * OCR, specks read as "I . 7") are dropped; a parenthesised branch name ("(JALAN KLANG LAMA)") is kept.
 */
const dropTrailingJunk = (name: string): string => {
  const re = new RegExp(RE.legalForm.source, 'gi');
  let end = -1;
  for (const m of name.matchAll(re)) end = (m.index ?? 0) + m[0].length;
  if (end < 0) return name;
  const rest = name.slice(end).trim();
  if (!rest) return name;
  const tokens = rest.split(/\s+/);
  // Junk: a registration number or code mixing digits with letters or dashes ("ED118-A)"), or a speck ("2", "I", ".");
  // a plain number of three digits or more may be part of the name ("… ENTERPRISE 666").
  const junk = tokens.every(
    (t) =>
      (/\d/.test(t) && /[^\d]/.test(t)) ||
      (t.replace(/[^\p{L}]/gu, '').length <= 1 && t.replace(/\D/g, '').length <= 2),
  );
  return junk ? name.slice(0, end).trim() : name;
};

/**
 * Symbols and digits OCR reads in place of letters inside a word of a name, where no name has them: a currency sign or
 * a 0/1/5 between capitals ("A£ON", "K0PITIAM"), a closing bracket ending a lower-case word that opened none
 * ("BHPetro]").
 */
export const repairNameGlyphs = (s: string): string =>
  s
    .replace(/(?<=\p{Lu})[£€](?=\p{Lu})/gu, 'E')
    .replace(/(?<=\p{Lu})[015](?=\p{Lu})/gu, (d) => ({ '0': 'O', '1': 'I', '5': 'S' })[d] ?? d)
    .replace(/\S+/g, (w) => (/^[^[]*\p{Ll}{2}\]$/u.test(w) ? `${w.slice(0, -1)}l` : w));

/** Drops owner prefixes and trailing registration numbers ("(1248717-W)", "862725-U"). */
const cleanVendor = (s: string): string =>
  dropTrailingJunk(
    repairLegalForm(
      repairLegalForm(repairNameGlyphs(s.replace(/\s+/g, ' ').trim()))
        // A lone bar or slash between words is a scan speck or a column rule, never part of a name.
        .replace(/(?<=^|\s)[|/\\](?=\s|$)/g, ' ')
        .replace(/\s+/g, ' ')
        .replace(new RegExp(OWNER_PREFIX.source, 'i'), '')
        .replace(/^\d{5,}\s+/, '')
        .replace(/\s*\((?=[^)]*\d{3})[^)]*\)?.*$/, '')
        .replace(/\s+(?:CO\.?\s*(?:NO|REG)\.?\s*:?\s*)?\d{4,}[-\s]?[A-Z]\b.*$/, '')
        .replace(/^[^\p{L}\p{N}(]+|[^\p{L}\p{N}).]+$/gu, '')
        .trim(),
    ),
  );

interface Candidate {
  info: RowInfo;
  token: AmountToken;
  score: number;
  kind: 'strong' | 'plain' | 'tender' | 'subtotal' | 'derived' | 'fallback';
}

/** The amount a labelled row carries: its rightmost money token, else the next row's if that row has no label. */
const labelledAmount = (infos: readonly RowInfo[], i: number): AmountToken | undefined => {
  const info = infos[i] as RowInfo;
  const own = info.money[info.money.length - 1];
  if (own) return own;
  const next = infos[i + 1];
  if (next && next.money.length > 0 && letterCount(stripAmounts(next)) < 3) return next.money[next.money.length - 1];
  const prev = infos[i - 1];
  if (prev && prev.money.length === 1 && letterCount(stripAmounts(prev)) < 2) return prev.money[0];
  return undefined;
};

const letterCount = (s: string): number => (s.match(/[A-Z]/gi) ?? []).length;
const stripAmounts = (info: RowInfo, onlyMoney = false): string => {
  let s = info.row.text;
  for (const t of [...(onlyMoney ? info.money : info.amounts)].reverse()) s = s.slice(0, t.start) + s.slice(t.end);
  return s.replace(/\b(?:RM|EUR|MYR|USD)\b|[€$£]/gi, '');
};

/**
 * OCR rows only: a document number that starts with the date ("Invoice No: 2018041810090010447", YYYYMMDD and at least
 * four more digits) is a second reading of it. When it differs from the printed date by one digit (6/8, 3/8, 0/8 are
 * OCR's usual confusions), the more confidently read row is believed.
 */
const crossCheckDate = (iso: string, own: RowInfo, infos: readonly RowInfo[]): string => {
  const conf = own.row.confidence;
  if (conf === undefined) return iso;
  const printed = iso.replace(/-/g, '');
  for (const info of infos) {
    for (const m of info.row.text.matchAll(/(?<![\d.,/-])((?:19|20)\d{6})\d{4,}(?![\d.,/-])/g)) {
      const d = m[1] ?? '';
      if (d === printed) return iso;
      let diff = 0;
      for (let i = 0; i < 8; i++) if (d[i] !== printed[i]) diff++;
      const [y, mo, day] = [Number(d.slice(0, 4)), Number(d.slice(4, 6)), Number(d.slice(6, 8))];
      if (diff === 1 && isValidDate(y, mo, day) && (info.row.confidence ?? 0) > conf) return toIso(y, mo, day);
    }
  }
  return iso;
};

export interface ParseResult {
  receipt: ExtractedReceipt;
}

/** Parses rows of a receipt/invoice into the normalized receipt. */
export const parseReceiptRows = (
  rows: readonly Row[],
  engine: ExtractionEngine,
  hints: ParseHints = {},
): ExtractedReceipt => {
  const warnings: string[] = [];
  const decimal = detectDecimalSeparator(
    rows.map((r) => r.text),
    defaultDecimal(hints, rows),
  );
  const cur = detectCurrency(rows, hints);
  const currency = cur.code && cur.code !== '$' ? cur.code : UNKNOWN_CURRENCY;
  const order: DateOrder = dateOrderFor(hints.country, cur.code ?? hints.currency);

  const infos: RowInfo[] = rows.map((row, index) => {
    const { all, money } = rowAmounts(row, decimal);
    const percents: DecimalValue[] = [];
    for (const m of row.text.matchAll(PERCENT_RE)) {
      const p = parsePercent(m[1] ?? '');
      if (p) percents.push(p);
    }
    return { row, index, label: normalizeLabel(row.text), amounts: all, money, percents };
  });

  const receipt: ExtractedReceipt = { engine, vendor: {}, taxes: [], lineItems: [], confidence: {}, warnings };
  if (rows.length === 0) {
    warnings.push('no text found');
    return receipt;
  }

  // Vendor and identifiers.
  const vendor: VendorInfo = {};
  const v = findVendor(infos);
  if (v.name) {
    vendor.name = v.name;
    receipt.confidence.vendor = v.confidence;
  }
  for (const info of infos) {
    const ids = findCompanyIds(info.row.text);
    if (ids.vatNumber && !vendor.vatNumber) vendor.vatNumber = ids.vatNumber;
    if (ids.siret && !vendor.siret) vendor.siret = ids.siret;
    if (ids.siren && !vendor.siren) vendor.siren = ids.siren;
  }
  receipt.vendor = vendor;
  if (cur.code && cur.code !== '$') {
    receipt.currency = cur.code;
    receipt.confidence.currency = cur.confidence;
  }

  // Date.
  let bestDate: { iso: string; score: number; conf: number; info?: RowInfo } | undefined;
  for (const info of infos) {
    const ds = findDates(info.row.text, { order, ...(hints.now ? { now: hints.now } : {}) });
    for (const d of ds) {
      let score = d.confidence;
      if (RE.date.test(info.label)) score += 0.3;
      if (RE.badDate.test(info.label)) score -= 0.6;
      score -= info.row.rel * 0.1;
      if (!bestDate || score > bestDate.score) bestDate = { iso: d.iso, score, conf: d.confidence, info };
    }
  }
  if (bestDate?.info) bestDate.iso = crossCheckDate(bestDate.iso, bestDate.info, infos);
  if (!bestDate) {
    for (const info of infos) {
      const d = findCompactDates(info.row.text, hints.now ? { now: hints.now } : {})[0];
      if (d) {
        bestDate = { iso: d.iso, score: d.confidence, conf: d.confidence };
        break;
      }
    }
  }
  if (bestDate) {
    receipt.date = bestDate.iso;
    receipt.confidence.date = Math.max(0.1, Math.min(0.98, bestDate.conf * 0.95));
  }

  // Card.
  for (const info of infos) {
    const last4 = findCardLast4(info.row.text);
    if (last4) {
      receipt.cardLast4 = last4;
      receipt.confidence.cardLast4 = 0.85;
      break;
    }
  }

  // Classify rows.
  const kindOf = (info: RowInfo): 'total' | 'subtotal' | 'tax' | 'tip' | 'change' | 'tender' | 'rounding' | 'other' => {
    const l = info.label;
    // A column header ("ITEM  QTY  U/P  AMOUNT") labels a column, not an amount.
    if (info.money.length === 0 && columnWords(l) >= 2 && /AMOUNT|\bAMT\b|MONTANT|TOTAL/.test(l)) return 'other';
    if (/\bINCLU(?:DES?|DED|DING)\b/.test(l) && RE.tax.test(l)) return 'tax';
    if (/ROUNDING|ARRONDI|\bADJ/.test(l) && !/TOTAL/.test(l)) {
      const t = info.money[info.money.length - 1];
      return t && (t.value.units < 0n ? -t.value.units : t.value.units) >= 10n ** BigInt(t.value.scale)
        ? 'total'
        : 'rounding';
    }
    if (RE.subtotal.test(l) && !/TOTAL\s*T\.?T\.?C/.test(l)) return 'subtotal';
    if (RE.tip.test(l)) return 'tip';
    if (RE.change.test(l) && !RE.totalStrong.test(l)) return 'change';
    if (RE.notTotal.test(l)) return RE.tax.test(l) && !/TOTAL\s*(?:QTY|ITEMS?)/.test(l) ? 'tax' : 'other';
    if (RE.totalStrong.test(l) || RE.totalPlain.test(l)) {
      // "Incl. GST", also as OCR reads it ("Inci", "Inc1").
      if (RE.tax.test(l) && !/INCL|INC[I1|]?\b|\(INC|TTC|INCLUSIVE/.test(l)) return 'tax';
      return 'total';
    }
    if (RE.tax.test(l)) return 'tax';
    if (/^\W*(?:AMOUNT\s*)?DUE\b/.test(l)) return 'total';
    if (RE.tender.test(l) || /^\W*PAY\b/.test(l)) return 'tender';
    return 'other';
  };
  const kinds = infos.map(kindOf);
  // VAT summary tables ("GST SUMMARY / RATE NET GST", "TAUX HT TVA TTC"): their TOTAL row sums the table, not the bill.
  const taxTable = infos.map(() => false);
  const tableHeader = infos.map(() => false);
  // Column headers of the items table ("QTY UOM UNIT AMT" / "Price  Tax  Tax Code") are not a VAT summary.
  const itemsHeader = (i: number): boolean =>
    [i - 1, i].some(
      (k) =>
        k >= 0 &&
        /\bPRICE\b|\bQTY\b|QUANTIT|DESCRIPTION|\bITEMS?\b|ARTICLE|\bPRIX\b|\bQTE\b/.test((infos[k] as RowInfo).label),
    );
  for (let i = 0; i < infos.length; i++) {
    const l = (infos[i] as RowInfo).label;
    const header =
      /\b(?:TAUX|RATE|CODE)\b/.test(l) &&
      /\b(?:H\.?T|TVA|TTC|BASE|NET|GST|TAX|VAT|AMOUNT|MONTANT)\b/.test(l) &&
      (infos[i] as RowInfo).money.length === 0;
    if (header) tableHeader[i] = true;
    const summary =
      /(?:GST|TAX|VAT|TVA)\s*(?:SUMMARY|ANALYSIS|DETAIL)|DETAIL\s*(?:DE\s*LA\s*)?TVA|RECAP\w*\s*TVA|TAX\s*CODE|TAUX\s+(?:H\.?T|TVA|BASE)|(?:CODE|TVA)\s+TAUX|\bRATE\b.*\b(?:NET|GST|TAX|VAT)\b/.test(
        l,
      ) && (infos[i] as RowInfo).money.length === 0;
    if ((!header && !summary) || itemsHeader(i)) continue;
    let gap = 0;
    for (let k = i + 1; k < infos.length && k <= i + 10; k++) {
      const r = infos[k] as RowInfo;
      if (r.money.length === 0) {
        if (++gap > 1) break;
        continue;
      }
      gap = 0;
      taxTable[k] = true;
    }
  }

  // Subtotal.
  let subtotal: Money | undefined;
  let subtotalInfo: RowInfo | undefined;
  for (let i = 0; i < infos.length; i++) {
    if (kinds[i] !== 'subtotal' || taxTable[i] || tableHeader[i]) continue;
    const m = moneyOf(labelledAmount(infos, i), currency);
    if (m && m.minor > 0n) {
      subtotal = m;
      subtotalInfo = infos[i];
    }
  }

  // Taxes.
  const taxes: TaxLine[] = [];
  let taxConsistent = 0;
  let taxInconsistent = 0;
  const inTaxTable = (i: number): boolean => {
    for (let k = i; k >= Math.max(0, i - 6); k--) {
      const l = (infos[k] as RowInfo).label;
      if (RE.tax.test(l) && (/TAUX|RATE|%|\bHT\b|BASE|AMOUNT|MONTANT|SUMMARY|CODE/.test(l) || k === i)) return true;
    }
    return false;
  };
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i] as RowInfo;
    const kind = kinds[i];
    const rate = info.percents[0];
    const values = info.money.map((t) => t.value).filter((d) => d.units > 0n);
    if (rate && values.length > 0 && (kind === 'tax' || inTaxTable(i)) && kind !== 'total') {
      const ms = values.map((d) => decimalToMoney(d, currency)).filter((x): x is Money => Boolean(x));
      let line: TaxLine | undefined;
      // Try (base, vat) pairs in order, then (vat, gross).
      outer: for (let a = 0; a < ms.length; a++) {
        for (let b = 0; b < ms.length; b++) {
          if (a === b) continue;
          const base = ms[a] as Money;
          const vat = ms[b] as Money;
          if (near(vatOf(base.minor, rate), vat.minor)) {
            line = { rate: rateString(rate), base, amount: vat };
            taxConsistent++;
            break outer;
          }
          // (vat, gross): gross × rate / (100 + rate)
          const den = (100n * 10n ** BigInt(rate.scale) + rate.units) * 1n;
          const vatFromGross = (base.minor * rate.units * 2n + den) / (2n * den);
          if (near(vatFromGross, vat.minor) && base.minor > vat.minor) {
            line = { rate: rateString(rate), base: { minor: base.minor - vat.minor, currency }, amount: vat };
            taxConsistent++;
            break outer;
          }
        }
      }
      if (!line && ms.length === 1 && kind === 'tax') {
        line = { rate: rateString(rate), amount: ms[0] as Money };
      }
      if (!line && ms.length >= 2 && kind === 'tax') {
        taxInconsistent++;
        line = { rate: rateString(rate), amount: ms[ms.length - 1] as Money };
      }
      if (line && !taxes.some((t) => t.rate === line.rate && t.amount.minor === line.amount.minor)) taxes.push(line);
      continue;
    }
    if (kind === 'tax' && taxes.length === 0) {
      const m = moneyOf(labelledAmount(infos, i), currency);
      if (m && m.minor > 0n) taxes.push({ amount: m });
    }
  }
  // A lone "TVA 2,00" line followed by a table: keep only rated lines when there are some.
  // "TVA 20 % 208,33" under "TOTAL HT 1 041,67": the base is the subtotal when the arithmetic agrees.
  const lone = taxes.length === 1 ? taxes[0] : undefined;
  if (lone?.rate && !lone.base && subtotal) {
    const r = parsePercent(lone.rate.replace(/0+$/, '').replace(/\.$/, ''));
    if (r && near(vatOf(subtotal.minor, r), lone.amount.minor)) {
      lone.base = subtotal;
      taxConsistent++;
    }
  }
  // A rate read twice: the line whose base checks out wins over one read without a base ("GST 6% 22.00" printing
  // the gross beside the rate, above the summary "6% 20.75 1.25").
  const checked = new Set(taxes.filter((t) => t.rate !== undefined && t.base).map((t) => t.rate));
  const rated = taxes.filter((t) => t.rate !== undefined && (t.base || !checked.has(t.rate)));
  const finalTaxes = rated.length > 0 ? rated : taxes.slice(0, 1);
  receipt.taxes = finalTaxes;
  if (finalTaxes.length > 0) receipt.confidence.taxes = taxInconsistent > 0 ? 0.4 : taxConsistent > 0 ? 0.9 : 0.6;
  const taxSum = finalTaxes.reduce((s, t) => s + t.amount.minor, 0n);

  // Tip.
  for (let i = 0; i < infos.length; i++) {
    if (kinds[i] !== 'tip') continue;
    const m = moneyOf(labelledAmount(infos, i), currency);
    if (m && m.minor > 0n) {
      receipt.tip = m;
      receipt.confidence.tip = 0.8;
    }
  }

  // Tendered and change (cash 60.00, change 6.70 → paid 53.30).
  let tendered: bigint | undefined;
  let change: bigint | undefined;
  for (let i = 0; i < infos.length; i++) {
    const m = moneyOf(labelledAmount(infos, i), currency);
    if (!m) continue;
    const l = (infos[i] as RowInfo).label;
    const tenderLike = kinds[i] === 'tender' || (RE.tender.test(l) && !RE.change.test(l) && kinds[i] === 'total');
    if (tenderLike && tendered === undefined) tendered = absMinor(m);
    if (kinds[i] === 'change' && change === undefined) change = absMinor(m);
  }
  const paid = tendered !== undefined ? tendered - (change ?? 0n) : undefined;

  // Cash rounding ("ROUNDING ADJ -0.02"): the rounded amount is the one paid.
  const roundings: bigint[] = [];
  for (let i = 0; i < infos.length; i++) {
    if (kinds[i] !== 'rounding') continue;
    const m = moneyOf(labelledAmount(infos, i), currency);
    if (m && m.minor !== 0n) roundings.push(m.minor);
  }

  // Total candidates.
  const cands: Candidate[] = [];
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i] as RowInfo;
    const kind = kinds[i];
    if (taxTable[i]) continue;
    const token = labelledAmount(infos, i);
    if (!token || token.value.units <= 0n) continue;
    // "TOTAL INCLUDES GST 0% 8.20" is sometimes the total, sometimes the VAT it contains: a weak candidate.
    if (kind === 'tax' && /TOTAL.*INCLU(?:DES?|DED)/.test(info.label)) {
      cands.push({ info, token, score: 5, kind: 'plain' });
      continue;
    }
    if (kind !== 'total' && kind !== 'tender' && kind !== 'subtotal') continue;
    const strong = kind === 'total' && RE.totalStrong.test(info.label);
    const k: Candidate['kind'] =
      kind === 'tender' ? 'tender' : kind === 'subtotal' ? 'subtotal' : strong ? 'strong' : 'plain';
    let score = k === 'strong' ? 10 : k === 'plain' ? 8 : k === 'subtotal' ? 4 : 3;
    if (/ROUND/.test(info.label) && kind === 'total') score += 1;
    if (/^\W*TOTAL\b/.test(info.label) && kind === 'total') score += 0.5;
    // "TOTAL 6% SUPPLIES": a partial total per VAT rate.
    if (info.percents.length > 0 && kind === 'total' && !strong) score -= 1.5;
    // "65.0" where the currency has two decimals: OCR dropped a digit.
    if (token.value.scale > 0 && token.value.scale < currencyExponent(currency)) score -= 3;
    cands.push({ info, token, score, kind: k });
  }
  // Unlabelled amounts that the arithmetic designates (tendered − change, subtotal + taxes + rounding).
  const roundSum = roundings.reduce((a, b) => a + b, 0n);
  const sumTotal = subtotal !== undefined && taxSum > 0n ? subtotal.minor + taxSum + roundSum : undefined;
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i] as RowInfo;
    if (taxTable[i] || kinds[i] === 'tax' || kinds[i] === 'change') continue;
    for (const token of info.money) {
      const m = moneyOf(token, currency);
      if (!m || m.minor <= 0n) continue;
      const byPaid = paid !== undefined && paid > 0n && m.minor === paid;
      const bySum =
        subtotal !== undefined && taxSum > 0n && (m.minor === subtotal.minor + taxSum || m.minor === sumTotal);
      if ((byPaid || bySum) && !cands.some((c) => c.token === token)) {
        cands.push({ info, token, score: 5, kind: 'derived' });
      }
    }
  }
  // Totals the arithmetic computes but OCR did not print readably (the total label's amount lost): cash − change,
  // subtotal + taxes + rounding. Weak alone; stronger when a total or tender row holds the same digits without their
  // decimal point ("CASH : 24805"), or when both computations agree.
  const lostPoint = new Set<bigint>();
  for (let i = 0; i < infos.length; i++) {
    if (taxTable[i] || (kinds[i] !== 'total' && kinds[i] !== 'tender')) continue;
    for (const t of (infos[i] as RowInfo).amounts) {
      if (!t.hasDecimals && t.value.scale === 0 && t.text.replace(/\D/g, '').length >= 3) lostPoint.add(t.value.units);
    }
  }
  const exponent = currencyExponent(currency);
  const computed: Array<{ minor: bigint; info: RowInfo }> = [];
  const changeInfo = infos.find((_, i) => kinds[i] === 'change');
  if (paid !== undefined && paid > 0n && change !== undefined && change > 0n && changeInfo) {
    computed.push({ minor: paid, info: changeInfo });
  }
  if (sumTotal !== undefined && sumTotal > 0n && subtotalInfo) computed.push({ minor: sumTotal, info: subtotalInfo });
  // A tax total printed without its decimal point ("Total GST : 571"): subtotal + that tax + rounding, a computed total
  // that still has to agree with another computation (cash − change) to be proposed.
  if (subtotal) {
    for (let i = 0; i < infos.length; i++) {
      const info = infos[i] as RowInfo;
      if (kinds[i] !== 'tax' || info.money.length > 0 || !/TOTAL|AMOUNT|\bAMT\b/.test(info.label)) continue;
      if ((info.row.text.match(/\d/g) ?? []).length > 4) continue;
      const t = info.amounts.find((a) => !a.hasDecimals && /^\d{3,4}$/.test(a.text.trim()));
      if (t) computed.push({ minor: subtotal.minor + t.value.units + roundSum, info });
    }
  }
  // Totals per VAT rate ("Total 0% supplies 25.32", "Total 6% supplies (incl. GST) 40.18"): their sum is the total.
  const perRate = new Map<string, bigint>();
  let perRateInfo: RowInfo | undefined;
  for (const c of cands) {
    const rate = c.info.percents[0];
    if (c.kind !== 'plain' || !rate || c.info.percents.length !== 1 || taxTable[c.info.index]) continue;
    const key = rateString(rate);
    const m = moneyOf(c.token, currency)?.minor;
    if (m !== undefined && !perRate.has(key)) perRate.set(key, m);
    perRateInfo = c.info;
  }
  const rateSum = perRate.size >= 2 ? [...perRate.values()].reduce((a, b) => a + b, 0n) : undefined;
  if (rateSum !== undefined && perRateInfo) computed.push({ minor: rateSum, info: perRateInfo });
  const labelledTotal = cands.some((c) => c.kind === 'strong' || c.kind === 'plain');
  // A printed total plus the printed rounding adjustment ("TOTAL 33.92", "ROUNDING -0.02"): the rounded total, which
  // OCR may have misread on its own line ("TOTAL ROUNDED 33.80").
  // Only when a total is printed below the adjustment (the rounded total): otherwise the total printed is the one due.
  const roundedInfo = infos.find((_, i) => kinds[i] === 'rounding');
  const roundedLabel =
    roundedInfo && cands.some((c) => (c.kind === 'strong' || c.kind === 'plain') && c.info.index > roundedInfo.index);
  if (roundedLabel) {
    for (const c of cands) {
      if (c.kind !== 'strong' && c.kind !== 'plain') continue;
      const m = moneyOf(c.token, currency)?.minor;
      for (const r of roundings) if (m !== undefined && m + r > 0n) computed.push({ minor: m + r, info: c.info });
    }
  }
  for (const { minor, info } of computed) {
    if (cands.some((c) => moneyOf(c.token, currency)?.minor === minor)) continue;
    // Two independent computations give the same amount (cash − change = total + rounding): strong evidence.
    const agreed = new Set(computed.filter((x) => x.minor === minor).map((x) => x.info)).size > 1;
    if (agreed) {
      const token: AmountToken = {
        value: { units: minor, scale: exponent },
        text: '',
        start: 0,
        end: 0,
        hasDecimals: true,
      };
      cands.push({ info, token, score: 10, kind: 'derived' });
      continue;
    }
    // Only where no total label carries an amount, unless corroborated (labels and values can be mis-paired).
    if (minor === rateSum) {
      const token: AmountToken = {
        value: { units: minor, scale: exponent },
        text: '',
        start: 0,
        end: 0,
        hasDecimals: true,
      };
      cands.push({ info, token, score: 7, kind: 'derived' });
      continue;
    }
    if (labelledTotal && !agreed && !lostPoint.has(minor)) continue;
    const token: AmountToken = {
      value: { units: minor, scale: exponent },
      text: '',
      start: 0,
      end: 0,
      hasDecimals: true,
    };
    cands.push({ info, token, score: 4 + (lostPoint.has(minor) ? 2 : 0), kind: 'derived' });
  }
  if (cands.length === 0) {
    // No label: the largest amount printed twice, else the largest amount.
    const counts = new Map<string, { token: AmountToken; info: RowInfo; n: number }>();
    for (const info of infos) {
      for (const t of info.money) {
        if (t.value.units <= 0n) continue;
        const key = decimalToString(t.value, 2);
        const c = counts.get(key);
        if (c) c.n++;
        else counts.set(key, { token: t, info, n: 1 });
      }
    }
    for (const c of counts.values()) {
      cands.push({ info: c.info, token: c.token, score: c.n > 1 ? 2 : 1, kind: 'fallback' });
    }
  }

  const amountOf = new Map<Candidate, bigint>();
  for (const c of cands) {
    const m = moneyOf(c.token, currency);
    if (m) amountOf.set(c, m.minor);
  }
  // Tendered amounts: a candidate minus the change equals another candidate.
  const isTendered = (c: Candidate): boolean => {
    const m = amountOf.get(c);
    if (m === undefined || change === undefined || change <= 0n) return false;
    return cands.some((o) => o !== c && amountOf.get(o) === m - change);
  };
  const maxLabelled = cands
    .filter((c) => (c.kind === 'strong' || c.kind === 'plain') && !isTendered(c))
    .reduce<bigint>((mx, c) => {
      const m = amountOf.get(c) ?? 0n;
      return m > mx ? m : mx;
    }, 0n);
  const maxFb = maxFallback(cands, currency);
  let best: { c: Candidate; score: number; money: Money } | undefined;
  for (const c of cands) {
    const minor = amountOf.get(c);
    if (minor === undefined) continue;
    const labelled = c.kind === 'strong' || c.kind === 'plain';
    let score = c.score;
    if (paid !== undefined && paid > 0n && paid === minor) score += 2;
    if (subtotal && taxSum > 0n && (near(subtotal.minor + taxSum, minor) || minor === sumTotal)) score += 2;
    if (rateSum !== undefined && minor === rateSum) score += 2;
    // "Gross Amount 40.00", "Total GST 2.40", "Sub Total 42.40", no total with an amount below: the "subtotal" is the
    // amount after tax, the labelled amount above it the one before.
    if (c.kind === 'subtotal' && taxSum > 0n && !cands.some((o) => o.kind === 'strong')) {
      const before = cands.find(
        (o) => o.kind === 'plain' && o.info.index < c.info.index && amountOf.get(o) === minor - taxSum,
      );
      if (before && !cands.some((o) => o.kind === 'plain' && o.info.index > c.info.index)) score += 6;
    }
    if (subtotal && subtotal.minor === minor && taxSum === 0n) score += 0.5;
    if (labelled && minor === maxLabelled) score += 1;
    // Cash rounding: the labelled amount that is another labelled amount plus the printed adjustment.
    if (
      labelled &&
      roundings.length > 0 &&
      cands.some((o) => {
        const om = amountOf.get(o);
        return o !== c && om !== undefined && roundings.some((r) => om + r === minor);
      })
    )
      score += 3.5;
    if (isTendered(c)) score -= 4;
    if (c.kind === 'fallback' && minor === maxFb) score += 1;
    // Later totals win ties (the final amount after rounding/discounts).
    score += c.info.row.rel * 0.3;
    if (!best || score > best.score) best = { c, score, money: { minor, currency } };
  }

  if (best) {
    receipt.total = best.money;
    const base = { strong: 0.85, plain: 0.75, tender: 0.6, subtotal: 0.55, derived: 0.6, fallback: 0.35 };
    let conf = base[best.c.kind];
    const t = best.money.minor;
    if (paid !== undefined && paid > 0n) conf += near(paid, t, 0n) ? 0.08 : -0.05;
    const bases = finalTaxes.every((x) => x.base) ? finalTaxes.reduce((sum, x) => sum + (x.base?.minor ?? 0n), 0n) : 0n;
    if (bases > 0n && near(bases + taxSum, t, BigInt(finalTaxes.length))) conf += 0.08;
    if (subtotal && taxSum > 0n) {
      if (near(subtotal.minor + taxSum, t)) conf += 0.08;
      else if (!near(subtotal.minor, t)) {
        conf -= 0.15;
        warnings.push('subtotal + taxes does not match the total');
      }
    }
    receipt.confidence.total = Math.max(0.05, Math.min(0.99, conf));
  } else {
    warnings.push('no total found');
  }
  if (subtotal) {
    receipt.subtotal = subtotal;
    receipt.confidence.subtotal = receipt.total && subtotal.minor <= receipt.total.minor ? 0.8 : 0.4;
  }

  // Line items: rows above the first total/subtotal with a description and a rightmost amount.
  const firstSummary = infos.findIndex(
    (info, i) => (kinds[i] === 'total' || kinds[i] === 'subtotal') && info.money.length > 0,
  );
  const end = firstSummary >= 0 ? firstSummary : infos.length;
  const items: LineItem[] = [];
  for (let i = 0; i < end; i++) {
    const info = infos[i] as RowInfo;
    if (kinds[i] !== 'other' || info.money.length === 0 || info.row.rel < 0.05) continue;
    if (findDates(info.row.text).length > 0) continue;
    const last = info.money[info.money.length - 1] as AmountToken;
    const desc = stripAmounts(info, true)
      .replace(/\s+/g, ' ')
      .replace(/\s+[A-Z]{1,2}$/, '')
      .replace(/\b\d+\s*[xX×*]\s*$/, '')
      .trim();
    if (letterCount(desc) < 2) {
      // "2 X 4.50" under the description row: attach to the previous item.
      const q = /(\d+(?:[.,]\d+)?)\s*[xX×*]\s*/.exec(info.row.text);
      const prev = items[items.length - 1];
      if (q && prev && prev.quantity === undefined && info.money.length >= 1) {
        prev.quantity = (q[1] ?? '1').replace(',', '.');
        const unit = info.money[0] as AmountToken;
        prev.unitPrice = decimalToString(unit.value);
        if (info.money.length >= 2 || !prev.amount) {
          const amt = moneyOf(last, currency);
          if (amt) prev.amount = amt;
        }
      }
      continue;
    }
    const item: LineItem = { description: desc.replace(/[\s:.-]+$/, '') };
    const amt = moneyOf(last, currency);
    if (amt) item.amount = amt;
    const q = /(?:^|\s)(\d+(?:[.,]\d+)?)\s*[xX×*]\s*(?=\S)/.exec(info.row.text);
    if (q && info.money.length >= 2) {
      item.quantity = (q[1] ?? '1').replace(',', '.');
      item.unitPrice = decimalToString((info.money[0] as AmountToken).value);
    } else if (amt) {
      // "2 x Croissant   2,40": a leading whole quantity, the unit price when it divides exactly.
      const lead = /^\s*(\d{1,3})\s*[xX×*]\s+(?=\p{L})/u.exec(info.row.text);
      const n = lead ? BigInt(lead[1] ?? '1') : 0n;
      if (n > 1n) {
        item.description = item.description.replace(/^\s*\d{1,3}\s*[xX×*]\s+/, '');
        item.quantity = n.toString();
        if (amt.minor % n === 0n) {
          const exp = currencyExponent(currency);
          item.unitPrice = decimalToString({ units: amt.minor / n, scale: exp });
        }
      }
    }
    const rate = info.percents[0];
    if (rate) item.taxRate = rateString(rate);
    items.push(item);
  }
  receipt.lineItems = items;
  if (items.length > 0) {
    const sum = items.reduce((s, li) => s + (li.amount?.minor ?? 0n), 0n);
    const target = receipt.total?.minor;
    const match = target !== undefined && (near(sum, target) || (subtotal !== undefined && near(sum, subtotal.minor)));
    receipt.confidence.lineItems = match ? 0.85 : 0.4;
    if (match && receipt.confidence.total !== undefined) {
      receipt.confidence.total = Math.min(0.99, receipt.confidence.total + 0.05);
    }
  }

  // Taxes vs total: VAT can never exceed the total.
  if (receipt.total && taxSum > receipt.total.minor && receipt.confidence.taxes !== undefined) {
    receipt.confidence.taxes = 0.2;
    warnings.push('taxes exceed the total');
  }
  if (!receipt.date) warnings.push('no date found');
  if (!receipt.vendor.name) warnings.push('no vendor found');
  return receipt;
};

const maxFallback = (cands: readonly Candidate[], currency: string): bigint => {
  let mx = 0n;
  for (const c of cands) {
    if (c.kind !== 'fallback') continue;
    const m = moneyOf(c.token, currency);
    if (m && m.minor > mx) mx = m.minor;
  }
  return mx;
};
