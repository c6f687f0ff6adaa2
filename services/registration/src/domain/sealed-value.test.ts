import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openValue, sealValue } from './sealed-value.js';
import type { SigningKeys } from './signing-keys.js';

const key = (kid: string) => ({ kid, secret: new Uint8Array(randomBytes(32)) });

describe('sealed CRT values', () => {
  const keys: SigningKeys = { current: key('a'), previous: [] };

  it('round-trips, and the sealed text hides the value', () => {
    const sealed = sealValue('eyJhbGciOi.secret-token', keys, 'crt-1');
    expect(sealed).toMatch(/^v1\.a\./);
    expect(sealed).not.toContain('secret-token');
    expect(openValue(sealed, keys, 'crt-1')).toBe('eyJhbGciOi.secret-token');
    expect(sealValue('x', keys, 'crt-1')).not.toBe(sealValue('x', keys, 'crt-1'));
  });

  it('binds the value to its CRT and detects tampering and truncated tags', () => {
    const sealed = sealValue('value', keys, 'crt-1');
    expect(openValue(sealed, keys, 'crt-2')).toBeUndefined();
    const parts = sealed.split('.');
    const flip = (text: string) => (text[0] === 'A' ? `B${text.slice(1)}` : `A${text.slice(1)}`);
    expect(
      openValue([...parts.slice(0, 3), flip(parts[3] ?? ''), parts[4]].join('.'), keys, 'crt-1'),
    ).toBeUndefined();
    expect(
      openValue([...parts.slice(0, 4), (parts[4] ?? '').slice(0, 6)].join('.'), keys, 'crt-1'),
    ).toBeUndefined();
    expect(openValue('v2.a.x.y.z', keys, 'crt-1')).toBeUndefined();
    expect(openValue('garbage', keys, 'crt-1')).toBeUndefined();
  });

  it('opens values sealed before a key rotation while the old key is kept', () => {
    const sealed = sealValue('value', keys, 'crt-1');
    expect(openValue(sealed, { current: key('b'), previous: [keys.current] }, 'crt-1')).toBe(
      'value',
    );
    expect(openValue(sealed, { current: key('b'), previous: [] }, 'crt-1')).toBeUndefined();
  });
});
