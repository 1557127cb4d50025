/**
 * Text with positions → rows in reading order. Every engine that sees a page (PDF text layer, OCR, pre-OCR'd box
 * lines) produces fragments with boxes; the field parser reads rows of cells, so a label at the left and its amount at
 * the right edge of a receipt end up on the same row.
 */

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface TextFragment {
  text: string;
  /** Top-left origin, y grows downward. Absent for plain text (one fragment = one row). */
  box?: Box;
  page?: number;
  /** The reader's confidence in the text, 0–1 (OCR), when known. */
  confidence?: number;
}

export interface Cell {
  text: string;
  x0: number;
  x1: number;
}

export interface Row {
  /** Cells joined left to right with a space. */
  text: string;
  cells: Cell[];
  /** Vertical centre, page-relative; rows from later pages come later. */
  y: number;
  height: number;
  page: number;
  /** Position of the row between 0 (top) and 1 (bottom) of its page's text. */
  rel: number;
  /** Lowest confidence of its fragments (OCR), when known. */
  confidence?: number;
}

/** Groups positioned fragments into rows (vertical overlap), cells sorted left to right. */
export const buildRows = (fragments: readonly TextFragment[]): Row[] => {
  const clean = fragments
    .map((f) => ({ ...f, text: f.text.replace(/\t/g, '   ').trim() }))
    .filter((f) => f.text.length > 0);
  if (clean.length === 0) return [];
  if (clean.some((f) => !f.box)) {
    // Plain text: wide runs of spaces separate columns.
    const cellsOf = (line: string): Cell[] => {
      const cells: Cell[] = [];
      for (const m of line.matchAll(/\S+(?:\s{1,2}\S+)*/g)) {
        const start = m.index ?? 0;
        cells.push({ text: m[0].replace(/\s+/g, ' '), x0: start, x1: start + m[0].length });
      }
      return cells;
    };
    return clean.map((f, i) => ({
      text: f.text.replace(/\s+/g, ' '),
      cells: cellsOf(f.text),
      y: i,
      height: 1,
      page: f.page ?? 1,
      rel: clean.length > 1 ? i / (clean.length - 1) : 0,
    }));
  }
  const pages = new Map<number, Array<{ text: string; box: Box; confidence?: number }>>();
  for (const f of clean.map((x) => ({ ...x, text: x.text.replace(/\s+/g, ' ') }))) {
    const p = f.page ?? 1;
    const list = pages.get(p) ?? [];
    list.push({ text: f.text, box: f.box as Box, ...(f.confidence !== undefined ? { confidence: f.confidence } : {}) });
    pages.set(p, list);
  }
  const rows: Row[] = [];
  for (const page of [...pages.keys()].sort((a, b) => a - b)) {
    const frags = (pages.get(page) ?? []).sort((a, b) => a.box.y0 + a.box.y1 - (b.box.y0 + b.box.y1));
    const groups: Array<{ y0: number; y1: number; items: Array<{ text: string; box: Box; confidence?: number }> }> = [];
    for (const f of frags) {
      const h = Math.max(1, f.box.y1 - f.box.y0);
      const mid = (f.box.y0 + f.box.y1) / 2;
      let best: (typeof groups)[number] | undefined;
      let bestOverlap = 0;
      for (let gi = groups.length - 1; gi >= 0 && gi >= groups.length - 4; gi--) {
        const g = groups[gi] as (typeof groups)[number];
        const overlap = Math.min(g.y1, f.box.y1) - Math.max(g.y0, f.box.y0);
        const gh = Math.max(1, g.y1 - g.y0);
        const ratio = overlap / Math.min(h, gh);
        const centreInside = mid >= g.y0 && mid <= g.y1;
        // Do not merge two fragments that overlap horizontally (they are on different lines).
        const clash = g.items.some((it) => Math.min(it.box.x1, f.box.x1) - Math.max(it.box.x0, f.box.x0) > 2);
        if (!clash && ratio > 0.5 && centreInside && ratio > bestOverlap) {
          best = g;
          bestOverlap = ratio;
        }
      }
      if (best) {
        best.items.push(f);
        // Keep the band of the first fragments: a long skewed line should not swallow the next row.
        best.y0 = Math.min(best.y0, f.box.y0 + h * 0.15);
        best.y1 = Math.max(best.y1, f.box.y1 - h * 0.15);
      } else {
        groups.push({ y0: f.box.y0, y1: f.box.y1, items: [f] });
      }
    }
    const minY = Math.min(...groups.map((g) => g.y0));
    const maxY = Math.max(...groups.map((g) => g.y1));
    for (const g of groups) {
      const items = g.items.sort((a, b) => a.box.x0 - b.box.x0);
      const cells = items.map((it) => ({ text: it.text, x0: it.box.x0, x1: it.box.x1 }));
      const y = (g.y0 + g.y1) / 2;
      const confs = items.map((it) => it.confidence).filter((c): c is number => c !== undefined);
      rows.push({
        text: cells.map((c) => c.text).join(' '),
        cells,
        y,
        height: g.y1 - g.y0,
        page,
        rel: maxY > minY ? (y - minY) / (maxY - minY) : 0,
        ...(confs.length > 0 ? { confidence: Math.min(...confs) } : {}),
      });
    }
  }
  return rows;
};

/** Plain text (one line a row) → rows. */
export const rowsFromText = (text: string): Row[] => buildRows(text.split(/\r?\n/).map((line) => ({ text: line })));

/**
 * SROIE-style box lines: `x1,y1,x2,y2,x3,y3,x4,y4,text` (the text may contain commas). Invalid lines are skipped.
 */
export const fragmentsFromBoxCsv = (csv: string): TextFragment[] => {
  const out: TextFragment[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const m = /^\s*(-?\d+),(-?\d+),(-?\d+),(-?\d+),(-?\d+),(-?\d+),(-?\d+),(-?\d+),(.*)$/.exec(line);
    if (!m) continue;
    const n = m.slice(1, 9).map(Number);
    const xs = [n[0], n[2], n[4], n[6]] as number[];
    const ys = [n[1], n[3], n[5], n[7]] as number[];
    out.push({
      text: m[9] ?? '',
      box: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
    });
  }
  return out;
};
