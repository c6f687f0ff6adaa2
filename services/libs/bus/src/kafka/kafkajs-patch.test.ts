import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The patched internals of kafkajs (see pnpm-workspace.yaml, scripts/patches).
const require = createRequire(import.meta.url);
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;
const Encoder = require('kafkajs/src/protocol/encoder') as new (size?: number) => {
  writeBytes(value: Buffer): unknown;
  writeInt32(value: number): unknown;
  readonly buffer: Buffer;
};

/** CRC32-C by its definition, a bit at a time: slow and obviously right. */
function reference(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('patched kafkajs', () => {
  it('computes CRC32-C as defined, at every length and alignment', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    const random = randomBytes(4_096);
    for (let length = 0; length <= 600; length += 1) {
      const slice = random.subarray(length % 11, (length % 11) + length);
      expect(crc32C(slice)).toBe(reference(slice));
    }
  });

  it('encodes only bytes it wrote, though its buffers are not zero-filled', () => {
    const encoder = new Encoder(4);
    const payload = randomBytes(3_000);
    encoder.writeInt32(7);
    encoder.writeBytes(payload);
    const expected = Buffer.alloc(4 + 4 + payload.length);
    expected.writeInt32BE(7, 0);
    expected.writeInt32BE(payload.length, 4);
    payload.copy(expected, 8);
    expect(encoder.buffer).toEqual(expected);
  });
});
