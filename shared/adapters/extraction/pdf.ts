/**
 * PDF reading with pdfjs-dist 6 (legacy build, Node): embedded Factur-X/ZUGFeRD XML, the text layer with positions,
 * and page rendering for scanned PDFs (through pdfjs' own Node canvas, @napi-rs/canvas, when it is installed).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TextFragment } from '../../domain/extraction/layout.ts';

const require = createRequire(import.meta.url);
const pdfjsRoot = dirname(require.resolve('pdfjs-dist/package.json'));
const STANDARD_FONTS = join(pdfjsRoot, 'standard_fonts/');
const CMAPS = join(pdfjsRoot, 'cmaps/');

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<PdfJs> | undefined;
const pdfjs = (): Promise<PdfJs> => {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
};

export class PdfError extends Error {
  override readonly name = 'PdfError';
}

/** Names under which Factur-X / ZUGFeRD / XRechnung embed their XML. */
const EINVOICE_ATTACHMENT = /^(?:factur-x|zugferd-invoice|zugferd|xrechnung|order-x)\.xml$/i;

export interface PdfContent {
  pageCount: number;
  /** The embedded e-invoice XML, if any. */
  einvoice?: { name: string; xml: string };
  /** Positioned text of the first pages (y from the top of each page). */
  fragments: TextFragment[];
  /** Number of non-blank characters in the text layer. */
  textChars: number;
}

export interface PdfOptions {
  /** Pages whose text is read (receipts and invoices are short). */
  maxPages?: number;
}

interface TextItemLike {
  str: string;
  transform: number[];
  width: number;
  height: number;
}

const openOptions = (bytes: Uint8Array) => ({
  // pdfjs transfers (detaches) the buffer it is given: always hand it a copy.
  data: new Uint8Array(bytes),
  standardFontDataUrl: STANDARD_FONTS,
  cMapUrl: CMAPS,
  cMapPacked: true,
  isEvalSupported: false,
  disableFontFace: true,
  useSystemFonts: false,
  verbosity: 0,
  stopAtErrors: false,
});

const describe = (error: unknown): string => {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException' || /password/i.test(message)) return 'encrypted PDF (password protected)';
  if (name === 'InvalidPDFException' || /Invalid PDF|No PDF header|empty/i.test(message)) {
    return `not a valid PDF: ${message}`;
  }
  return `cannot read PDF: ${message}`;
};

export const readPdf = async (bytes: Uint8Array, options: PdfOptions = {}): Promise<PdfContent> => {
  if (bytes.length === 0) throw new PdfError('empty file (0 bytes)');
  const lib = await pdfjs();
  const task = lib.getDocument(openOptions(bytes));
  try {
    const doc = await task.promise.catch((error: unknown) => {
      throw new PdfError(describe(error));
    });
    const out: PdfContent = { pageCount: doc.numPages, fragments: [], textChars: 0 };
    const attachments = (await doc.getAttachments().catch(() => null)) as Map<string, { filename: string }> | null;
    if (attachments && attachments.size > 0) {
      const name = [...attachments.keys()].find((k) => EINVOICE_ATTACHMENT.test(k));
      if (name) {
        const content = (await (
          doc as unknown as { getAttachmentContent(id: string): Promise<Uint8Array | null> }
        ).getAttachmentContent(name)) as Uint8Array | null;
        if (content) out.einvoice = { name, xml: new TextDecoder('utf-8').decode(content) };
      }
    }
    const maxPages = Math.min(doc.numPages, options.maxPages ?? 5);
    let yOffset = 0;
    for (let p = 1; p <= maxPages; p++) {
      const page = await doc.getPage(p);
      const { height } = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      for (const raw of content.items) {
        const item = raw as TextItemLike;
        if (typeof item.str !== 'string' || !item.str.trim()) continue;
        const [a = 0, b = 0, , d = 0, e = 0, f = 0] = item.transform;
        if (Math.abs(b) > Math.abs(a)) continue; // rotated text (stamps, margins)
        const h = item.height || Math.abs(d) || 10;
        const top = height - f - h;
        out.fragments.push({
          text: item.str,
          box: { x0: e, y0: top, x1: e + (item.width || h * item.str.length * 0.5), y1: top + h },
          page: p,
        });
        out.textChars += item.str.replace(/\s/g, '').length;
      }
      yOffset += height;
      page.cleanup();
    }
    void yOffset;
    return out;
  } finally {
    await task.destroy();
  }
};

/**
 * Renders the first pages of a PDF to PNG for OCR. Needs @napi-rs/canvas (pdfjs' optional dependency); throws a clear
 * error when it is missing.
 */
export const renderPdfPages = async (bytes: Uint8Array, maxPages = 2, scale = 2): Promise<Uint8Array[]> => {
  const lib = await pdfjs();
  let canvasLib: { createCanvas(w: number, h: number): unknown };
  try {
    canvasLib = (await import('@napi-rs/canvas' as string)) as typeof canvasLib;
  } catch {
    throw new PdfError('scanned PDF: rendering it for OCR needs the optional package @napi-rs/canvas');
  }
  const task = lib.getDocument(openOptions(bytes));
  try {
    const doc = await task.promise.catch((error: unknown) => {
      throw new PdfError(describe(error));
    });
    const images: Uint8Array[] = [];
    for (let p = 1; p <= Math.min(doc.numPages, maxPages); p++) {
      const page = await doc.getPage(p);
      let viewport = page.getViewport({ scale });
      // Bound memory: at most ~12 megapixels per rendered page.
      const mp = (viewport.width * viewport.height) / 1e6;
      if (mp > 12) viewport = page.getViewport({ scale: scale * Math.sqrt(12 / mp) });
      const canvas = canvasLib.createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height)) as {
        getContext(kind: '2d'): unknown;
        toBuffer(mime: 'image/png'): Buffer;
      };
      const context = canvas.getContext('2d');
      await page.render({ canvasContext: context, viewport, canvas } as unknown as Parameters<typeof page.render>[0])
        .promise;
      images.push(new Uint8Array(canvas.toBuffer('image/png')));
      page.cleanup();
    }
    return images;
  } finally {
    await task.destroy();
  }
};
