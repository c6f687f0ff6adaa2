import { describe, expect, it } from 'vitest';
import { fileTimeToDate, intervalToMs, ntTimeSecondsToDate, optionalFileTime } from './filetime.js';
import { guidFromBytes, guidToBytes, sidFromBytes } from './guid-sid.js';

describe('objectGUID and objectSid', () => {
  // Bytes as Samba returned them for a test user (see INFRA.md).
  const guidBytes = Buffer.from('e1a175d0d271a74f83096a9c1283d869', 'hex');

  it('reads objectGUID with its little-endian first fields, and writes it back', () => {
    const guid = guidFromBytes(guidBytes);
    expect(guid).toBe('d075a1e1-71d2-4fa7-8309-6a9c1283d869');
    expect(guidToBytes(guid).equals(guidBytes)).toBe(true);
    expect(() => guidFromBytes(Buffer.alloc(15))).toThrow(/16 bytes/);
  });

  it('reads objectSid', () => {
    const sid = Buffer.from('010500000000000515000000f162197812c02d622474e1c44e040000', 'hex');
    expect(sidFromBytes(sid)).toBe('S-1-5-21-2014929649-1647165458-3303109668-1102');
    expect(() => sidFromBytes(sid.subarray(0, 20))).toThrow(/does not fit/);
  });
});

describe('AD times', () => {
  it('converts FILETIMEs', () => {
    expect(fileTimeToDate(116_444_736_000_000_000n)?.toISOString()).toBe(
      '1970-01-01T00:00:00.000Z',
    );
    expect(optionalFileTime('134403766879466580')?.toISOString()).toBe('2026-11-28T21:58:07.946Z');
  });

  it('reads 0, never and absent values', () => {
    expect(optionalFileTime('0')).toBeNull();
    expect(optionalFileTime('9223372036854775807')).toBeNull();
    expect(optionalFileTime(undefined)).toBeUndefined();
    expect(optionalFileTime('12x')).toBeUndefined();
  });

  it('reads policy intervals', () => {
    expect(intervalToMs('-18000000000')).toBe(1_800_000);
    expect(intervalToMs('-9223372036854775808')).toBeNull();
    expect(intervalToMs('0')).toBeNull();
    expect(intervalToMs(undefined)).toBeUndefined();
  });

  it('reads replication metadata times (seconds since 1601)', () => {
    expect(ntTimeSecondsToDate(13440376731n).toISOString()).toBe('2026-11-28T21:58:51.000Z');
  });
});
