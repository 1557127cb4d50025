/**
 * Journal exports besides the FEC, as pure formatters: CSV (RFC 4180, comma, decimal point, one row per line) for
 * spreadsheets and import wizards, and JSON (the wire form of entry-json.ts) for APIs.
 */
import { formatMoney } from '../money.ts';
import { entryToJson, type JournalEntryJson } from './entry-json.ts';
import type { PostedEntry } from './model.ts';

export const CSV_COLUMNS = [
  'entryId',
  'journal',
  'ecritureNum',
  'date',
  'account',
  'accountLabel',
  'auxiliary',
  'auxiliaryLabel',
  'label',
  'debit',
  'credit',
  'currency',
  'originalAmount',
  'originalCurrency',
  'vatRate',
  'vatCode',
  'pieceRef',
  'pieceDate',
  'documentSha256',
  'postedAt',
  'reversalOf',
  'analytics',
] as const;

const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export const exportJournalCsv = (entries: readonly PostedEntry[]): string => {
  const rows = [CSV_COLUMNS.join(',')];
  for (const e of entries) {
    for (const l of e.lines) {
      rows.push(
        [
          e.id,
          e.journal,
          e.ecritureNum,
          e.date,
          l.account,
          l.accountLabel,
          l.auxiliary?.number ?? '',
          l.auxiliary?.label ?? '',
          l.label,
          formatMoney(l.debit),
          formatMoney(l.credit),
          l.debit.currency,
          l.original ? formatMoney(l.original) : '',
          l.original?.currency ?? '',
          l.vat?.rate ?? '',
          l.vat?.code ?? '',
          e.piece.ref,
          e.piece.date,
          e.piece.documentSha256 ?? '',
          e.postedAt,
          e.reversalOf ?? '',
          l.analytics
            ? Object.entries(l.analytics)
                .map(([k, v]) => `${k}=${v}`)
                .join(';')
            : '',
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
};

export const exportJournalJson = (entries: readonly PostedEntry[]): string =>
  `${JSON.stringify({ entries: entries.map(entryToJson) satisfies JournalEntryJson[] }, null, 2)}\n`;
