import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkFec, type FecCheckResult } from '../../shared/domain/ledger/fec-check.ts';
import { type Command, UsageError } from '../command.ts';
import { apiGet, financeSession, LOCAL_FINANCE_USER } from '../session.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DEMO_COMPANY = 'demo';

/** UTF-8 when the bytes are valid UTF-8, ISO 8859-15 (read as Latin-1) otherwise: both are allowed (XII-1°). */
export const decodeFec = (bytes: Uint8Array): string => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
};

/** One line per problem, `<file>:<line>: <severity> [<code>] <column>: <message>`, then a summary. */
export const formatCheck = (file: string, result: FecCheckResult): string => {
  const lines = result.problems.map(
    (p) =>
      `${file}:${p.line === 0 ? 'file' : p.line}: ${p.severity} [${p.code}]${p.column ? ` ${p.column}:` : ''} ${p.message}`,
  );
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const { records, entries, debit, credit } = result.stats;
  lines.push(
    errors === 0
      ? `${file}: valid FEC — ${records} lines, ${entries} entries, debit ${debit} = credit ${credit}`
      : `${file}: ${errors} error${errors > 1 ? 's' : ''} — ${records} lines, ${entries} entries`,
  );
  return `${lines.join('\n')}\n`;
};

export interface FecExportArgs {
  company: string;
  from: string;
  to: string;
  out: string;
}

export const parseExportArgs = (argv: string[]): FecExportArgs => {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { company: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { from, to, out } = values;
  if (!from || !ISO_DATE.test(from)) throw new UsageError('--from YYYY-MM-DD is required');
  if (!to || !ISO_DATE.test(to)) throw new UsageError('--to YYYY-MM-DD is required');
  if (from > to) throw new UsageError('--from must not be after --to');
  if (!out) throw new UsageError('--out DIR is required');
  return { company: values.company ?? LOCAL_DEMO_COMPANY, from, to, out };
};

/** `attachment; filename="123456789FEC20241231.txt"` → the file name, without any directory part. */
export const fileNameFromDisposition = (header: string | null): string | null => {
  const m = header ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header) : null;
  const name = m?.[1] ? basename(decodeURIComponent(m[1])) : null;
  return name && name !== '.' && name !== '..' ? name : null;
};

const runCheck = async (argv: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, to: { type: 'string' } },
    allowPositionals: true,
  });
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new UsageError('fec check takes exactly one FILE');
  for (const d of [values.from, values.to])
    if (d !== undefined && !ISO_DATE.test(d)) throw new UsageError('dates are YYYY-MM-DD');
  const text = decodeFec(await readFile(file));
  const result = checkFec(text, {
    fileName: basename(file),
    ...(values.from || values.to
      ? { period: { ...(values.from ? { start: values.from } : {}), ...(values.to ? { end: values.to } : {}) } }
      : {}),
  });
  process.stdout.write(formatCheck(file, result));
  return result.ok ? 0 : 1;
};

const runExport = async (argv: string[]): Promise<number> => {
  const args = parseExportArgs(argv);
  const session = await financeSession();
  if (session.companyId !== null && session.companyId !== args.company) {
    throw new Error(`${LOCAL_FINANCE_USER} belongs to company "${session.companyId}", not "${args.company}"`);
  }
  const res = await apiGet(session.token, `/exports/fec?${new URLSearchParams({ from: args.from, to: args.to })}`);
  const fileName = fileNameFromDisposition(res.headers.get('content-disposition'));
  if (!fileName) throw new Error('the API did not name the file (Content-Disposition)');
  await mkdir(args.out, { recursive: true });
  const path = join(args.out, fileName);
  await writeFile(path, new Uint8Array(await res.arrayBuffer()));
  process.stdout.write(`${path}\n`);
  return 0;
};

/**
 * `quittance fec check FILE` validates any FEC with the checks of the administration's validator;
 * `quittance fec --from … --to … --out DIR` downloads the company's FEC from the running API.
 */
export const fecCommand: Command = {
  name: 'fec',
  usage: [
    'Usage: quittance fec check FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD]',
    '       quittance fec [--company ID] --from YYYY-MM-DD --to YYYY-MM-DD --out DIR',
    '',
    'check   validates a FEC (flat file, tab or "|"): name SirenFECAAAAMMJJ, the 18 columns in order, mandatory',
    '        fields, accounts, numbers, dates within the period (the closing date of the file name, or --from/--to),',
    '        debit/credit, balance per entry and overall, continuous numbering. Prints each problem with its line;',
    '        exits 1 when there is an error, 0 when the file is valid (warnings do not fail).',
    'export  asks the running API (QUITTANCE_API_URL) for GET /exports/fec?from&to as the local finance user',
    `        (${LOCAL_FINANCE_USER}) and writes <SIREN>FEC<AAAAMMJJ>.txt into DIR.`,
    `  --company   company id (local mode: defaults to the seeded "${LOCAL_DEMO_COMPANY}" company)`,
  ].join('\n'),
  async run(argv) {
    if (argv[0] === 'check') return runCheck(argv.slice(1));
    return runExport(argv);
  },
};
