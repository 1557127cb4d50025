import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Command, UsageError } from '../command.ts';
import { apiGet, financeSession } from '../session.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month to report on: --month YYYY-MM, else the current month (UTC). */
export const monthOf = (value: string | undefined, now = new Date()): string => {
  const month = value ?? now.toISOString().slice(0, 7);
  if (!MONTH.test(month)) throw new UsageError('--month is YYYY-MM');
  return month;
};

/** First and last day of a YYYY-MM month. */
export const monthDays = (month: string): { from: string; to: string } => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
};

type Table = { columns: string[]; rows: string[][] };

/** Aligned columns for a terminal (the CSV option gives the exact export). */
export const formatTable = ({ columns, rows }: Table): string => {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(columns), ...rows.map(line)].join('\n')}\n`;
};

const output = async (text: string, out: string | undefined) => {
  if (out) {
    await writeFile(out, text);
    process.stdout.write(`${out}\n`);
  } else process.stdout.write(text);
};

/**
 * `quittance report missing-receipts|vat`: what finance reads at month end, from the running API (the local cloud
 * by default; QUITTANCE_API_URL and QUITTANCE_TOKEN for a deployed one).
 */
export const reportCommand: Command = {
  name: 'report',
  usage: [
    'Usage: quittance report missing-receipts [--month YYYY-MM] [--csv] [--out FILE]',
    '       quittance report vat [--month YYYY-MM] [--csv] [--out FILE]',
    '',
    'missing-receipts  card payments of the month (posting date) still waiting for their receipt, oldest first',
    'vat               booked spend of the month by VAT rate (from the journal entries)',
    "--month           default: the current month; --csv: the API's CSV export; --out: write to FILE",
  ].join('\n'),
  async run(argv) {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { month: { type: 'string' }, csv: { type: 'boolean' }, out: { type: 'string' } },
    });
    const [report, ...rest] = positionals;
    if (rest.length > 0 || (report !== 'missing-receipts' && report !== 'vat')) {
      throw new UsageError('expected: report missing-receipts | report vat');
    }
    const month = monthOf(values.month);
    const format = values.csv ? 'csv' : 'json';
    const { token } = await financeSession();
    if (report === 'missing-receipts') {
      const { from, to } = monthDays(month);
      const res = await apiGet(
        token,
        `/cards/transactions?${new URLSearchParams({ missingReceipt: 'true', from, to, format, limit: format === 'csv' ? '10000' : '1000' })}`,
      );
      if (format === 'csv') return output(await res.text(), values.out).then(() => 0);
      const { items } = (await res.json()) as { items: Record<string, unknown>[] };
      const rows = items.map((t) =>
        [t.postedAt, t.employeeId, t.merchantName, `${t.amount} ${t.currency}`, `${t.ageDays} d`].map((v) =>
          String(v ?? '').slice(0, 40),
        ),
      );
      await output(
        `${formatTable({ columns: ['posted', 'employee', 'merchant', 'amount', 'age'], rows })}${items.length} payment${items.length === 1 ? '' : 's'} without a receipt in ${month}\n`,
        values.out,
      );
      return 0;
    }
    const res = await apiGet(
      token,
      `/reports/spend?${new URLSearchParams({ from: month, to: month, by: 'vat-rate', format })}`,
    );
    if (format === 'csv') return output(await res.text(), values.out).then(() => 0);
    const body = (await res.json()) as {
      currency: string;
      totals: { key: string; label: string; amount: string; entries: number }[];
    };
    const rows = body.totals.map((t) => [t.label || t.key, `${t.amount} ${body.currency}`, String(t.entries)]);
    await output(formatTable({ columns: ['VAT rate', 'amount', 'entries'], rows }), values.out);
    return 0;
  },
};
