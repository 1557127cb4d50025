/**
 * Entries → FEC (fichier des écritures comptables), the flat-file form of LPF art. A.47 A-1: a header line with the
 * 18 columns of fmt_arrete in order, one line per entry line, tab-separated, CRLF, UTF-8, dates AAAAMMJJ, amounts
 * with a decimal comma and no thousands separator, the unused side of a line as 0,00 (never both sides non-zero).
 * Lines are ordered by validation (ValidDate = posting instant), then journal and number: "classées par ordre
 * chronologique de validation". PieceRef is the stable id the API resolves to the receipt or expense and its
 * document SHA-256.
 */
import { currencyExponent } from '../money.ts';
import { FEC_COLUMNS, fecAmount, fecDate, fecFileName, fecText } from './fec-format.ts';
import type { PostedEntry } from './model.ts';

export interface FecExportOptions {
  siren: string;
  /** Closing date of the fiscal year, YYYY-MM-DD: it names the file. */
  closingDate: string;
}

export interface FecFile {
  fileName: string;
  content: string;
  lineCount: number;
}

const SEP = '\t';
const EOL = '\r\n';

const byValidation = (a: PostedEntry, b: PostedEntry): number =>
  a.postedAt < b.postedAt
    ? -1
    : a.postedAt > b.postedAt
      ? 1
      : a.journal < b.journal
        ? -1
        : a.journal > b.journal
          ? 1
          : a.fiscalYear < b.fiscalYear
            ? -1
            : a.fiscalYear > b.fiscalYear
              ? 1
              : a.number - b.number;

export const exportFec = (entries: readonly PostedEntry[], opts: FecExportOptions): FecFile => {
  const fileName = fecFileName(opts.siren, opts.closingDate);
  const sorted = [...entries].sort(byValidation);
  const out: string[] = [FEC_COLUMNS.join(SEP)];
  for (const e of sorted) {
    if (e.status !== 'posted')
      throw new Error(`entry ${(e as { id: string }).id} is not posted: drafts are not in the FEC`);
    const exp = currencyExponent(e.currency.companyCurrency);
    const head = `${fecText(e.journal)}${SEP}${fecText(e.journalLabel)}${SEP}${fecText(e.ecritureNum)}${SEP}${fecDate(e.date)}`;
    const piece = `${fecText(e.piece.ref)}${SEP}${fecDate(e.piece.date)}`;
    const validDate = fecDate(e.postedAt);
    for (const l of e.lines) {
      const original = l.original ? fecAmount(l.original.minor, currencyExponent(l.original.currency)) : '';
      out.push(
        [
          head,
          fecText(l.account),
          fecText(l.accountLabel),
          l.auxiliary ? fecText(l.auxiliary.number) : '',
          l.auxiliary ? fecText(l.auxiliary.label) : '',
          piece,
          fecText(l.label),
          fecAmount(l.debit.minor, exp),
          fecAmount(l.credit.minor, exp),
          '',
          '',
          validDate,
          original,
          l.original ? l.original.currency : '',
        ].join(SEP),
      );
    }
  }
  return { fileName, content: out.join(EOL) + EOL, lineCount: out.length };
};
