/** RFC 4180 CSV: a header and one line per row; fields with commas, quotes or line breaks are quoted. */
export const toCsv = <T>(rows: readonly T[], columns: readonly [string, (row: T) => unknown][]): string => {
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[columns.map(([h]) => h).join(','), ...rows.map((r) => columns.map(([, get]) => field(get(r))).join(','))].join('\r\n')}\r\n`;
};
