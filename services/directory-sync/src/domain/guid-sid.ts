/**
 * Binary identifiers as AD returns them: objectGUID (16 bytes, the first
 * three fields little-endian) and objectSid (revision, sub-authority count,
 * 48-bit big-endian authority, then 32-bit little-endian sub-authorities).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** objectGUID bytes → lower-case canonical UUID. */
export function guidFromBytes(bytes: Buffer): string {
  if (bytes.length !== 16) throw new TypeError(`objectGUID must be 16 bytes, got ${bytes.length}`);
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = Array.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return [
    hex(0, 4, true),
    hex(4, 6, true),
    hex(6, 8, true),
    hex(8, 10, false),
    hex(10, 16, false),
  ].join('-');
}

/** Canonical UUID → objectGUID bytes (the inverse of {@link guidFromBytes}). */
export function guidToBytes(guid: string): Buffer {
  const text = guid.toLowerCase();
  if (!UUID.test(text)) throw new TypeError('not a canonical UUID');
  const hex = text.replaceAll('-', '');
  const bytes = Buffer.from(hex, 'hex');
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}

/** objectSid bytes → "S-1-5-21-…". */
export function sidFromBytes(bytes: Buffer): string {
  if (bytes.length < 8) throw new TypeError(`objectSid too short (${bytes.length} bytes)`);
  const revision = bytes.readUInt8(0);
  const count = bytes.readUInt8(1);
  if (bytes.length !== 8 + count * 4) {
    throw new TypeError(`objectSid length ${bytes.length} does not fit ${count} sub-authorities`);
  }
  const authority = bytes.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i += 1) parts.push(String(bytes.readUInt32LE(8 + i * 4)));
  return parts.join('-');
}
