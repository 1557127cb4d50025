import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildExpenseEntry,
  checkFec,
  entryFromJson,
  entryToJson,
  exportFec,
  exportJournalCsv,
  exportJournalJson,
  FEC_COLUMNS,
  fecAmount,
  fecFileName,
  journalEntryJsonSchema,
  reverseEntry,
} from '../../../shared/domain/ledger/index.ts';
import { parseMoney } from '../../../shared/domain/money.ts';
import { eur, hotelExpense, postAll, settings } from './helpers.ts';

const root = resolve(import.meta.dirname, '../../..');
const official = readFileSync(resolve(root, '../shared/data/fec-spec/fmt_arrete.utf8.txt'), 'utf8');
const fixture = (name: string) => readFileSync(resolve(root, 'tests/fixtures/ledger', name), 'utf8');

const smallLedger = () => {
  const hotel = buildExpenseEntry(hotelExpense(), settings).entry;
  const fuel = buildExpenseEntry(
    hotelExpense({
      expenseId: 'exp_2',
      kind: 'card',
      label: 'Total Energies',
      bookingDate: '2024-03-06',
      piece: { ref: 'rcp_01FUEL', kind: 'receipt', date: '2024-03-06', documentSha256: null },
      lines: [
        {
          category: 'fuel',
          fuel: 'diesel',
          vehicle: 'passenger-car',
          amount: eur('1260.00'),
          vat: [{ rate: '20', amount: eur('210.00') }],
        },
      ],
    }),
    settings,
  ).entry;
  const taxi = buildExpenseEntry(
    hotelExpense({
      expenseId: 'exp_3',
      label: 'Yellow Cab',
      bookingDate: '2024-03-07',
      currency: 'USD',
      evidence: { invoice: true, inCompanyName: false, vatCountry: 'US' },
      piece: { ref: 'rcp_01TAXI', kind: 'receipt', date: '2024-03-02', documentSha256: null },
      lines: [{ category: 'transport', amount: parseMoney('45.50', 'USD'), vat: [] }],
      conversion: { rate: '0.92', source: 'ECB 2024-03-01' },
    }),
    settings,
  ).entry;
  const [h, f, t] = postAll([hotel, fuel, taxi], '2024-03-08T09:30:00.000Z');
  if (!h || !f || !t) throw new Error('unreachable');
  const rev = postAll([reverseEntry(t, { date: '2024-03-09', reason: 'doublon' })], '2024-03-09T08:00:00.000Z');
  // The reversal is the 3rd NDF entry (hotel 1, taxi 2).
  return [h, f, t, { ...rev[0], number: 3, ecritureNum: 'NDF-2024-000003' } as typeof t];
};

describe('FEC export', () => {
  it('uses the 18 columns of the official list, in its order', () => {
    const officialColumns = official
      .split(/\r?\n/)
      .map((l) => l.split(';')[0]?.trim() ?? '')
      .slice(0, 18);
    expect([...FEC_COLUMNS]).toEqual(officialColumns);
  });

  it('formats amounts with a decimal comma, no thousands separator, and names the file', () => {
    expect(fecAmount(123456789n, 2)).toBe('1234567,89');
    expect(fecAmount(5n, 2)).toBe('0,05');
    expect(fecAmount(-5n, 2)).toBe('-0,05');
    expect(fecAmount(1234n, 0)).toBe('1234');
    expect(fecAmount(1234n, 3)).toBe('1,234');
    expect(fecFileName('123456789', '2024-12-31')).toBe('123456789FEC20241231.txt');
    expect(() => fecFileName('12345678', '2024-12-31')).toThrow(/SIREN/);
  });

  it('writes exactly this text for a small ledger', () => {
    const file = exportFec(smallLedger(), { siren: '123456789', closingDate: '2024-12-31' });
    expect(file.fileName).toBe('123456789FEC20241231.txt');
    expect(file.content).toBe(fixture('123456789FEC20241231.txt'));
    expect(file.content.split('\r\n')[0]?.split('\t')).toEqual([...FEC_COLUMNS]);
  });

  it('produces a file its own check accepts', () => {
    const file = exportFec(smallLedger(), { siren: '123456789', closingDate: '2024-12-31' });
    const result = checkFec(file.content, {
      fileName: file.fileName,
      period: { start: '2024-01-01', end: '2024-12-31' },
    });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.stats).toEqual({ records: 9, entries: 4, debit: '1453,72', credit: '1453,72' });
  });

  it('refuses drafts', () => {
    const draft = buildExpenseEntry(hotelExpense(), settings).entry;
    expect(() => exportFec([draft as never], { siren: '123456789', closingDate: '2024-12-31' })).toThrow(/not posted/);
  });
});

describe('FEC check', () => {
  const valid = () => fixture('123456789FEC20241231.txt');
  const codes = (text: string, opts = {}) => checkFec(text, opts).problems.map((p) => `${p.line}:${p.code}`);
  const edit = (text: string, line: number, column: string, value: string) => {
    const rows = text.split('\r\n');
    const f = rows[line - 1]?.split('\t') ?? [];
    f[FEC_COLUMNS.indexOf(column as (typeof FEC_COLUMNS)[number])] = value;
    rows[line - 1] = f.join('\t');
    return rows.join('\r\n');
  };

  it('accepts the reference file', () => {
    expect(checkFec(valid(), { fileName: '123456789FEC20241231.txt' }).ok).toBe(true);
  });

  it('reports the broken fixture’s problems with their lines', () => {
    const result = checkFec(fixture('broken-fec.txt'), { fileName: 'broken-fec.txt' });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => `${p.line}:${p.code}`)).toEqual([
      '0:file-name',
      '3:missing-value',
      '4:account-class',
      '4:number-format',
      '5:debit-and-credit',
      '6:date-format',
      '7:column-count',
      '2:entry-unbalanced',
      '5:entry-unbalanced',
      '0:file-unbalanced',
      '5:numbering-gap',
    ]);
  });

  it.each([
    ['a dot as decimal separator', 2, 'Debit', '110.00', 'number-format'],
    ['a thousands separator', 2, 'Debit', '1 110,00', 'number-format'],
    ['an account not starting with 3 digits', 2, 'CompteNum', '62A1', 'account-format'],
    ['a date that does not exist', 2, 'EcritureDate', '20240230', 'date-format'],
    ['an auxiliary number without its label', 2, 'CompAuxNum', 'X1', 'auxiliary-pair'],
    ['a currency amount without its code', 2, 'Montantdevise', '12,00', 'currency-pair'],
    ['a lettering date without a lettering code', 2, 'DateLet', '20240301', 'lettering-pair'],
    ['a blank PieceRef', 2, 'PieceRef', '', 'missing-value'],
    ['a "|" in a tab file', 2, 'EcritureLib', 'a|b', 'pipe-in-field'],
  ])('flags %s', (_what, line, column, value, code) => {
    expect(codes(edit(valid(), line, column, value))).toContain(`${line}:${code}`);
  });

  it('flags dates outside the period and lines out of validation order', () => {
    // Lines 2–4 are the CB entry of 6 March, lines 5–6 the hotel of 5 March (same validation instant).
    expect(codes(valid(), { period: { start: '2024-03-06', end: '2024-12-31' } })).toEqual([
      '5:date-outside-period',
      '6:date-outside-period',
    ]);
    expect(codes(valid(), { fileName: '123456789FEC20240305.txt' })).toContain('2:date-outside-period');
    const rows = valid().split('\r\n');
    const swapped = [rows[0], rows[4], rows[5], rows[1], rows[2], rows[3], ...rows.slice(6)].join('\r\n');
    expect(codes(swapped)).toEqual([]);
    const reordered = edit(valid(), 2, 'ValidDate', '20240310');
    expect(codes(reordered)).toEqual(expect.arrayContaining(['3:entry-date-mismatch', '3:validation-order']));
  });

  it('checks the header, the separator, and accepts the Montant/Sens variant', () => {
    const rows = valid().split('\r\n');
    expect(codes([rows[0]?.replace('CompteLib', 'CompteLibelle'), ...rows.slice(1)].join('\r\n'))).toEqual([
      '1:header',
    ]);
    expect(codes(valid().replaceAll('\t', ';'))).toEqual(['1:separator']);
    expect(codes(valid().replaceAll('\t', '|'))).toEqual([]);
    const ms = rows
      .map((r, i) => {
        const f = r.split('\t');
        if (i === 0) return [...f.slice(0, 11), 'Montant', 'Sens', ...f.slice(13)].join('\t');
        if (!r) return r;
        const debit = f[11] !== '0,00';
        return [...f.slice(0, 11), debit ? f[11] : f[12], debit ? 'D' : 'C', ...f.slice(13)].join('\t');
      })
      .join('\r\n');
    expect(codes(ms)).toEqual([]);
    expect(
      codes(
        `${rows[0]}\tCodeTVA\r\n${rows
          .slice(1)
          .map((r) => (r ? `${r}\tD20` : r))
          .join('\r\n')}`,
      ),
    ).toEqual(['1:extra-columns']);
    expect(checkFec(`${rows[0]}\tCodeTVA\r\n`).ok).toBe(true);
  });

  it('accepts a file numbered in one sequence across journals', () => {
    const text = valid()
      .replaceAll('NDF-2024-000001', 'E1')
      .replaceAll('CB-2024-000001', 'E2')
      .replaceAll('NDF-2024-000002', 'E3')
      .replaceAll('NDF-2024-000003', 'E4');
    expect(codes(text)).toEqual([]);
    expect(codes(text.replaceAll('\tE4\t', '\tE5\t'))).toEqual(['9:numbering-gap']);
  });
});

describe('CSV and JSON journals', () => {
  it('round-trips entries through the JSON wire form and writes one CSV row per line', () => {
    const entries = smallLedger();
    for (const e of entries) {
      const json = journalEntryJsonSchema.parse(JSON.parse(JSON.stringify(entryToJson(e))));
      expect(entryFromJson(json)).toEqual(e);
    }
    const csv = exportJournalCsv(entries).split('\r\n');
    expect(csv[0]).toMatch(/^entryId,journal,ecritureNum,date,account/);
    expect(csv).toHaveLength(1 + 9 + 1);
    expect(csv[1]).toBe(
      `je_expense_exp_1,NDF,NDF-2024-000001,2024-03-05,6256,Missions,,,Hôtel Ibis Lyon,110.00,0.00,EUR,,,,,rcp_01HOTEL,2024-03-04,${'a'.repeat(64)},2024-03-08T09:30:00.000Z,,`,
    );
    expect(JSON.parse(exportJournalJson(entries)).entries).toHaveLength(4);
  });
});
