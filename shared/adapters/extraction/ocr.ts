/**
 * Offline OCR with tesseract.js (WASM) and the eng + fra models from @tesseract.js-data. One worker, created lazily,
 * reused across documents, terminated by close(). Produces positioned lines for the field parser.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TextFragment } from '../../domain/extraction/layout.ts';
import {
  cropGray,
  encodePgm,
  type GrayImage,
  otsuThreshold,
  type PreprocessOptions,
  prepareForOcr,
  thickenInk,
} from './image-preprocess.ts';

const require = createRequire(import.meta.url);

/** The model folder: tesseract.js wants eng and fra side by side, so they are copied once into a cache folder. */
const prepareLangPath = (variant: '4.0.0' | '4.0.0_best_int'): string => {
  const target = join(tmpdir(), `quittance-tessdata-${variant}`);
  for (const lang of ['eng', 'fra']) {
    const file = join(target, `${lang}.traineddata.gz`);
    if (existsSync(file)) continue;
    const pkg = dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
    mkdirSync(target, { recursive: true });
    copyFileSync(join(pkg, variant, `${lang}.traineddata.gz`), file);
  }
  return target;
};

export interface OcrLine {
  text: string;
  confidence: number;
  box: { x0: number; y0: number; x1: number; y1: number };
}

export interface OcrResult {
  lines: OcrLine[];
  fragments: TextFragment[];
  meanConfidence: number;
  text: string;
}

interface TesseractBbox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface TesseractWord {
  text: string;
  confidence: number;
  bbox: TesseractBbox;
}
interface TesseractLine {
  text: string;
  confidence: number;
  bbox: TesseractBbox;
  words?: TesseractWord[];
}
interface TesseractWorker {
  recognize(
    image: Buffer | Uint8Array,
    options?: object,
    output?: object,
  ): Promise<{
    data: { text: string; confidence: number; blocks: Array<{ paragraphs: Array<{ lines: TesseractLine[] }> }> | null };
  }>;
  setParameters(params: Record<string, string>): Promise<unknown>;
  terminate(): Promise<unknown>;
}

export interface OcrEngineOptions {
  /** Languages, in tesseract's codes. Default eng+fra. */
  languages?: string[];
  /** Tesseract page segmentation mode. Default 6 (a uniform block of text: measured better than 4 on receipts). */
  pageSegMode?: number;
  /** Model variant: 'best_int' (default, faster) or 'standard'. */
  model?: 'best_int' | 'standard';
  /** Image preparation before OCR (false: OCR the bytes as given). */
  preprocess?: PreprocessOptions | false;
  /** Re-read the lines that hold totals and dates (needs preprocessing). */
  secondPass?: SecondPassOptions | false;
  /** Drop low-confidence noise words at the ends of lines. Default true. */
  trimNoise?: boolean;
  /**
   * Below this mean confidence the original bytes are read as well and the more confident reading kept (needs
   * preprocessing; 0 disables). Default 0.5.
   */
  retryBelow?: number;
  /** Re-read the receipt's header (merchant name) where the page reading is unreliable (needs preprocessing). Default on. */
  headerPass?: HeaderPassOptions | false;
  /** Extra tesseract parameters. */
  params?: Record<string, string>;
}

/**
 * The merchant name is often printed larger, bolder or fainter than the rest: tesseract reads a page at one text size,
 * so a line twice as tall is misread more often ("POPULAK BOOK") and sometimes not found at all. Header lines much
 * taller than the median line are read again alone, scaled down to the median height; bands of ink in the header that
 * no line covers are read alone too; the first name-like lines read with some doubt get two more readings and a
 * majority of three decides ("GARDENIA BAKERIES (KI )" → "(KL)").
 */
export interface HeaderPassOptions {
  /** A line this many times taller than the median line is re-read. Default 1.4. */
  tallRatio?: number;
  /** The header: lines in this top fraction of the text. Default 0.3. */
  top?: number;
  /** Read bands of ink that no line covers. Default true. */
  missed?: boolean;
  /** Bands at least this many times the median line height are read (tesseract drops large text, not small). Default 1.2. */
  missedRatio?: number;
  /** A row of ink has dark pixels over at least this fraction of the width. Default 0.02. */
  minInk?: number;
  /** A band read alone is kept from this confidence. Default 0.6. */
  minConfidence?: number;
  /**
   * The first this many name-like header lines (5+ letters, not tall, read with at least 50 % confidence), when read
   * with less than nameBelow, are read again alone twice (psm 7: strokes thickened by one pixel; scaled by
   * nameScale); when both re-readings agree with each other and not with the page, they replace it. Default 1 (the
   * first such line, usually the name).
   */
  nameLines?: number;
  /** Default 0.9. */
  nameBelow?: number;
  /** Default 0.6. */
  nameScale?: number;
  /** A re-read tall line replaces the first reading when more confident by this much. Default 0. */
  margin?: number;
}

export interface SecondPassOptions {
  maxLines?: number;
  pad?: number;
  scale?: number;
  psm?: number;
  fullWidth?: boolean;
  acceptByConfidence?: boolean;
  /**
   * 'suspect' (default): only lines whose first reading looks wrong; 'all': every total/date candidate line;
   * 'header': the first lines of the receipt (the merchant name), each re-read alone.
   */
  select?: 'suspect' | 'all' | 'header';
  /** Scale each re-read line so that its box is this tall (px), instead of a fixed scale. */
  lineHeight?: number;
  /** A re-reading replaces the first only when its confidence is higher by at least this much. Default 0. */
  margin?: number;
}

const AMOUNT = /(?<![\d.,])\d{1,3}(?:[ ,.]\d{3})*[.,]\d{2}(?![\d])/g;
const DATE_LIKE = /(?<!\d)(\d{1,4})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{2,4})(?!\d)/g;
const TOTAL_LABEL = /TOTA|TTL|T\.?T\.?C|PAYER|MONTANT|AMOUNT|\bDUE\b|\bNET\b/i;
const DATE_LABEL = /\bDATE\b|\bLE\b/i;

const plausibleYear = (y: string): boolean => {
  const year = y.length === 2 ? 2000 + Number(y) : Number(y);
  return year >= 1990 && year <= new Date().getUTCFullYear() + 1;
};

/** Dates in a line, and whether each has a plausible year (receipts are neither ancient nor from the future). */
const datesIn = (text: string): boolean[] =>
  [...text.matchAll(DATE_LIKE)].map((m) => plausibleYear((m[1] ?? '').length === 4 ? (m[1] ?? '') : (m[3] ?? '')));

/**
 * How much a line reading looks like well-formed receipt data: amounts with two decimals and dates with a plausible
 * year count; stray bars and unreadable symbols count against. A second reading replaces the first only when it has
 * strictly more evidence, so a re-read never trades a well-formed amount for a worse one.
 */
export const lineEvidence = (text: string): number =>
  (text.match(AMOUNT) ?? []).length * 2 +
  datesIn(text).filter(Boolean).length * 2 -
  (text.match(/[|\\{}[\]«»©®¢¥§¬~_]/g) ?? []).length * 0.5;

/**
 * A line the first reading probably got wrong where it matters: a total label without a well-formed amount, a date
 * label without a date, or a date with an impossible year ("06-05-7118").
 */
export const suspectLine = (text: string): boolean => {
  const dates = datesIn(text);
  if (dates.some((ok) => !ok)) return true;
  if (TOTAL_LABEL.test(text) && (text.match(AMOUNT) ?? []).length === 0) return true;
  return DATE_LABEL.test(text) && dates.length === 0;
};

/** Lines worth a second reading when every candidate is re-read: total and date labels, date-like text. */
const candidateLine = (text: string): boolean =>
  TOTAL_LABEL.test(text) || DATE_LABEL.test(text) || datesIn(text).length > 0;

/** Two readings of the same text: at least half of their letter pairs in common (Dice coefficient). */
export const similarReading = (a: string, b: string): boolean => {
  const pairs = (s: string): string[] => {
    const t = s.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
    return Array.from({ length: Math.max(0, t.length - 1) }, (_, i) => t.slice(i, i + 2));
  };
  const pa = pairs(a);
  const pb = pairs(b);
  if (pa.length === 0 || pb.length === 0) return false;
  const rest = [...pb];
  let common = 0;
  for (const p of pa) {
    const k = rest.indexOf(p);
    if (k >= 0) {
      common++;
      rest.splice(k, 1);
    }
  }
  return (2 * common) / (pa.length + pb.length) >= 0.5;
};

/** A word that is probably not text: no digit, at most two characters or only symbols, and read with low confidence. */
const noiseWord = (w: TesseractWord): boolean =>
  !/\d/.test(w.text) && (w.text.length <= 2 || !/[\p{L}\p{N}]/u.test(w.text)) && w.confidence < 45;

/**
 * Drops noise words at the ends of a line (specks, scan edges and logo fragments read as "re", "|", "LA \\"):
 * they would otherwise stick to a merchant name or push an amount away from its label.
 */
export const trimNoiseWords = (l: TesseractLine): TesseractLine => {
  const words = l.words ?? [];
  let a = 0;
  let b = words.length;
  while (a < b && noiseWord(words[a] as TesseractWord)) a++;
  while (b > a && noiseWord(words[b - 1] as TesseractWord)) b--;
  if (a === 0 && b === words.length) return l;
  if (a >= b) return { ...l, text: '' };
  let text = l.text;
  const first = words[a] as TesseractWord;
  const last = words[b - 1] as TesseractWord;
  const start = text.indexOf(first.text);
  const end = text.lastIndexOf(last.text);
  if (start < 0 || end < start) return l;
  text = text.slice(start, end + last.text.length);
  return { ...l, text, bbox: { x0: first.bbox.x0, y0: l.bbox.y0, x1: last.bbox.x1, y1: l.bbox.y1 } };
};

export class OcrEngine {
  private worker: Promise<TesseractWorker> | undefined;
  private lastError: unknown;

  constructor(private readonly options: OcrEngineOptions = {}) {}

  private async start(): Promise<TesseractWorker> {
    const tesseract = (await import('tesseract.js')) as unknown as {
      createWorker(langs: string[], oem: number, options: object): Promise<TesseractWorker>;
    };
    const langs = this.options.languages ?? ['eng', 'fra'];
    const worker = await tesseract.createWorker(langs, 1 /* LSTM only */, {
      langPath: prepareLangPath(this.options.model === 'standard' ? '4.0.0' : '4.0.0_best_int'),
      gzip: true,
      cacheMethod: 'none',
      errorHandler: (error: unknown) => {
        this.lastError = error;
      },
    });
    // Receipts: a single column of text in blocks; keep the spaces that separate label and amount.
    await worker.setParameters({
      tessedit_pageseg_mode: String(this.options.pageSegMode ?? 6),
      preserve_interword_spaces: '1',
      // Receipts are dark on light: skipping the inverted-text retry of weak lines saves ~5 % CPU, same accuracy.
      tessedit_do_invert: '0',
      ...(this.options.params ?? {}),
    });
    return worker;
  }

  private async page(worker: TesseractWorker, input: Uint8Array, params?: Record<string, string>) {
    const { data } = await worker.recognize(Buffer.from(input), params ?? {}, { text: true, blocks: true });
    if (this.lastError) {
      const e = this.lastError;
      this.lastError = undefined;
      throw new Error(`OCR failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const lines: OcrLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const l of para.lines) {
          const line = this.options.trimNoise === false ? l : trimNoiseWords(l);
          const text = line.text.replace(/\s+$/, '');
          if (!text.trim()) continue;
          lines.push({ text, confidence: line.confidence / 100, box: { ...line.bbox } });
        }
      }
    }
    return { lines, text: data.text, confidence: data.confidence / 100 };
  }

  /**
   * Second pass: the lines that carry the fields read from digits (totals, dates) are cropped as a full-width band
   * and read again as a single line, larger; the new reading replaces the old one when tesseract is surer of it.
   */
  private async refine(worker: TesseractWorker, gray: GrayImage, lines: OcrLine[]): Promise<OcrLine[]> {
    const pass = this.options.secondPass;
    if (!pass) return lines;
    const out = [...lines];
    let budget = pass.maxLines ?? 8;
    for (const [i, line] of lines.entries()) {
      if (budget <= 0) break;
      const wanted =
        pass.select === 'header'
          ? (line.text.match(/\p{L}/gu) ?? []).length >= 3
          : pass.select === 'all'
            ? candidateLine(line.text)
            : suspectLine(line.text);
      if (!wanted) {
        if (pass.select === 'header') budget--;
        continue;
      }
      budget--;
      const h = line.box.y1 - line.box.y0;
      const pad = h * (pass.pad ?? 0.2);
      const band = {
        x0: pass.fullWidth === false ? line.box.x0 - h : 0,
        y0: line.box.y0 - pad,
        x1: pass.fullWidth === false ? line.box.x1 + h : gray.width,
        y1: line.box.y1 + pad,
      };
      const scale = pass.lineHeight ? Math.min(2, Math.max(0.3, pass.lineHeight / Math.max(1, h))) : (pass.scale ?? 1);
      const crop = cropGray(gray, band, scale);
      const r = await this.page(worker, encodePgm(crop), { tessedit_pageseg_mode: String(pass.psm ?? 7) });
      const text = r.lines.map((l) => l.text).join('   ');
      if (!text.trim()) continue;
      const conf = r.lines.length ? r.lines.reduce((a, l) => a + l.confidence, 0) / r.lines.length : 0;
      const better = pass.acceptByConfidence
        ? conf > line.confidence + (pass.margin ?? 0)
        : lineEvidence(text) > lineEvidence(line.text);
      if (better) {
        const x0 = Math.max(0, Math.floor(band.x0));
        const bx0 = Math.min(...r.lines.map((l) => l.box.x0)) / scale + x0;
        const bx1 = Math.max(...r.lines.map((l) => l.box.x1)) / scale + x0;
        out[i] = { text, confidence: conf, box: { x0: bx0, y0: line.box.y0, x1: bx1, y1: line.box.y1 } };
      }
    }
    return out;
  }

  /** A crop read alone (psm 6), its lines mapped back to page coordinates. */
  private async readCrop(
    worker: TesseractWorker,
    gray: GrayImage,
    band: OcrLine['box'],
    scale: number,
    psm = 6,
    thicken = 0,
  ) {
    const x0 = Math.max(0, Math.floor(band.x0));
    const y0 = Math.max(0, Math.floor(band.y0));
    const crop = thickenInk(cropGray(gray, band, scale), thicken);
    const r = await this.page(worker, encodePgm(crop), { tessedit_pageseg_mode: String(psm) });
    return r.lines.map((l) => ({
      ...l,
      box: {
        x0: l.box.x0 / scale + x0,
        y0: l.box.y0 / scale + y0,
        x1: l.box.x1 / scale + x0,
        y1: l.box.y1 / scale + y0,
      },
    }));
  }

  /** See HeaderPassOptions. */
  private async header(worker: TesseractWorker, gray: GrayImage, lines: OcrLine[]): Promise<OcrLine[]> {
    const pass = this.options.headerPass ?? {};
    if (pass === false || lines.length < 4) return lines;
    const heights = lines.map((l) => l.box.y1 - l.box.y0).sort((a, b) => a - b);
    const median = heights[Math.floor(heights.length / 2)] ?? 0;
    if (median <= 0) return lines;
    const minY = Math.min(...lines.map((l) => l.box.y0));
    const maxY = Math.max(...lines.map((l) => l.box.y1));
    const bottom = minY + (maxY - minY) * (pass.top ?? 0.3);
    const out: OcrLine[] = [];
    let names = pass.nameLines ?? 1;
    for (const line of lines) {
      const h = line.box.y1 - line.box.y0;
      // A name-like line read with some doubt: read twice more alone (bolder strokes; smaller). When both re-readings
      // agree with each other and not with the page reading, two of three readings win.
      const letters = (line.text.match(/\p{L}/gu) ?? []).length;
      // (Lines read with less than 50 % confidence are logos or stamps, which the parser skips: not counted.)
      if (
        names > 0 &&
        line.box.y1 <= bottom &&
        h < median * (pass.tallRatio ?? 1.4) &&
        letters >= 5 &&
        line.confidence >= 0.5
      ) {
        names--;
        if (line.confidence < (pass.nameBelow ?? 0.9)) {
          const band = {
            x0: line.box.x0 - h * 0.5,
            y0: line.box.y0 - h * 0.15,
            x1: line.box.x1 + h * 0.5,
            y1: line.box.y1 + h * 0.15,
          };
          const key = (t: string): string => t.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
          const bold = (await this.readCrop(worker, gray, band, 1, 7, 1)).filter((l) => l.text.trim());
          const b = bold.length === 1 ? bold[0] : undefined;
          // The third reading only when the second disagrees with the page (otherwise the page reading wins anyway).
          const differs = b !== undefined && key(b.text) !== key(line.text) && similarReading(b.text, line.text);
          const small = differs
            ? (await this.readCrop(worker, gray, band, pass.nameScale ?? 0.6, 7)).filter((l) => l.text.trim())
            : [];
          const sm = small.length === 1 ? small[0] : undefined;
          if (b && sm && key(b.text) === key(sm.text)) {
            out.push({ ...b, box: line.box });
            continue;
          }
        }
        out.push(line);
        continue;
      }
      // Tall and wider than tall: a bar or a speck is not worth a reading.
      if (line.box.y1 > bottom || h < median * (pass.tallRatio ?? 1.4) || line.box.x1 - line.box.x0 < 2 * h) {
        out.push(line);
        continue;
      }
      const scale = Math.max(0.3, median / h);
      const band = {
        x0: line.box.x0 - h * 0.5,
        y0: line.box.y0 - h * 0.15,
        x1: line.box.x1 + h * 0.5,
        y1: line.box.y1 + h * 0.15,
      };
      // Only what lies on this line: the margin may catch a piece of a neighbour, already read.
      const again = (await this.readCrop(worker, gray, band, scale)).filter((l) => {
        const mid = (l.box.y0 + l.box.y1) / 2;
        const neighbour = lines.some((o) => o !== line && similarReading(o.text, l.text));
        return l.text.trim() && mid >= line.box.y0 && mid <= line.box.y1 && !neighbour;
      });
      const conf = again.length ? Math.min(...again.map((l) => l.confidence)) : 0;
      if (again.length > 0 && conf > line.confidence + (pass.margin ?? 0)) out.push(...again);
      else out.push(line);
    }
    if (pass.missed === false) return out;
    // Bands of ink in the header that no line covers: rows with ink, outside every line's box.
    const t = otsuThreshold(gray);
    const top = Math.max(0, Math.floor(minY - median * 3));
    const end = Math.min(gray.height, Math.ceil(bottom));
    const covered = new Uint8Array(gray.height);
    for (const l of out)
      for (let y = Math.max(0, Math.floor(l.box.y0)); y < Math.min(gray.height, l.box.y1); y++) covered[y] = 1;
    const ink = new Uint32Array(gray.height);
    for (let y = top; y < end; y++) {
      let n = 0;
      const row = y * gray.width;
      for (let x = 0; x < gray.width; x++) if ((gray.data[row + x] ?? 255) <= t) n++;
      ink[y] = n;
    }
    // A row of text has ink over a good part of the width; the paper's edges and a scan shadow are thin vertical runs.
    const minInk = Math.max(3, gray.width * (pass.minInk ?? 0.02));
    const added: OcrLine[] = [];
    for (let y = top; y < end; ) {
      if (covered[y] || (ink[y] ?? 0) < minInk) {
        y++;
        continue;
      }
      let y1 = y;
      let total = 0;
      while (y1 < end && !covered[y1] && (ink[y1] ?? 0) >= minInk) total += ink[y1++] ?? 0;
      const bh = y1 - y;
      const density = total / (bh * gray.width);
      if (bh >= median * (pass.missedRatio ?? 1.2) && bh <= median * 4 && density < 0.35) {
        let x0 = gray.width;
        let x1 = 0;
        for (let yy = y; yy < y1; yy++) {
          const row = yy * gray.width;
          for (let x = 0; x < gray.width; x++) {
            if ((gray.data[row + x] ?? 255) <= t) {
              if (x < x0) x0 = x;
              if (x > x1) x1 = x;
            }
          }
        }
        if (x1 - x0 < 2 * bh) {
          y = y1;
          continue;
        }
        const pad = bh * 0.3;
        const scale = Math.max(0.3, Math.min(1, median / bh));
        const read = await this.readCrop(
          worker,
          gray,
          { x0: x0 - pad, y0: y - pad, x1: x1 + pad, y1: y1 + pad },
          scale,
        );
        for (const l of read) {
          if (l.confidence < (pass.minConfidence ?? 0.6) || (l.text.match(/\p{L}/gu) ?? []).length < 3) continue;
          // A piece of a line already read (its descenders, a skewed end) is not a new line.
          const lh = l.box.y1 - l.box.y0;
          const dup = out.some(
            (o) =>
              Math.min(o.box.y1, l.box.y1) - Math.max(o.box.y0, l.box.y0) > Math.min(lh, o.box.y1 - o.box.y0) * 0.3 ||
              (Math.abs(o.box.y0 + o.box.y1 - l.box.y0 - l.box.y1) < 4 * median && similarReading(o.text, l.text)),
          );
          if (!dup) added.push(l);
        }
      }
      y = y1;
    }
    if (added.length === 0) return out;
    return [...out, ...added].sort((a, b) => a.box.y0 + a.box.y1 - (b.box.y0 + b.box.y1));
  }

  async recognize(image: Uint8Array): Promise<OcrResult> {
    this.worker ??= this.start();
    let worker: TesseractWorker;
    try {
      worker = await this.worker;
    } catch (error) {
      this.worker = undefined;
      throw new Error(`OCR engine failed to start: ${error instanceof Error ? error.message : String(error)}`);
    }
    const prepared =
      this.options.preprocess === false ? undefined : await prepareForOcr(image, this.options.preprocess);
    let first = await this.page(worker, prepared ? prepared.pgm : image);
    let refined = Boolean(prepared);
    // A poor reading of the prepared image (dot-matrix print broken up by rescaling, stamps): the original bytes are
    // read too, if not larger than the working image, and the more confident reading is kept.
    const retryBelow = this.options.retryBelow ?? 0.5;
    if (prepared && first.confidence < retryBelow) {
      const original = (prepared.gray.width * prepared.gray.height) / (prepared.scale * prepared.scale);
      if (original <= (this.options.preprocess ? (this.options.preprocess.maxWorkPixels ?? 6_000_000) : 6_000_000)) {
        const raw = await this.page(worker, image);
        if (raw.confidence > first.confidence) {
          first = raw;
          refined = false;
        }
      }
    }
    let lines = prepared && refined ? await this.refine(worker, prepared.gray, first.lines) : first.lines;
    if (prepared && refined) lines = await this.header(worker, prepared.gray, lines);
    const data = { text: first.text, confidence: first.confidence };
    const fragments: TextFragment[] = [];
    for (const l of lines) {
      // Wide gaps inside a line separate columns ("TOTAL TTC        12,50"): keep them as separate cells.
      const parts = l.text.split(/\s{3,}/);
      if (parts.length === 1) {
        fragments.push({ text: l.text, box: l.box, confidence: l.confidence });
        continue;
      }
      const width = l.box.x1 - l.box.x0;
      const perChar = width / Math.max(1, l.text.length);
      let offset = 0;
      for (const part of parts) {
        const at = l.text.indexOf(part, offset);
        offset = at + part.length;
        fragments.push({
          text: part,
          box: { x0: l.box.x0 + at * perChar, y0: l.box.y0, x1: l.box.x0 + offset * perChar, y1: l.box.y1 },
          confidence: l.confidence,
        });
      }
    }
    return { lines, fragments, meanConfidence: data.confidence, text: data.text };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await (await w.catch(() => undefined))?.terminate();
  }
}
