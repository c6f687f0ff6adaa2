import { describe, expect, it } from 'vitest';
import { guidToBytes } from './guid-sid.js';
import { ATTID, compareStamps, parseReplPropertyMetaData } from './repl-metadata.js';

const INVOCATION = 'fcfe3482-21c6-004b-863b-1be7abb7971f';

/** A replPropertyMetaData blob with the given (attid, version, seconds) entries. */
function blob(entries: [number, number, bigint][]): Buffer {
  const out = Buffer.alloc(16 + entries.length * 48);
  out.writeUInt32LE(1, 0);
  out.writeUInt32LE(entries.length, 8);
  entries.forEach(([attid, version, seconds], i) => {
    const at = 16 + i * 48;
    out.writeUInt32LE(attid, at);
    out.writeUInt32LE(version, at + 4);
    out.writeBigUInt64LE(seconds, at + 8);
    guidToBytes(INVOCATION).copy(out, at + 16);
    out.writeBigUInt64LE(3995n, at + 32);
    out.writeBigUInt64LE(3995n, at + 40);
  });
  return out;
}

describe('replPropertyMetaData', () => {
  it('reads the stamps of the state attributes and the newest change', () => {
    const stamps = parseReplPropertyMetaData(
      blob([
        [0, 1, 13440376731n],
        [ATTID.userAccountControl, 3, 13440376800n],
        [ATTID.pwdLastSet, 2, 13440376700n],
        [ATTID.lockoutTime, 1, 13440376900n],
      ]),
    );
    expect(stamps?.attributes.userAccountControl).toEqual({
      version: 3,
      originatingTime: new Date('2026-11-28T22:00:00.000Z'),
      originatingInvocationId: INVOCATION,
    });
    expect(stamps?.attributes.pwdLastSet?.version).toBe(2);
    expect(stamps?.attributes.accountExpires).toBeUndefined();
    expect(stamps?.newestChange?.toISOString()).toBe('2026-11-28T22:01:40.000Z');
  });

  it('refuses other versions and truncated blobs', () => {
    const good = blob([[0, 1, 1n]]);
    expect(parseReplPropertyMetaData(good.subarray(0, 40))).toBeUndefined();
    const v2 = Buffer.from(good);
    v2.writeUInt32LE(2, 0);
    expect(parseReplPropertyMetaData(v2)).toBeUndefined();
    expect(parseReplPropertyMetaData(undefined)).toBeUndefined();
  });

  it('orders stamps as AD resolves conflicts: version, then time, then invocationId', () => {
    const at = (s: string) => new Date(s);
    const a = { version: 2, originatingTime: at('2026-01-01'), originatingInvocationId: 'a' };
    expect(
      compareStamps(a, { ...a, version: 1, originatingTime: at('2027-01-01') }),
    ).toBeGreaterThan(0);
    expect(compareStamps(a, { ...a, originatingTime: at('2026-01-02') })).toBeLessThan(0);
    expect(compareStamps(a, { ...a, originatingInvocationId: 'b' })).toBeLessThan(0);
    expect(compareStamps(a, { ...a })).toBe(0);
  });
});
