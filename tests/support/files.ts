import { crc32 } from 'node:zlib';

/** A PNG header (no pixel data) declaring any size: a 50-megapixel image or a decompression bomb in 45 bytes. */
export const pngHeader = (width: number, height: number): Buffer => {
  const ihdrData = Buffer.alloc(13);
  ihdrData.writeUInt32BE(width, 0);
  ihdrData.writeUInt32BE(height, 4);
  ihdrData.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const type = Buffer.from('IHDR');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, ihdrData])) >>> 0);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(13);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), len, type, ihdrData, crc]);
};
