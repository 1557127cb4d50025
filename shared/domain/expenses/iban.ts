/** IBAN (ISO 13616: country length + mod-97 check digits) and BIC (ISO 9362) validation for reimbursements. */

/** IBAN length per country (country code + length), from the SWIFT IBAN registry. */
const IBAN_REGISTRY = [
  'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28',
  'EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27',
  'JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18',
  'NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28',
  'TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30',
].join(' ');

export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.fromEntries(
  IBAN_REGISTRY.split(' ').map((e) => [e.slice(0, 2), Number(e.slice(2))]),
);

/** Spaces removed, upper case: the electronic form. */
export const normalizeIban = (iban: string): string => iban.replace(/[\s-]+/g, '').toUpperCase();

/** ISO 7064 mod 97-10 over the rearranged IBAN (letters → 10..35), streamed so no big integer is needed. */
export const ibanMod97 = (iban: string): number => {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = value >= 10 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
  }
  return rest;
};

export type IbanCheck = { ok: true; iban: string; country: string } | { ok: false; reason: string };

export const validateIban = (input: string): IbanCheck => {
  const iban = normalizeIban(input);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban))
    return { ok: false, reason: 'not an IBAN: 2 letters, 2 digits, then letters and digits' };
  const country = iban.slice(0, 2);
  const length = IBAN_LENGTHS[country];
  if (length === undefined) return { ok: false, reason: `${country} does not use IBANs` };
  if (iban.length !== length)
    return { ok: false, reason: `a ${country} IBAN has ${length} characters, not ${iban.length}` };
  if (ibanMod97(iban) !== 1) return { ok: false, reason: 'wrong check digits' };
  return { ok: true, iban, country };
};

/** Computes the two check digits for a country + BBAN (used to build test data and to suggest corrections). */
export const ibanCheckDigits = (country: string, bban: string): string => {
  const rest = ibanMod97(`${country}00${bban.toUpperCase()}`);
  return String(98 - rest).padStart(2, '0');
};

/** BIC: 4 letters (institution), 2 letters (country), 2 alphanumerics (location), optionally 3 (branch). */
const BIC_RE = /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
/** The pain.001.001.03 XSD's BICIdentifier pattern, stricter on the location code. */
export const XSD_BIC_RE = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/;

export const validateBic = (input: string): { ok: true; bic: string } | { ok: false; reason: string } => {
  const bic = input.replace(/\s+/g, '').toUpperCase();
  if (!BIC_RE.test(bic))
    return { ok: false, reason: 'a BIC has 8 or 11 characters: bank (4 letters), country, location, branch' };
  if (!XSD_BIC_RE.test(bic))
    return { ok: false, reason: 'location code not allowed by ISO 9362 (7th character not 0 or 1, 8th not O)' };
  return { ok: true, bic };
};
