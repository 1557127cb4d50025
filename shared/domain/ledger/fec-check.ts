/**
 * A FEC validator: the checks the tax administration's tool (Test Compta Demat, notice v1.4 of March 2021) describes,
 * on the flat-file form of LPF art. A.47 A-1:
 * - file name SirenFECAAAAMMJJ (IX), separator tab or "|" (VI-1°-c), no "|" inside a field of a tab file (notice
 *   III-2-3), a header line with the field names (VII-4°), the 18 fields in order (VII-1°) or the Montant/Sens
 *   variant (VII-2°, X), extra fields listed for information (notice II-5);
 * - mandatory values (a blank JournalCode, EcritureNum, CompteNum, PieceRef… is an error; CompAux*, EcritureLet,
 *   DateLet, Montantdevise and Idevise may be blank but go in pairs);
 * - accounts whose first three characters are digits of a PCG class (VII-1°, XSD NumCompteFormat);
 * - numbers in base 10 with a decimal comma, no thousands separator, an optional sign first or last (XII-2°);
 * - dates AAAAMMJJ (XII-4°), accounting dates within the period;
 * - never both debit and credit on a line; every entry balanced, and the whole file;
 * - continuous numbering (VII-1° "séquence continue"), lines in validation order (VII-1°).
 * Each problem carries its line number (1 = header; 0 = the file as a whole).
 */
import { FEC_COLUMNS, FEC_COLUMNS_MONTANT_SENS, FEC_FILE_NAME_RE } from './fec-format.ts';

export type FecSeverity = 'error' | 'warning' | 'info';

export interface FecProblem {
  line: number;
  column?: string;
  severity: FecSeverity;
  code: string;
  message: string;
}

export interface FecCheckOptions {
  /** The file's name, checked against SirenFECAAAAMMJJ; its date closes the period unless `period` is given. */
  fileName?: string;
  /** The fiscal year the file covers, YYYY-MM-DD inclusive. */
  period?: { start?: string; end?: string };
  /** Problems reported per code before the rest are only counted (default 1000). */
  maxPerCode?: number;
}

export interface FecCheckResult {
  ok: boolean;
  problems: FecProblem[];
  stats: { records: number; entries: number; debit: string; credit: string };
}

const MANDATORY = [
  'JournalCode',
  'JournalLib',
  'EcritureNum',
  'EcritureDate',
  'CompteNum',
  'CompteLib',
  'PieceRef',
  'PieceDate',
  'EcritureLib',
  'ValidDate',
] as const;

const SCALE = 6;
const NUMBER_RE = /^([+-]?)(\d+)(?:,(\d+))?([+-]?)$/;
const ACCOUNT_RE = /^\d{3}[0-9A-Za-z]*$/;

/** "1234,5" → 1234500000n (6 decimals); null when not a FEC number. */
const parseFecNumber = (s: string): bigint | null => {
  const m = NUMBER_RE.exec(s);
  if (!m) return null;
  const [, lead = '', whole = '0', frac = '', trail = ''] = m;
  if (lead && trail) return null;
  if (frac.length > SCALE) return null;
  const v = BigInt(whole + frac.padEnd(SCALE, '0'));
  return lead === '-' || trail === '-' ? -v : v;
};

const formatScaled = (v: bigint): string => {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(SCALE + 1, '0');
  const frac = digits.slice(-SCALE).replace(/0+$/, '').padEnd(2, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -SCALE)},${frac}`;
};

const isFecDate = (s: string): boolean => {
  if (!/^\d{8}$/.test(s)) return false;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
};

const toFecDate = (iso: string): string => iso.replaceAll('-', '');

interface EntryAcc {
  journal: string;
  num: string;
  firstLine: number;
  lastLine: number;
  lines: number;
  debit: bigint;
  credit: bigint;
  date: string;
  validDate: string;
}

export const checkFec = (text: string, opts: FecCheckOptions = {}): FecCheckResult => {
  const problems: FecProblem[] = [];
  const perCode = new Map<string, number>();
  const maxPerCode = opts.maxPerCode ?? 1000;
  const report = (p: FecProblem): void => {
    const n = (perCode.get(p.code) ?? 0) + 1;
    perCode.set(p.code, n);
    if (n <= maxPerCode) problems.push(p);
  };
  const stats = { records: 0, entries: 0, debit: '0,00', credit: '0,00' };
  const done = (): FecCheckResult => {
    for (const [code, n] of perCode) {
      if (n > maxPerCode) {
        report({
          line: 0,
          severity: 'info',
          code: 'truncated',
          message: `${n - maxPerCode} more "${code}" problems not listed`,
        });
      }
    }
    return { ok: !problems.some((p) => p.severity === 'error'), problems, stats };
  };

  const periodStart = opts.period?.start ? toFecDate(opts.period.start) : null;
  let periodEnd = opts.period?.end ? toFecDate(opts.period.end) : null;
  if (opts.fileName !== undefined) {
    const base = opts.fileName.replace(/^.*[\\/]/, '');
    const m = FEC_FILE_NAME_RE.exec(base);
    if (!m) {
      report({
        line: 0,
        severity: 'error',
        code: 'file-name',
        message: `file name "${base}" does not follow SirenFECAAAAMMJJ (LPF art. A.47 A-1, IX)`,
      });
    } else if (!isFecDate(m[2] ?? '')) {
      report({
        line: 0,
        severity: 'error',
        code: 'file-name',
        message: `closing date "${m[2]}" in the file name is not a date`,
      });
    } else {
      periodEnd ??= m[2] ?? null;
    }
  }

  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows = body.split(/\r\n|\n|\r/);
  while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  if (rows.length === 0) {
    report({ line: 0, severity: 'error', code: 'empty-file', message: 'the file is empty' });
    return done();
  }

  const header = rows[0] ?? '';
  const sep = header.includes('\t') ? '\t' : header.includes('|') ? '|' : null;
  if (!sep) {
    report({
      line: 1,
      severity: 'error',
      code: 'separator',
      message: 'fields must be separated by a tab or "|" (LPF art. A.47 A-1, VI-1°-c)',
    });
    return done();
  }
  const names = header.split(sep).map((n) => n.trim());
  const standard = FEC_COLUMNS.every((c, i) => names[i] === c);
  const montantSens = !standard && FEC_COLUMNS_MONTANT_SENS.every((c, i) => names[i] === c);
  if (!standard && !montantSens) {
    const at = FEC_COLUMNS.findIndex((c, i) => names[i] !== c && FEC_COLUMNS_MONTANT_SENS[i] !== names[i]);
    report({
      line: 1,
      severity: 'error',
      code: 'header',
      message: `column ${at + 1} is "${names[at] ?? ''}", expected "${FEC_COLUMNS[at]}": the first 18 columns must be ${FEC_COLUMNS.join(', ')}`,
    });
    return done();
  }
  if (names.length > FEC_COLUMNS.length) {
    report({
      line: 1,
      severity: 'info',
      code: 'extra-columns',
      message: `additional columns: ${names.slice(FEC_COLUMNS.length).join(', ')}`,
    });
  }
  const col = Object.fromEntries(names.map((n, i) => [n, i])) as Record<string, number>;
  const idx = (name: string): number => col[name] ?? -1;

  const entries = new Map<string, EntryAcc>();
  let totalDebit = 0n;
  let totalCredit = 0n;
  let lastValid = '';
  let lastKey = '';

  for (let r = 1; r < rows.length; r++) {
    const lineNo = r + 1;
    const row = rows[r] ?? '';
    if (row.trim() === '') {
      report({ line: lineNo, severity: 'error', code: 'empty-line', message: 'empty record' });
      continue;
    }
    stats.records++;
    const f = row.split(sep);
    if (sep === '\t' && row.includes('|')) {
      report({
        line: lineNo,
        severity: 'error',
        code: 'pipe-in-field',
        message: 'a tab-separated file must not contain "|" in a field',
      });
    }
    if (f.length !== names.length) {
      report({
        line: lineNo,
        severity: 'error',
        code: 'column-count',
        message: `${f.length} fields, the header has ${names.length}`,
      });
      continue;
    }
    const get = (name: string): string => (f[idx(name)] ?? '').trim();
    const err = (column: string, code: string, message: string): void =>
      report({ line: lineNo, column, severity: 'error', code, message });

    for (const name of MANDATORY) {
      if (get(name) === '') err(name, 'missing-value', `${name} is mandatory`);
    }
    const account = get('CompteNum');
    if (account !== '') {
      if (!ACCOUNT_RE.test(account)) {
        err(
          'CompteNum',
          'account-format',
          `account "${account}" must start with three digits (letters and digits after)`,
        );
      } else if (account[0] === '0' || account[0] === '9') {
        err('CompteNum', 'account-class', `account "${account}" is not in a PCG class 1 to 8`);
      }
    }
    if ((get('CompAuxNum') === '') !== (get('CompAuxLib') === '')) {
      err('CompAuxNum', 'auxiliary-pair', 'CompAuxNum and CompAuxLib are both filled or both blank');
    }
    for (const name of ['EcritureDate', 'PieceDate', 'ValidDate', 'DateLet']) {
      const v = get(name);
      if (v !== '' && !isFecDate(v)) err(name, 'date-format', `${name} "${v}" is not a date AAAAMMJJ`);
    }
    if (get('DateLet') !== '' && get('EcritureLet') === '') {
      err('EcritureLet', 'lettering-pair', 'DateLet is filled but EcritureLet is blank');
    }
    const date = get('EcritureDate');
    if (isFecDate(date)) {
      if (periodStart && date < periodStart) {
        err(
          'EcritureDate',
          'date-outside-period',
          `EcritureDate ${date} is before the start of the period ${periodStart}`,
        );
      }
      if (periodEnd && date > periodEnd) {
        err('EcritureDate', 'date-outside-period', `EcritureDate ${date} is after the closing date ${periodEnd}`);
      }
    }

    let debit = 0n;
    let credit = 0n;
    const amount = (name: string): bigint | null => {
      const v = get(name);
      if (v === '') {
        err(name, 'missing-value', `${name} is mandatory (0,00 when unused)`);
        return null;
      }
      const n = parseFecNumber(v);
      if (n === null) {
        const why = v.includes('.')
          ? ': the decimal separator is a comma'
          : /\s/.test(v)
            ? ': no thousands separator'
            : '';
        err(name, 'number-format', `${name} "${v}" is not a FEC number${why}`);
      }
      return n;
    };
    if (standard) {
      const d = amount('Debit');
      const c = amount('Credit');
      if (d !== null && c !== null) {
        if (d !== 0n && c !== 0n) err('Debit', 'debit-and-credit', 'a line has either a debit or a credit, not both');
        if (d === 0n && c === 0n) {
          report({
            line: lineNo,
            column: 'Debit',
            severity: 'warning',
            code: 'zero-line',
            message: 'debit and credit are both zero',
          });
        }
        debit = d;
        credit = c;
      }
    } else {
      const m = amount('Montant');
      const sens = get('Sens');
      if (!['D', 'C', 'd', 'c', '+1', '-1'].includes(sens)) {
        err('Sens', 'sens-format', `Sens "${sens}" must be D or C, or +1 or -1 (LPF art. A.47 A-1, X)`);
      } else if (m !== null) {
        if (sens === 'D' || sens === 'd' || sens === '+1') debit = m;
        else credit = m;
      }
    }
    const md = get('Montantdevise');
    const cur = get('Idevise');
    if ((md === '') !== (cur === '')) {
      err('Montantdevise', 'currency-pair', 'Montantdevise and Idevise are both filled or both blank');
    }
    if (md !== '' && parseFecNumber(md) === null)
      err('Montantdevise', 'number-format', `Montantdevise "${md}" is not a FEC number`);
    if (cur !== '' && !/^[A-Z]{3}$/.test(cur))
      err('Idevise', 'currency-code', `Idevise "${cur}" is not an ISO 4217 code`);

    totalDebit += debit;
    totalCredit += credit;
    const validDate = get('ValidDate');
    if (isFecDate(validDate)) {
      if (lastValid && validDate < lastValid) {
        report({
          line: lineNo,
          column: 'ValidDate',
          severity: 'warning',
          code: 'validation-order',
          message: `ValidDate ${validDate} comes after ${lastValid}: entries are listed in validation order`,
        });
      }
      if (validDate > lastValid) lastValid = validDate;
    }

    const journal = get('JournalCode');
    const num = get('EcritureNum');
    const key = `${journal}\u0000${num}`;
    const acc = entries.get(key);
    if (!acc) {
      entries.set(key, { journal, num, firstLine: lineNo, lastLine: lineNo, lines: 1, debit, credit, date, validDate });
    } else {
      if (key !== lastKey) {
        report({
          line: lineNo,
          column: 'EcritureNum',
          severity: 'warning',
          code: 'entry-split',
          message: `entry ${journal} ${num} continues here after other entries (first line ${acc.firstLine})`,
        });
      }
      if (acc.date !== date) {
        err(
          'EcritureDate',
          'entry-date-mismatch',
          `entry ${journal} ${num} has EcritureDate ${acc.date} on line ${acc.firstLine}`,
        );
      }
      if (acc.validDate !== validDate) {
        err(
          'ValidDate',
          'entry-date-mismatch',
          `entry ${journal} ${num} has ValidDate ${acc.validDate} on line ${acc.firstLine}`,
        );
      }
      acc.lines++;
      acc.lastLine = lineNo;
      acc.debit += debit;
      acc.credit += credit;
    }
    lastKey = key;
  }

  stats.entries = entries.size;
  stats.debit = formatScaled(totalDebit);
  stats.credit = formatScaled(totalCredit);
  for (const e of entries.values()) {
    if (e.debit !== e.credit) {
      report({
        line: e.firstLine,
        column: 'Debit',
        severity: 'error',
        code: 'entry-unbalanced',
        message: `entry ${e.journal} ${e.num} (lines ${e.firstLine}–${e.lastLine}) is unbalanced: debit ${formatScaled(e.debit)}, credit ${formatScaled(e.credit)}`,
      });
    }
    if (e.lines < 2) {
      report({
        line: e.firstLine,
        severity: 'warning',
        code: 'single-line-entry',
        message: `entry ${e.journal} ${e.num} has a single line`,
      });
    }
  }
  if (totalDebit !== totalCredit) {
    report({
      line: 0,
      severity: 'error',
      code: 'file-unbalanced',
      message: `total debit ${formatScaled(totalDebit)} ≠ total credit ${formatScaled(totalCredit)}`,
    });
  }
  checkNumbering([...entries.values()], report);
  return done();
};

/**
 * Entry numbers form continuous sequences: per journal (and per prefix, "NDF-2024-"), the trailing numbers have no
 * gap. A file numbered in one sequence across journals is accepted when that global sequence is continuous.
 */
const checkNumbering = (entries: readonly EntryAcc[], report: (p: FecProblem) => void): void => {
  const sequences = new Map<string, { n: number; line: number; num: string }[]>();
  const global: { n: number; line: number; num: string }[] = [];
  for (const e of entries) {
    if (e.num === '') continue;
    const m = /^(.*?)(\d+)$/.exec(e.num);
    if (!m) {
      report({
        line: e.firstLine,
        column: 'EcritureNum',
        severity: 'warning',
        code: 'entry-number-format',
        message: `EcritureNum "${e.num}" does not end with a sequence number`,
      });
      continue;
    }
    const item = { n: Number(m[2]), line: e.firstLine, num: e.num };
    const seq = `${e.journal}\u0000${m[1]}`;
    const list = sequences.get(seq);
    if (list) list.push(item);
    else sequences.set(seq, [item]);
    global.push({ ...item });
  }
  const gapsOf = (items: { n: number; line: number; num: string }[]) => {
    const sorted = [...items].sort((a, b) => a.n - b.n);
    const gaps: { after: (typeof sorted)[number]; before: (typeof sorted)[number] }[] = [];
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1];
      const b = sorted[i];
      if (a && b && b.n > a.n + 1) gaps.push({ after: a, before: b });
    }
    return gaps;
  };
  const perJournalGaps = [...sequences.values()].flatMap(gapsOf);
  if (perJournalGaps.length === 0) return;
  // One prefix everywhere and fewer gaps globally: the file is numbered in one sequence across journals.
  const globalPrefixes = new Set(entries.map((e) => /^(.*?)(\d+)$/.exec(e.num)?.[1] ?? ''));
  const globalGaps = globalPrefixes.size === 1 ? gapsOf(global) : null;
  const gaps = globalGaps && globalGaps.length < perJournalGaps.length ? globalGaps : perJournalGaps;
  for (const g of gaps) {
    const missing = g.before.n - g.after.n - 1;
    report({
      line: g.before.line,
      column: 'EcritureNum',
      severity: 'error',
      code: 'numbering-gap',
      message: `numbering gap: ${missing} number${missing > 1 ? 's' : ''} missing between ${g.after.num} (line ${g.after.line}) and ${g.before.num}`,
    });
  }
};
