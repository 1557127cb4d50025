/** Company identifiers printed on receipts and invoices, with their checksums: SIREN, SIRET, EU VAT numbers. */

export const luhnValid = (digits: string): boolean => {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
};

export const isValidSiren = (siren: string): boolean => /^\d{9}$/.test(siren) && luhnValid(siren);

export const isValidSiret = (siret: string): boolean => {
  if (!/^\d{14}$/.test(siret)) return false;
  // La Poste's establishments (SIREN 356000000) use a sum-of-digits rule instead of Luhn.
  if (siret.startsWith('356000000')) {
    return [...siret].reduce((s, c) => s + Number(c), 0) % 5 === 0;
  }
  return luhnValid(siret);
};

/** French VAT key: FR + 2-digit key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97. */
export const frenchVatKey = (siren: string): string => String((12 + 3 * (Number(siren) % 97)) % 97).padStart(2, '0');

export const isValidFrenchVat = (vat: string): boolean => {
  const m = /^FR(\d{2})(\d{9})$/.exec(vat);
  if (!m) return false;
  const [, key = '', siren = ''] = m;
  return isValidSiren(siren) && frenchVatKey(siren) === key;
};

/** Format of EU VAT numbers (no checksum except FR, which has one). */
const EU_VAT: Readonly<Record<string, RegExp>> = {
  AT: /^ATU\d{8}$/,
  BE: /^BE[01]\d{9}$/,
  DE: /^DE\d{9}$/,
  ES: /^ES[A-Z0-9]\d{7}[A-Z0-9]$/,
  FR: /^FR[0-9A-Z]{2}\d{9}$/,
  GB: /^GB(?:\d{9}|\d{12})$/,
  IT: /^IT\d{11}$/,
  LU: /^LU\d{8}$/,
  NL: /^NL\d{9}B\d{2}$/,
  PT: /^PT\d{9}$/,
  IE: /^IE\d{7}[A-Z]{1,2}$|^IE\d[A-Z+*]\d{5}[A-Z]$/,
  DK: /^DK\d{8}$/,
  SE: /^SE\d{12}$/,
  PL: /^PL\d{10}$/,
  CH: /^CHE\d{9}(?:MWST|TVA|IVA)?$/,
};

export const isPlausibleVatNumber = (vat: string): boolean => {
  const cc = vat.slice(0, 2);
  const re = EU_VAT[cc];
  if (!re?.test(vat)) return false;
  return cc === 'FR' && /^FR\d{2}/.test(vat) ? isValidFrenchVat(vat) : true;
};

export interface CompanyIds {
  vatNumber?: string;
  siren?: string;
  siret?: string;
}

/** Finds identifiers in a line; only checksum-valid SIREN/SIRET/FR VAT numbers are kept. */
export const findCompanyIds = (text: string): CompanyIds => {
  const out: CompanyIds = {};
  const upper = text.toUpperCase();
  // Overlapping scan: "TVA FR44 732…" must still find the number starting at "FR".
  for (const m of upper.matchAll(/(?=\b([A-Z]{2,3})[\s.-]?((?:[0-9A-Z][\s.-]?){7,13}[0-9A-Z])(?![0-9A-Z]))/g)) {
    const compact = `${m[1]}${(m[2] ?? '').replace(/[\s.-]/g, '')}`;
    for (let len = Math.min(compact.length, 15); len >= 10 && !out.vatNumber; len--) {
      if (isPlausibleVatNumber(compact.slice(0, len))) out.vatNumber = compact.slice(0, len);
    }
    if (out.vatNumber) break;
  }
  const siretRe = /(?<!\d)(\d{3}[\s.]?\d{3}[\s.]?\d{3}[\s.]?\d{5})(?!\d)/g;
  for (const m of upper.matchAll(siretRe)) {
    const digits = (m[1] ?? '').replace(/[\s.]/g, '');
    if (isValidSiret(digits)) {
      out.siret = digits;
      out.siren = digits.slice(0, 9);
      break;
    }
  }
  if (!out.siren && /SIREN|RCS|R\.C\.S|SIRET/.test(upper)) {
    for (const m of upper.matchAll(/(?<!\d)(\d{3}[\s.]?\d{3}[\s.]?\d{3})(?![\d])/g)) {
      const digits = (m[1] ?? '').replace(/[\s.]/g, '');
      if (isValidSiren(digits)) {
        out.siren = digits;
        break;
      }
    }
  }
  if (!out.siren && out.vatNumber && isValidFrenchVat(out.vatNumber)) out.siren = out.vatNumber.slice(4);
  return out;
};

/** Last 4 digits of a masked card number ("************1234", "XXXX XXXX XXXX 1234", "CB ...1234"). */
export const findCardLast4 = (text: string): string | undefined => {
  const masked = /(?:[*Xx#•.]{2,}[\s-]?){1,4}(\d{4})(?!\d)/.exec(text);
  if (masked) return masked[1];
  // "**** VISA 3433": the mask, the network, then the digits.
  const branded = /[*Xx#•]{4}[\s-]*(?:VISA|MASTERCARD|MC|AMEX|CB|MAESTRO)\s*(\d{4})(?!\d)/i.exec(text);
  if (branded) return branded[1];
  const labelled =
    /(?:CARD|CARTE|CB|VISA|MASTERCARD|AMEX|N°\s*CARTE)\D{0,20}?(?:\d{4,6}[\s*Xx#]+){1,3}(\d{4})(?!\d)/i.exec(text);
  return labelled?.[1];
};
