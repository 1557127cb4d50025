/**
 * Offline OCR with tesseract.js (WASM) and the eng + fra models from @tesseract.js-data. One worker, created lazily,
 * reused across documents, terminated by close(). Produces positioned lines for the field parser.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TextFragment } from '../../domain/extraction/layout.ts';

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
interface TesseractLine {
  text: string;
  confidence: number;
  bbox: TesseractBbox;
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
}

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
    });
    return worker;
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
    const { data } = await worker.recognize(Buffer.from(image), {}, { text: true, blocks: true });
    if (this.lastError) {
      const e = this.lastError;
      this.lastError = undefined;
      throw new Error(`OCR failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const lines: OcrLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const l of para.lines) {
          const text = l.text.replace(/\s+$/, '');
          if (!text.trim()) continue;
          lines.push({ text, confidence: l.confidence / 100, box: { ...l.bbox } });
        }
      }
    }
    const fragments: TextFragment[] = [];
    for (const l of lines) {
      // Wide gaps inside a line separate columns ("TOTAL TTC        12,50"): keep them as separate cells.
      const parts = l.text.split(/\s{3,}/);
      if (parts.length === 1) {
        fragments.push({ text: l.text, box: l.box });
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
        });
      }
    }
    return { lines, fragments, meanConfidence: data.confidence / 100, text: data.text };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await (await w.catch(() => undefined))?.terminate();
  }
}
