/**
 * Offline OCR with tesseract.js (WASM) and the eng + fra models from @tesseract.js-data. One worker, created lazily,
 * reused across documents, terminated by close(). Produces positioned lines for the field parser.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TextFragment } from '../../domain/extraction/layout.ts';
import { cropGray, encodePgm, type GrayImage, type PreprocessOptions, prepareForOcr } from './image-preprocess.ts';

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
  /** Extra tesseract parameters. */
  params?: Record<string, string>;
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
    const lines = prepared && refined ? await this.refine(worker, prepared.gray, first.lines) : first.lines;
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
