/** HTML receipts (e-mail bodies, saved web receipts) → text lines, one row per block or table row. */

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  euro: '€',
  pound: '£',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  ccedil: 'ç',
  ecirc: 'ê',
  ocirc: 'ô',
  ucirc: 'û',
  icirc: 'î',
  Eacute: 'É',
  times: '×',
  middot: '·',
};

export const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return safeChar(Number.parseInt(e.slice(2), 16), m);
    if (e.startsWith('#')) return safeChar(Number.parseInt(e.slice(1), 10), m);
    return ENTITIES[e] ?? m;
  });

const safeChar = (code: number, fallback: string): string =>
  Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;

/** Lines of text in reading order; table cells are separated by three spaces (a column gap). */
export const htmlToLines = (html: string): string[] => {
  const text = html
    .slice(0, 5_000_000)
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head|template)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<\/(td|th)\s*>/gi, '   ')
    .replace(/<(br|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6]|table|section|article|header|footer|address|pre)\s*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ');
  return decodeEntities(text)
    .split(/\n/)
    .map((l) =>
      l
        .replace(/[ \t\u00a0]{3,}/g, '   ')
        .replace(/[ \t\u00a0]{1,2}/g, ' ')
        .trim(),
    )
    .filter((l) => l.length > 0);
};
