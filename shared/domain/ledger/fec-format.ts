/** The FEC's fixed vocabulary (LPF art. A.47 A-1; ../shared/data/fec-spec/fmt_arrete.utf8.txt). */

/** The 18 mandatory columns, in this order. */
export const FEC_COLUMNS = [
  'JournalCode',
  'JournalLib',
  'EcritureNum',
  'EcritureDate',
  'CompteNum',
  'CompteLib',
  'CompAuxNum',
  'CompAuxLib',
  'PieceRef',
  'PieceDate',
  'EcritureLib',
  'Debit',
  'Credit',
  'EcritureLet',
  'DateLet',
  'ValidDate',
  'Montantdevise',
  'Idevise',
] as const;
export type FecColumn = (typeof FEC_COLUMNS)[number];

/** The variant allowed when the system has no debit/credit columns: Montant and Sens at positions 12 and 13. */
export const FEC_COLUMNS_MONTANT_SENS = [
  ...FEC_COLUMNS.slice(0, 11),
  'Montant',
  'Sens',
  ...FEC_COLUMNS.slice(13),
] as const;

/** "2024-03-05" → "20240305". */
export const fecDate = (isoDate: string): string => isoDate.slice(0, 10).replaceAll('-', '');

/** Minor units → "1234,56": decimal comma, no thousands separator, sign first. */
export const fecAmount = (minor: bigint, exponent: number): string => {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `,${digits.slice(digits.length - exponent)}` : ''}`;
};

/** Text fields may hold neither the separators (tab, "|") nor line breaks. */
export const fecText = (s: string): string => s.replace(/[\t|\r\n]+/g, ' ').trim();

/** `<SIREN>FEC<AAAAMMJJ>.txt`, the date being the closing date of the fiscal year (LPF art. A.47 A-1, IX). */
export const fecFileName = (siren: string, closingDate: string): string => {
  if (!/^\d{9}$/.test(siren)) throw new Error(`invalid SIREN "${siren}": 9 digits expected`);
  return `${siren}FEC${fecDate(closingDate)}.txt`;
};

export const FEC_FILE_NAME_RE = /^(\d{9})FEC(\d{8})(?:_\d+)?(?:\.(?:txt|csv|xml))?$/i;
