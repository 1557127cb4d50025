/**
 * The built-in Extractor: e-invoice XML (UBL, CII, Factur-X inside PDF/A-3) read exactly; PDF text layer with
 * positions; OCR (tesseract.js, offline) for images and scanned PDFs; pre-OCR'd lines (.csv box format, .txt);
 * HTML and e-mail bodies. Every path ends in the same normalized receipt.
 */
import { parseEInvoiceXml } from '../../domain/extraction/einvoice.ts';
import { type ParseHints, parseReceiptRows } from '../../domain/extraction/field-parser.ts';
import { htmlToLines } from '../../domain/extraction/html.ts';
import {
  buildRows,
  fragmentsFromBoxCsv,
  type Row,
  rowsFromText,
  type TextFragment,
} from '../../domain/extraction/layout.ts';
import type { ExtractedReceipt, ExtractionEngine } from '../../domain/extraction/model.ts';
import { repairOcrLine } from '../../domain/extraction/ocr-text.ts';
import type {
  ExtractionFailure,
  ExtractionFailureCode,
  ExtractionInput,
  ExtractionResult,
  Extractor,
} from '../../ports/extractor.ts';
import { OcrEngine } from './ocr.ts';
import { PdfError, readPdf, renderPdfPages } from './pdf.ts';
import { imageFormat, imageSize, sniffKind } from './sniff.ts';

export interface BuiltinExtractorOptions {
  /** Largest accepted file. Default 25 MB. */
  maxBytes?: number;
  /** Largest accepted image, in megapixels (width × height from the header). Default 40. */
  maxMegapixels?: number;
  /** PDF pages read. Default 5. */
  maxPdfPages?: number;
  /** Minimum non-blank characters for a PDF text layer to be trusted (below: scanned, OCR). Default 20. */
  minPdfTextChars?: number;
  /** Reference date for date plausibility. Default: now. */
  now?: Date;
  /** Share an OCR engine (tests, benchmarks). */
  ocr?: OcrEngine;
}

class Failure extends Error {
  constructor(
    readonly code: ExtractionFailureCode,
    message: string,
    readonly engine?: ExtractionEngine,
  ) {
    super(message);
  }
}

const decodeText = (bytes: Uint8Array): string => {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  // Binary content decoded as text is full of replacement/control characters.
  const sample = text.slice(0, 4000);
  let bad = 0;
  for (const ch of sample) {
    const c = ch.charCodeAt(0);
    if (c === 0xfffd || c < 0x09 || (c > 0x0d && c < 0x20)) bad++;
  }
  if (sample.length > 0 && bad / sample.length > 0.1) throw new Failure('unreadable', 'binary content, not text');
  return text;
};

/** OCR output with date- and amount-shaped tokens repaired (look-alike letters, split decimals). */
const repairFragments = (fragments: readonly TextFragment[]): TextFragment[] =>
  fragments.map((f) => ({ ...f, text: repairOcrLine(f.text) }));

export const makeBuiltinExtractor = (options: BuiltinExtractorOptions = {}): Extractor & { close(): Promise<void> } => {
  const maxBytes = options.maxBytes ?? 25 * 1024 * 1024;
  const maxMp = options.maxMegapixels ?? 40;
  const minPdfText = options.minPdfTextChars ?? 20;
  const ownOcr = !options.ocr;
  let ocr = options.ocr;
  const ocrEngine = (): OcrEngine => {
    ocr ??= new OcrEngine();
    return ocr;
  };

  const parseRows = (rows: Row[], engine: ExtractionEngine, hints: ParseHints): ExtractedReceipt => {
    const receipt = parseReceiptRows(rows, engine, { ...hints, ...(options.now ? { now: options.now } : {}) });
    if (!receipt.total && !receipt.date) {
      throw new Failure(
        'not-a-receipt',
        rows.length === 0 ? 'no text found' : 'no total and no date found: this does not look like a receipt',
        engine,
      );
    }
    return receipt;
  };

  const fromXml = (xml: string, engine?: 'facturx'): ExtractedReceipt => {
    const r = parseEInvoiceXml(xml);
    if (!r.ok) throw new Failure(/not a CII or UBL/.test(r.error) ? 'unsupported' : 'unreadable', r.error, engine);
    if (engine) r.receipt.engine = engine;
    return r.receipt;
  };

  const fromImage = async (bytes: Uint8Array, hints: ParseHints): Promise<ExtractedReceipt> => {
    const size = imageSize(bytes);
    if (!size || size.width === 0 || size.height === 0) {
      throw new Failure('unreadable', `corrupt ${imageFormat(bytes) ?? 'image'}: cannot read its dimensions`, 'ocr');
    }
    const mp = (size.width * size.height) / 1e6;
    if (mp > maxMp) {
      throw new Failure(
        'too-large',
        `image of ${size.width}×${size.height} (${mp.toFixed(1)} MP) exceeds the ${maxMp} MP limit`,
        'ocr',
      );
    }
    const result = await ocrEngine()
      .recognize(bytes)
      .catch((error: unknown) => {
        throw new Failure('engine-error', error instanceof Error ? error.message : String(error), 'ocr');
      });
    const receipt = parseRows(buildRows(repairFragments(result.fragments)), 'ocr', hints);
    if (result.meanConfidence < 0.5) {
      receipt.warnings.push(`low OCR confidence (${Math.round(result.meanConfidence * 100)} %)`);
      for (const k of Object.keys(receipt.confidence) as Array<keyof typeof receipt.confidence>) {
        receipt.confidence[k] = (receipt.confidence[k] ?? 0) * 0.8;
      }
    }
    return receipt;
  };

  const fromPdf = async (bytes: Uint8Array, hints: ParseHints): Promise<ExtractedReceipt> => {
    const pdf = await readPdf(bytes, { maxPages: options.maxPdfPages ?? 5 }).catch((error: unknown) => {
      if (error instanceof PdfError) throw new Failure('unreadable', error.message, 'pdf-text');
      throw error;
    });
    const notes: string[] = [];
    if (pdf.einvoice) {
      const r = parseEInvoiceXml(pdf.einvoice.xml);
      if (r.ok) {
        r.receipt.engine = 'facturx';
        return r.receipt;
      }
      notes.push(`embedded ${pdf.einvoice.name} ignored: ${r.error}`);
    }
    if (pdf.textChars >= minPdfText) {
      const receipt = parseRows(buildRows(pdf.fragments), 'pdf-text', hints);
      receipt.warnings.push(...notes);
      return receipt;
    }
    // Scanned PDF: render and OCR.
    const images = await renderPdfPages(bytes, 2).catch((error: unknown) => {
      throw new Failure('unsupported', error instanceof Error ? error.message : String(error), 'ocr');
    });
    const fragments = [];
    for (const [i, img] of images.entries()) {
      const r = await ocrEngine()
        .recognize(img)
        .catch((error: unknown) => {
          throw new Failure('engine-error', error instanceof Error ? error.message : String(error), 'ocr');
        });
      fragments.push(...repairFragments(r.fragments).map((f) => ({ ...f, page: i + 1 })));
    }
    const receipt = parseRows(buildRows(fragments), 'ocr', hints);
    receipt.warnings.push('scanned PDF (no text layer): OCR used', ...notes);
    return receipt;
  };

  const fromEmail = async (bytes: Uint8Array, hints: ParseHints): Promise<ExtractedReceipt> => {
    const { simpleParser } = await import('mailparser');
    const mail = await simpleParser(Buffer.from(bytes)).catch((error: unknown) => {
      throw new Failure('unreadable', `malformed e-mail: ${error instanceof Error ? error.message : String(error)}`);
    });
    // An attached e-invoice or receipt wins over the body.
    const ranked = [...mail.attachments].sort((a, b) => rank(a.contentType) - rank(b.contentType));
    for (const att of ranked) {
      if (rank(att.contentType) >= 9) continue;
      const r = await extractOne({
        bytes: new Uint8Array(att.content),
        contentType: att.contentType,
        ...(att.filename ? { fileName: att.filename } : {}),
        hints,
      });
      if (r.ok) return r.receipt;
    }
    if (typeof mail.html === 'string' && mail.html)
      return parseRows(rowsFromLines(htmlToLines(mail.html)), 'html', hints);
    if (mail.text) return parseRows(rowsFromText(mail.text), 'html', hints);
    throw new Failure('not-a-receipt', 'e-mail without a readable body or attachment');
  };

  const rowsFromLines = (lines: string[]): Row[] => rowsFromText(lines.join('\n'));

  const rank = (ct: string): number => {
    const t = ct.toLowerCase();
    if (t.includes('xml')) return 0;
    if (t === 'application/pdf') return 1;
    if (t.startsWith('image/')) return 2;
    return 9;
  };

  const extractOne = async (input: ExtractionInput): Promise<ExtractionResult> => {
    const started = performance.now();
    try {
      const { bytes } = input;
      if (bytes.length === 0) throw new Failure('unreadable', 'empty file (0 bytes)');
      if (bytes.length > maxBytes) {
        throw new Failure('too-large', `file of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`);
      }
      const hints: ParseHints = { ...(input.hints ?? {}) };
      const kind = sniffKind(bytes, input.contentType, input.fileName);
      let receipt: ExtractedReceipt;
      switch (kind) {
        case 'xml':
          receipt = fromXml(decodeText(bytes));
          break;
        case 'pdf':
          receipt = await fromPdf(bytes, hints);
          break;
        case 'image':
          receipt = await fromImage(bytes, hints);
          break;
        case 'csv': {
          const fragments = fragmentsFromBoxCsv(decodeText(bytes));
          if (fragments.length === 0) {
            throw new Failure('unreadable', 'no line in the box format x1,y1,…,x4,y4,text', 'ocr-lines');
          }
          receipt = parseRows(buildRows(fragments), 'ocr-lines', hints);
          break;
        }
        case 'txt':
          receipt = parseRows(rowsFromText(decodeText(bytes)), 'ocr-lines', hints);
          break;
        case 'html':
          receipt = parseRows(rowsFromLines(htmlToLines(decodeText(bytes))), 'html', hints);
          break;
        case 'eml':
          receipt = await fromEmail(bytes, hints);
          break;
        default:
          throw new Failure('unsupported', `unsupported file type (${input.contentType || 'unknown content type'})`);
      }
      return { ok: true, receipt, elapsedMs: performance.now() - started };
    } catch (error) {
      if (error instanceof Failure) {
        const f: ExtractionFailure = { ok: false, code: error.code, error: error.message };
        if (error.engine) f.engine = error.engine;
        return f;
      }
      return { ok: false, code: 'engine-error', error: error instanceof Error ? error.message : String(error) };
    }
  };

  return {
    extract: extractOne,
    async close() {
      if (ownOcr) await ocr?.close();
    },
  };
};

/** Content type from a file name, for callers that only have a path (CLI, benchmarks). */
export const contentTypeFor = (fileName: string): string => {
  const e = (/\.([a-z0-9]+)$/i.exec(fileName)?.[1] ?? '').toLowerCase();
  const map: Record<string, string> = {
    pdf: 'application/pdf',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    tif: 'image/tiff',
    tiff: 'image/tiff',
    html: 'text/html',
    htm: 'text/html',
    eml: 'message/rfc822',
    xml: 'application/xml',
    txt: 'text/plain',
    csv: 'text/csv',
  };
  return map[e] ?? 'application/octet-stream';
};
