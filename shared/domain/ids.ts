const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 10 Crockford base32 characters of a millisecond timestamp, as in a ULID: ids sort by time. */
export const encodeTime = (ms: number): string => {
  let out = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
};

/**
 * A ULID-shaped identifier whose random part comes from a hash of what identifies the thing
 * (e.g. the stored raw object and the attachment index). Re-processing the same input yields the
 * same id, which makes conditional writes idempotent; ids still sort by time.
 */
export const deterministicId = (prefix: string, timeMs: number, seedHex: string): string => {
  if (!/^[0-9a-f]{16,}$/i.test(seedHex)) throw new Error('seed must be at least 16 hex digits');
  let bits = BigInt(`0x${seedHex.slice(0, 20)}`);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    rand = CROCKFORD[Number(bits % 32n)] + rand;
    bits /= 32n;
  }
  return `${prefix}_${encodeTime(timeMs)}${rand}`;
};
