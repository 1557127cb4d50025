/** Which parts of an e-mail can be a receipt, decided from the bytes (magic numbers), not only the label. */

export type ReceiptFileKind = 'pdf' | 'jpeg' | 'png' | 'webp' | 'tiff' | 'heic' | 'xml' | 'html' | 'txt';

export const CONTENT_TYPES: Readonly<Record<ReceiptFileKind, string>> = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tiff: 'image/tiff',
  heic: 'image/heic',
  xml: 'application/xml',
  html: 'text/html',
  txt: 'text/plain',
};

const startsWith = (bytes: Uint8Array, sig: readonly number[], offset = 0): boolean =>
  sig.every((b, i) => bytes[offset + i] === b);

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));

/** Detects the file kind from its first bytes; null when it cannot be a receipt document. */
export const sniffReceiptKind = (bytes: Uint8Array): ReceiptFileKind | null => {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (ascii(bytes, 4, 8) === 'ftyp' && /^(heic|heix|mif1|msf1|heif)$/.test(ascii(bytes, 8, 12))) return 'heic';
  const head = ascii(bytes, 0, 512)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('<?xml') || /^<(\w+:)?(Invoice|CrossIndustryInvoice|CreditNote)\b/.test(head)) {
    return /(CrossIndustryInvoice|urn:oasis:names:specification:ubl|<(\w+:)?Invoice\b|<(\w+:)?CreditNote\b)/.test(
      ascii(bytes, 0, 4096),
    )
      ? 'xml'
      : null;
  }
  return null;
};

export interface MailPart {
  fileName: string | null;
  contentType: string;
  bytes: Uint8Array;
  /** Inline parts referenced from the HTML body (logos, signatures) have a content id. */
  inline: boolean;
}

/** Inline images below this size are signature logos and tracking pixels, not receipts. */
export const MIN_INLINE_IMAGE_BYTES = 20 * 1024;

export type PartVerdict = { keep: true; kind: ReceiptFileKind } | { keep: false; reason: string };

export const classifyPart = (part: MailPart): PartVerdict => {
  if (part.bytes.length === 0) return { keep: false, reason: 'empty file' };
  const kind = sniffReceiptKind(part.bytes);
  if (!kind) return { keep: false, reason: `not a receipt format (${part.contentType})` };
  if (part.inline && kind !== 'pdf' && kind !== 'xml' && part.bytes.length < MIN_INLINE_IMAGE_BYTES) {
    return { keep: false, reason: 'small inline image (logo or signature)' };
  }
  return { keep: true, kind };
};

const word = (alternatives: string) => new RegExp(`(?:^|[^\\p{L}])(?:${alternatives})(?=$|[^\\p{L}])`, 'iu');
const RECEIPT_WORDS = word(
  'total|montant|ttc|amount|paid|payé|reçu|recu|receipt|facture|invoice|order|commande|trip|course|subtotal|tva|vat',
);
const DOCUMENT_WORDS = word(
  'reçu|recu|receipt|facture|invoice|order|commande|course|trajet|trip|ride|paiement|payment',
);
const AMOUNT = /(\d[\d\s.,]*\d|\d)\s*(€|eur|usd|\$|£|gbp|chf)|(€|\$|£)\s*\d/i;

/**
 * Whether an e-mail body is itself a receipt (ride-hailing, marketplaces, SaaS): it names a total or a
 * payment and shows an amount with a currency. Bulk mail (List-Unsubscribe: newsletters, but also many
 * e-commerce receipts) must also call itself a receipt, invoice or order.
 */
export const bodyLooksLikeReceipt = (text: string, isBulk: boolean): boolean =>
  RECEIPT_WORDS.test(text) && AMOUNT.test(text) && (!isBulk || DOCUMENT_WORDS.test(text));
