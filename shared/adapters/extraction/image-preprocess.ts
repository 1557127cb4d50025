/**
 * Image preparation for OCR: decode (EXIF orientation applied), grayscale, rescale so that text has the size tesseract's LSTM models read
 * best, deskew, normalize contrast and (optionally) binarize; the result is a PGM (a format Leptonica reads without
 * any codec) handed to tesseract.js.
 *
 * Decoding, scaling and rotation go through @napi-rs/canvas (native, already installed as pdfjs-dist's optional
 * dependency); the pixel work (statistics, thresholds) is plain TypeScript on typed arrays. When the canvas package is
 * missing (e.g. an arm64 Lambda bundle without it), `prepareForOcr` returns undefined and the caller OCRs the original
 * bytes, as before.
 *
 * Memory: the decoded bitmap is bounded by the caller's megapixel guard (checked from the header before decoding);
 * the working images are bounded by `maxWorkPixels`.
 */
import type { Box } from '../../domain/extraction/layout.ts';

export interface GrayImage {
  width: number;
  height: number;
  /** One byte a pixel, row-major, 0 = black. */
  data: Uint8Array;
}

export interface PreprocessOptions {
  /** Median glyph height (px) the OCR image is scaled to. Default 30. */
  targetGlyphHeight?: number;
  /** Never upscale more than this. Default 3. */
  maxUpscale?: number;
  /** Largest working image, in pixels. Default 6 MP. */
  maxWorkPixels?: number;
  /** Estimate and correct skew up to ±maxSkewDegrees. Default true. */
  deskew?: boolean;
  maxSkewDegrees?: number;
  /** 'none' keeps gray levels (tesseract thresholds with Otsu), 'sauvola' binarizes adaptively. Default 'none'. */
  binarize?: 'none' | 'sauvola' | 'otsu';
  /** Sauvola sensitivity. Default 0.2. */
  sauvolaK?: number;
  /** Stretch gray levels between the 1st and 99th percentiles. Default true. */
  normalize?: boolean;
  /** Whiten large dark regions touching the border (scan edges, background). Default false (measured worse). */
  clearBorder?: boolean;
  /** White margin added around the image, in target glyph heights. Default 1. */
  margin?: number;
}

export interface PreparedImage {
  /** PGM (P5) bytes for tesseract. */
  pgm: Uint8Array;
  gray: GrayImage;
  /** Scale from the original image to the prepared one. */
  scale: number;
  /** Rotation applied, degrees (counter-clockwise positive). */
  skewDegrees: number;
  /** Median glyph height measured on the original, in original pixels (undefined if no text was found). */
  glyphHeight: number | undefined;
}

interface CanvasImage {
  width: number;
  height: number;
  src: Uint8Array | string;
  decode(): Promise<void>;
}
interface Ctx2d {
  drawImage(img: unknown, dx: number, dy: number, dw: number, dh: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  translate(x: number, y: number): void;
  rotate(a: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillStyle: string;
  imageSmoothingEnabled: boolean;
  imageSmoothingQuality: string;
}
interface CanvasLib {
  createCanvas(w: number, h: number): { getContext(kind: '2d'): Ctx2d };
  Image: new () => CanvasImage;
}

let canvasLib: Promise<CanvasLib | undefined> | undefined;
const loadCanvas = (): Promise<CanvasLib | undefined> => {
  canvasLib ??= import('@napi-rs/canvas' as string).then(
    (m) => m as CanvasLib,
    () => undefined,
  );
  return canvasLib;
};

/** True when images can be decoded here (the native canvas package loads). */
export const canPreprocess = async (): Promise<boolean> => (await loadCanvas()) !== undefined;

const toGray = (rgba: Uint8ClampedArray, width: number, height: number): GrayImage => {
  const data = new Uint8Array(width * height);
  for (let p = 0, q = 0; p < data.length; p++, q += 4) {
    // Rec. 601 luma, integer arithmetic.
    data[p] = ((rgba[q] ?? 0) * 77 + (rgba[q + 1] ?? 0) * 150 + (rgba[q + 2] ?? 0) * 29) >> 8;
  }
  return { width, height, data };
};

/**
 * Draws `img` into a canvas, scaled by `scale` and rotated by `degrees` about the centre, on `background` (the
 * corners uncovered by a rotation).
 * (The decoder has already applied the EXIF orientation: `img.width`/`height` are the upright size.)
 */
const render = (
  lib: CanvasLib,
  img: CanvasImage,
  scale: number,
  degrees: number,
  background = '#ffffff',
): GrayImage => {
  const iw = img.width * scale;
  const ih = img.height * scale;
  const rad = (degrees * Math.PI) / 180;
  const w = Math.max(1, Math.round(Math.abs(iw * Math.cos(rad)) + Math.abs(ih * Math.sin(rad))));
  const h = Math.max(1, Math.round(Math.abs(iw * Math.sin(rad)) + Math.abs(ih * Math.cos(rad))));
  const canvas = lib.createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, w, h);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.translate(w / 2, h / 2);
  if (rad !== 0) ctx.rotate(-rad);
  ctx.drawImage(img, -iw / 2, -ih / 2, iw, ih);
  return toGray(ctx.getImageData(0, 0, w, h).data, w, h);
};

/** Otsu's threshold of a gray image (0–255). */
export const otsuThreshold = (g: GrayImage): number => {
  const hist = new Float64Array(256);
  const data = g.data;
  for (let p = 0; p < data.length; p++) {
    const v = data[p] as number;
    hist[v] = (hist[v] as number) + 1;
  }
  const total = g.data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (hist[i] ?? 0);
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] ?? 0;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] ?? 0);
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
};

/** Linear stretch so that the 1st percentile becomes black and the 99th white. In place. */
export const normalizeContrast = (g: GrayImage, low = 0.01, high = 0.99): void => {
  const hist = new Uint32Array(256);
  const data = g.data;
  for (let p = 0; p < data.length; p++) {
    const v = data[p] as number;
    hist[v] = (hist[v] as number) + 1;
  }
  const n = data.length;
  let acc = 0;
  let lo = 0;
  let hi = 255;
  for (let i = 0; i < 256; i++) {
    acc += hist[i] ?? 0;
    if (acc >= n * low) {
      lo = i;
      break;
    }
  }
  acc = 0;
  for (let i = 255; i >= 0; i--) {
    acc += hist[i] ?? 0;
    if (acc >= n * (1 - high)) {
      hi = i;
      break;
    }
  }
  if (hi - lo < 16) return;
  const lut = new Uint8Array(256);
  for (let i = 0; i < 256; i++) lut[i] = Math.max(0, Math.min(255, Math.round(((i - lo) * 255) / (hi - lo))));
  for (let p = 0; p < n; p++) data[p] = lut[data[p] as number] as number;
};

/** Sauvola's adaptive threshold (window ≈ `window` px, sensitivity k). Returns a new 0/255 image. */
export const sauvola = (g: GrayImage, window: number, k = 0.2): GrayImage => {
  const { width: w, height: h, data } = g;
  const W = w + 1;
  const sum = new Float64Array(W * (h + 1));
  const sq = new Float64Array(W * (h + 1));
  for (let y = 0; y < h; y++) {
    let rs = 0;
    let rq = 0;
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x] ?? 0;
      rs += v;
      rq += v * v;
      sum[(y + 1) * W + x + 1] = (sum[y * W + x + 1] ?? 0) + rs;
      sq[(y + 1) * W + x + 1] = (sq[y * W + x + 1] ?? 0) + rq;
    }
  }
  const r = Math.max(2, Math.floor(window / 2));
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const n = (y1 - y0) * (x1 - x0);
      const s = (sum[y1 * W + x1] ?? 0) - (sum[y0 * W + x1] ?? 0) - (sum[y1 * W + x0] ?? 0) + (sum[y0 * W + x0] ?? 0);
      const q = (sq[y1 * W + x1] ?? 0) - (sq[y0 * W + x1] ?? 0) - (sq[y1 * W + x0] ?? 0) + (sq[y0 * W + x0] ?? 0);
      const mean = s / n;
      const sd = Math.sqrt(Math.max(0, q / n - mean * mean));
      const t = mean * (1 + k * (sd / 128 - 1));
      out[y * w + x] = (data[y * w + x] ?? 0) > t ? 255 : 0;
    }
  }
  return { width: w, height: h, data: out };
};

/** Binary mask (1 = ink) by Otsu, with ink assumed darker than paper. */
const inkMask = (g: GrayImage): Uint8Array => {
  const t = otsuThreshold(g);
  const m = new Uint8Array(g.data.length);
  for (let p = 0; p < m.length; p++) m[p] = (g.data[p] ?? 255) <= t ? 1 : 0;
  return m;
};

/**
 * Median height of glyph-like connected components (4-connectivity) of the ink mask: a proxy for the text size.
 * Components that are specks, lines, blocks or borders are ignored.
 */
export const medianGlyphHeight = (mask: Uint8Array, w: number, h: number): number | undefined => {
  const label = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  const heights: number[] = [];
  let next = 1;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1 || label[start] !== 0) continue;
    let sp = 0;
    stack[sp++] = start;
    label[start] = next;
    let minX = w;
    let maxX = 0;
    let minY = h;
    let maxY = 0;
    let count = 0;
    while (sp > 0) {
      const p = stack[--sp] ?? 0;
      const x = p % w;
      const y = (p - x) / w;
      count++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (x > 0 && mask[p - 1] === 1 && label[p - 1] === 0) {
        label[p - 1] = next;
        stack[sp++] = p - 1;
      }
      if (x < w - 1 && mask[p + 1] === 1 && label[p + 1] === 0) {
        label[p + 1] = next;
        stack[sp++] = p + 1;
      }
      if (y > 0 && mask[p - w] === 1 && label[p - w] === 0) {
        label[p - w] = next;
        stack[sp++] = p - w;
      }
      if (y < h - 1 && mask[p + w] === 1 && label[p + w] === 0) {
        label[p + w] = next;
        stack[sp++] = p + w;
      }
    }
    next++;
    const cw = maxX - minX + 1;
    const ch = maxY - minY + 1;
    // Glyph-like: not a speck, not a rule or a block, not mostly filled (a blob), not huge.
    if (ch < 4 || ch > h / 8 || cw > ch * 3 || ch > cw * 6 || count > cw * ch * 0.9) continue;
    heights.push(ch);
  }
  if (heights.length < 20) return undefined;
  heights.sort((a, b) => a - b);
  // Upper-middle of the distribution: capitals and digits rather than lower-case x-height or punctuation.
  return heights[Math.floor(heights.length * 0.6)];
};

/** Skew angle (degrees) maximizing the variance of the horizontal projection of ink. */
export const estimateSkew = (mask: Uint8Array, w: number, h: number, maxDeg = 5, step = 0.25): number => {
  // Sample ink pixels (bounded work).
  const xs: number[] = [];
  const ys: number[] = [];
  const stride = Math.max(1, Math.floor(mask.length / 400_000));
  for (let p = 0; p < mask.length; p += stride) {
    if (mask[p] === 1) {
      xs.push(p % w);
      ys.push(Math.floor(p / w));
    }
  }
  if (xs.length < 200) return 0;
  const bins = new Float64Array(h * 2 + 2);
  const score = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const y = Math.round((ys[i] ?? 0) - ((xs[i] ?? 0) - w / 2) * t) + Math.floor(h / 2);
      if (y >= 0 && y < bins.length) bins[y] = (bins[y] ?? 0) + 1;
    }
    let s = 0;
    for (const b of bins) s += b * b;
    return s;
  };
  let best = 0;
  let bestScore = score(0);
  for (let d = -maxDeg; d <= maxDeg + 1e-9; d += step) {
    if (Math.abs(d) < 1e-9) continue;
    const s = score(d);
    if (s > bestScore * 1.0001) {
      bestScore = s;
      best = d;
    }
  }
  return best;
};

/**
 * Whitens dark regions connected to the image border that are not text: scan edges, the table under the paper,
 * shadows, torn edges (tesseract reads them as "|" or garbage lines, and they disturb line finding). A
 * border-connected component is kept when it is glyph-sized (text cut by the edge). In place.
 */
export const clearBorderNoise = (g: GrayImage, glyph: number): void => {
  const { width: w, height: h, data } = g;
  const t = otsuThreshold(g);
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const member: number[] = [];
  const visit = (start: number): void => {
    if (seen[start] || (data[start] ?? 255) > t) return;
    let sp = 0;
    stack[sp++] = start;
    seen[start] = 1;
    member.length = 0;
    let minX = w;
    let maxX = 0;
    let minY = h;
    let maxY = 0;
    while (sp > 0) {
      const p = stack[--sp] ?? 0;
      member.push(p);
      const x = p % w;
      const y = (p - x) / w;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      const nb = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1];
      for (const q of nb) {
        if (q >= 0 && !seen[q] && (data[q] ?? 255) <= t) {
          seen[q] = 1;
          stack[sp++] = q;
        }
      }
    }
    const big = maxY - minY + 1 > glyph * 2.5 || maxX - minX + 1 > glyph * 8;
    if (big) for (const p of member) data[p] = 255;
  };
  for (let x = 0; x < w; x++) {
    visit(x);
    visit((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    visit(y * w);
    visit(y * w + w - 1);
  }
};

/**
 * Thickens dark strokes: each pixel takes the darkest value within `r` pixels (a separable minimum filter, i.e. a
 * dilation of the ink). Faded or thin thermal print loses strokes at OCR's binarization; bolder strokes survive.
 */
export const thickenInk = (g: GrayImage, r: number): GrayImage => {
  if (r <= 0) return g;
  const { width: w, height: h } = g;
  const tmp = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let m = 255;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) {
        const v = g.data[row + k] ?? 255;
        if (v < m) m = v;
      }
      tmp[row + x] = m;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 255;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) {
        const v = tmp[k * w + x] ?? 255;
        if (v < m) m = v;
      }
      out[y * w + x] = m;
    }
  }
  return { width: w, height: h, data: out };
};

/** The image inside a white margin of `pad` pixels. */
export const padGray = (g: GrayImage, pad: number): GrayImage => {
  if (pad <= 0) return g;
  const w = g.width + 2 * pad;
  const h = g.height + 2 * pad;
  const data = new Uint8Array(w * h).fill(255);
  for (let y = 0; y < g.height; y++) data.set(g.data.subarray(y * g.width, (y + 1) * g.width), (y + pad) * w + pad);
  return { width: w, height: h, data };
};

/** PGM (P5, 8-bit) encoding. */
export const encodePgm = (g: GrayImage): Uint8Array => {
  const header = new TextEncoder().encode(`P5\n${g.width} ${g.height}\n255\n`);
  const out = new Uint8Array(header.length + g.data.length);
  out.set(header, 0);
  out.set(g.data, header.length);
  return out;
};

/** A crop of a gray image (clamped), optionally scaled up by an integer factor with bilinear interpolation. */
export const cropGray = (g: GrayImage, box: Box, scale = 1): GrayImage => {
  const x0 = Math.max(0, Math.floor(box.x0));
  const y0 = Math.max(0, Math.floor(box.y0));
  const x1 = Math.min(g.width, Math.ceil(box.x1));
  const y1 = Math.min(g.height, Math.ceil(box.y1));
  const cw = Math.max(1, x1 - x0);
  const ch = Math.max(1, y1 - y0);
  const w = Math.max(1, Math.round(cw * scale));
  const h = Math.max(1, Math.round(ch * scale));
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(ch - 1, Math.max(0, (y + 0.5) / scale - 0.5));
    const iy = Math.floor(sy);
    const fy = sy - iy;
    const iy1 = Math.min(ch - 1, iy + 1);
    for (let x = 0; x < w; x++) {
      const sx = Math.min(cw - 1, Math.max(0, (x + 0.5) / scale - 0.5));
      const ix = Math.floor(sx);
      const fx = sx - ix;
      const ix1 = Math.min(cw - 1, ix + 1);
      const a = g.data[(y0 + iy) * g.width + x0 + ix] ?? 255;
      const b = g.data[(y0 + iy) * g.width + x0 + ix1] ?? 255;
      const c = g.data[(y0 + iy1) * g.width + x0 + ix] ?? 255;
      const d = g.data[(y0 + iy1) * g.width + x0 + ix1] ?? 255;
      out[y * w + x] = Math.round(a * (1 - fx) * (1 - fy) + b * fx * (1 - fy) + c * (1 - fx) * fy + d * fx * fy);
    }
  }
  return { width: w, height: h, data: out };
};

/**
 * Prepares an encoded image (JPEG, PNG, WebP…) for OCR. Undefined when it cannot be decoded here (no canvas
 * package, or a format the decoder refuses): the caller then OCRs the original bytes.
 */
export const prepareForOcr = async (
  bytes: Uint8Array,
  options: PreprocessOptions = {},
): Promise<PreparedImage | undefined> => {
  const lib = await loadCanvas();
  if (!lib) return undefined;
  const img = new lib.Image();
  try {
    img.src = bytes;
    await img.decode();
  } catch {
    return undefined;
  }
  if (!img.width || !img.height) return undefined;
  const maxWork = options.maxWorkPixels ?? 6_000_000;
  const pixels = img.width * img.height;

  // 1. Analysis at a bounded size: text size and skew.
  const aScale = Math.min(1, Math.sqrt(2_500_000 / pixels));
  const analysis = render(lib, img, aScale, 0);
  const mask = inkMask(analysis);
  const glyphA = medianGlyphHeight(mask, analysis.width, analysis.height);
  const skew =
    options.deskew === false ? 0 : estimateSkew(mask, analysis.width, analysis.height, options.maxSkewDegrees ?? 5);
  const glyph = glyphA !== undefined ? glyphA / aScale : undefined;

  // 2. Final scale: glyphs at the target height, within the upscale and pixel bounds.
  const target = options.targetGlyphHeight ?? 30;
  let scale = glyph ? target / glyph : 1;
  scale = Math.min(scale, options.maxUpscale ?? 3);
  scale = Math.min(scale, Math.sqrt(maxWork / pixels));
  if (Math.abs(scale - 1) < 0.08) scale = 1;
  // Black corners after a rotation are border-connected dark regions, cleared with the scan edges.
  const clear = options.clearBorder === true;
  let gray = render(lib, img, scale, skew, clear ? '#000000' : '#ffffff');
  if (options.normalize !== false) normalizeContrast(gray);
  if (clear) clearBorderNoise(gray, target);
  // Tesseract misreads glyphs that touch the image border: a white margin.
  gray = padGray(gray, Math.round(target * (options.margin ?? 1)));
  if (options.binarize === 'sauvola') {
    const win = Math.max(15, Math.round((glyph ? glyph * scale : 30) * 1.5));
    gray = sauvola(gray, win, options.sauvolaK ?? 0.2);
  } else if (options.binarize === 'otsu') {
    const t = otsuThreshold(gray);
    for (let p = 0; p < gray.data.length; p++) gray.data[p] = (gray.data[p] ?? 0) > t ? 255 : 0;
  }
  return { pgm: encodePgm(gray), gray, scale, skewDegrees: skew, glyphHeight: glyph };
};
