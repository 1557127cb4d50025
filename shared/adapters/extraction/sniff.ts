/**
 * What a file is, from its bytes first (magic numbers), then its content type and name; and image dimensions from
 * headers alone, so a 50-megapixel photo or a decompression bomb is refused before any decoder allocates it.
 */

export type DocumentKind = 'pdf' | 'image' | 'xml' | 'html' | 'eml' | 'csv' | 'txt' | 'unknown';

const startsWith = (b: Uint8Array, sig: number[], at = 0): boolean => sig.every((v, i) => b[at + i] === v);

export const imageFormat = (b: Uint8Array): 'jpeg' | 'png' | 'webp' | 'tiff' | 'bmp' | 'gif' | undefined => {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(b, [0x42, 0x4d])) return 'bmp';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  return undefined;
};

const ext = (name?: string): string => (name ? (/\.([a-z0-9]+)$/i.exec(name)?.[1] ?? '').toLowerCase() : '');

export const sniffKind = (bytes: Uint8Array, contentType: string, fileName?: string): DocumentKind => {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 2048)).replace(/^\uFEFF/, '');
  const e = ext(fileName);
  const ct = contentType.toLowerCase().split(';')[0]?.trim() ?? '';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'pdf'; // %PDF
  if (imageFormat(bytes)) return 'image';
  if (e === 'pdf' || ct === 'application/pdf') return 'pdf';
  if (['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'bmp', 'gif'].includes(e) || ct.startsWith('image/'))
    return 'image';
  if (e === 'eml' || ct === 'message/rfc822') return 'eml';
  if (e === 'html' || e === 'htm' || ct === 'text/html' || /^\s*<(?:!doctype html|html)[\s>]/i.test(head))
    return 'html';
  if (e === 'xml' || ct.endsWith('/xml') || ct.endsWith('+xml') || /^\s*<\?xml|^\s*<[\w:]+[\s>]/.test(head)) {
    return 'xml';
  }
  if (e === 'csv' || ct === 'text/csv') return 'csv';
  if (e === 'txt' || ct.startsWith('text/')) return 'txt';
  return 'unknown';
};

export interface ImageSize {
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u32be = (b: Uint8Array, i: number): number => u16be(b, i) * 65536 + u16be(b, i + 2);
const u32le = (b: Uint8Array, i: number): number => u16le(b, i) + u16le(b, i + 2) * 65536;

/** Width and height from the header, or undefined when the header is unreadable. */
export const imageSize = (b: Uint8Array): ImageSize | undefined => {
  const f = imageFormat(b);
  if (f === 'png') return { width: u32be(b, 16), height: u32be(b, 20) };
  if (f === 'gif') return { width: u16le(b, 6), height: u16le(b, 8) };
  if (f === 'bmp') return { width: Math.abs(u32le(b, 18) | 0), height: Math.abs(u32le(b, 22) | 0) };
  if (f === 'jpeg') {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) {
        i++;
        continue;
      }
      const marker = b[i + 1] ?? 0;
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
        i += marker === 0xff ? 1 : 2;
        continue;
      }
      const len = u16be(b, i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
      }
      i += 2 + len;
    }
    return undefined;
  }
  if (f === 'webp') {
    const chunk = String.fromCharCode(...b.subarray(12, 16));
    if (chunk === 'VP8X') return { width: 1 + (u32le(b, 24) & 0xffffff), height: 1 + (u32le(b, 27) & 0xffffff) };
    if (chunk === 'VP8L') {
      const bits = u32le(b, 21);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (chunk === 'VP8 ') return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    return undefined;
  }
  if (f === 'tiff') {
    const le = b[0] === 0x49;
    const r16 = (i: number): number => (le ? u16le(b, i) : u16be(b, i));
    const r32 = (i: number): number => (le ? u32le(b, i) : u32be(b, i));
    const ifd = r32(4);
    const n = r16(ifd);
    let width: number | undefined;
    let height: number | undefined;
    for (let k = 0; k < n && ifd + 2 + k * 12 + 12 <= b.length; k++) {
      const at = ifd + 2 + k * 12;
      const tag = r16(at);
      const type = r16(at + 2);
      const value = type === 3 ? r16(at + 8) : r32(at + 8);
      if (tag === 256) width = value;
      if (tag === 257) height = value;
    }
    return width && height ? { width, height } : undefined;
  }
  return undefined;
};
