import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clearBorderNoise,
  cropGray,
  encodePgm,
  estimateSkew,
  type GrayImage,
  medianGlyphHeight,
  normalizeContrast,
  otsuThreshold,
  padGray,
  prepareForOcr,
  sauvola,
} from '../../../shared/adapters/extraction/image-preprocess.ts';

/** A white page with rows of dark "glyphs" (h px tall, spaced) drawn along a slope (degrees). */
const page = (w: number, h: number, glyph: number, slopeDeg = 0, ink = 20, paper = 235): GrayImage => {
  const data = new Uint8Array(w * h).fill(paper);
  const t = Math.tan((slopeDeg * Math.PI) / 180);
  for (let row = 0; row * glyph * 2 + glyph * 2 < h; row++) {
    const top = glyph + row * glyph * 2;
    for (let gx = 20; gx + glyph < w - 20; gx += Math.round(glyph * 0.9)) {
      const gw = Math.round(glyph * 0.6);
      for (let x = gx; x < gx + gw; x++) {
        const dy = Math.round((x - w / 2) * t);
        for (let y = top; y < top + glyph; y++) {
          // A hollow glyph (outline), like a letter.
          const edge = x - gx < 2 || gx + gw - x <= 2 || y - top < 2 || top + glyph - y <= 2;
          const yy = y + dy;
          if (edge && yy >= 0 && yy < h) data[yy * w + x] = ink;
        }
      }
    }
  }
  return { width: w, height: h, data };
};
const maskOf = (g: GrayImage): Uint8Array => g.data.map((v) => (v < 128 ? 1 : 0));

describe('image preprocessing for OCR', () => {
  it('finds the threshold between ink and paper (Otsu)', () => {
    const g = page(200, 200, 12);
    const t = otsuThreshold(g);
    expect(t).toBeGreaterThanOrEqual(20);
    expect(t).toBeLessThan(235);
  });

  it('stretches a washed-out scan to full contrast', () => {
    const g = page(200, 200, 12, 0, 140, 200);
    normalizeContrast(g);
    expect(Math.min(...g.data)).toBe(0);
    expect(Math.max(...g.data)).toBe(255);
  });

  it('binarizes adaptively under uneven lighting (Sauvola)', () => {
    const g = page(300, 200, 14);
    // Shade the right half: paper 235 → 120, ink 20 → 10.
    for (let y = 0; y < g.height; y++) {
      for (let x = 150; x < g.width; x++) {
        const i = y * g.width + x;
        g.data[i] = (g.data[i] ?? 0) > 128 ? 120 : 10;
      }
    }
    const b = sauvola(g, 21);
    // Shaded paper stays white, ink stays black.
    expect(b.data[5 * g.width + 250]).toBe(255);
    const inkIdx = g.data.findIndex((v, i) => v === 10 && i % g.width > 150);
    expect(b.data[inkIdx]).toBe(0);
  });

  it('measures the text size from glyph-like components', () => {
    for (const glyph of [10, 18, 30]) {
      const g = page(600, 400, glyph);
      const h = medianGlyphHeight(maskOf(g), g.width, g.height);
      expect(h).toBeDefined();
      expect(Math.abs((h ?? 0) - glyph)).toBeLessThanOrEqual(1);
    }
    const blank = page(100, 100, 200);
    expect(medianGlyphHeight(maskOf(blank), 100, 100)).toBeUndefined();
  });

  it('estimates skew from the horizontal projection', () => {
    for (const slope of [-3, 0, 2]) {
      const g = page(800, 600, 12, slope);
      expect(Math.abs(estimateSkew(maskOf(g), g.width, g.height) - slope)).toBeLessThanOrEqual(0.5);
    }
  });

  it('encodes PGM and crops with scaling', () => {
    const g: GrayImage = { width: 4, height: 2, data: Uint8Array.from([0, 50, 100, 150, 200, 250, 255, 10]) };
    const pgm = encodePgm(g);
    expect(new TextDecoder().decode(pgm.subarray(0, 11))).toBe('P5\n4 2\n255\n');
    expect(pgm.length).toBe(11 + 8);
    const c = cropGray(g, { x0: 1, y0: 0, x1: 3, y1: 2 }, 2);
    expect([c.width, c.height]).toEqual([4, 4]);
    expect(c.data[0]).toBe(50);
    // Out-of-bounds boxes are clamped.
    expect(cropGray(g, { x0: -5, y0: -5, x1: 50, y1: 50 }).width).toBe(4);
  });

  it('prepares a scanned receipt: upright, text rescaled, PGM out', async () => {
    const bytes = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../fixtures/extraction/sroie-003.jpg')));
    const p = await prepareForOcr(bytes);
    expect(p).toBeDefined();
    if (!p) return;
    expect(p.glyphHeight).toBeGreaterThan(10);
    expect(p.scale).toBeGreaterThan(1);
    // Scaled, plus a white margin of one target glyph height (30 px) on each side.
    expect(p.gray.width).toBe(Math.round(619 * p.scale) + 60);
    // The same photo with an EXIF orientation of 6 (rotate 90° clockwise) is turned by the decoder: landscape.
    const tiff = [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
    const payload = [...new TextEncoder().encode('Exif'), 0, 0, ...tiff];
    const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload];
    const rotated = await prepareForOcr(new Uint8Array([0xff, 0xd8, ...app1, ...bytes.subarray(2)]));
    expect(rotated?.gray.width).toBeGreaterThan(rotated?.gray.height ?? Infinity);
    expect(new TextDecoder().decode(p.pgm.subarray(0, 2))).toBe('P5');
    // Not an image: undefined, the caller falls back to the original bytes.
    expect(await prepareForOcr(new Uint8Array([1, 2, 3, 4]))).toBeUndefined();
  });
});

describe('border noise and margins', () => {
  it('whitens large dark regions touching the border, keeps glyph-sized ones and the text inside', () => {
    const g = page(300, 200, 12);
    // A dark scan edge down the left side, and a small glyph cut by the top edge.
    for (let y = 0; y < 200; y++) for (let x = 0; x < 6; x++) g.data[y * 300 + x] = 0;
    for (let y = 0; y < 8; y++) for (let x = 150; x < 157; x++) g.data[y * 300 + x] = 0;
    const inkBefore = g.data.filter((v) => v < 128).length;
    clearBorderNoise(g, 12);
    expect(g.data[100 * 300 + 2]).toBe(255);
    expect(g.data[3 * 300 + 152]).toBe(0);
    expect(g.data.filter((v) => v < 128).length).toBe(inkBefore - 6 * 200);
  });

  it('pads with white', () => {
    const p = padGray({ width: 2, height: 1, data: Uint8Array.from([0, 0]) }, 3);
    expect([p.width, p.height]).toEqual([8, 7]);
    expect(p.data[3 * 8 + 3]).toBe(0);
    expect(p.data[0]).toBe(255);
  });
});
