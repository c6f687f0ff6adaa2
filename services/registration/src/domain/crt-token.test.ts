import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCrt, verifyCrt } from './crt-token.js';
import type { SigningKeys } from './signing-keys.js';
import { parseSigningKey } from './signing-keys.js';

const key = (kid: string) => ({ kid, secret: new Uint8Array(randomBytes(32)) });
const settings = {
  issuer: 'https://nes.example.com',
  audience: 'https://nes.example.com/oauth2/register',
};
const crt = {
  id: '0192f3a4-1111-4222-8333-444455556666',
  scope: 'nymi-connect',
  issuedAt: new Date('2026-12-01T00:00:00Z'),
  expiresAt: new Date('2027-01-01T00:00:00Z'),
};

describe('CRT tokens', () => {
  it('signs HS256 with kid and typ and the documented claims, and verifies', async () => {
    const keys: SigningKeys = { current: key('2026-12'), previous: [] };
    const token = await signCrt(crt, keys, settings);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as unknown);
    expect(header).toEqual({ alg: 'HS256', kid: '2026-12', typ: 'nes-crt+jwt' });
    expect(payload).toEqual({
      scope: 'nymi-connect',
      iss: settings.issuer,
      aud: settings.audience,
      jti: crt.id,
      iat: 1796083200,
      exp: 1798761600,
    });
    expect(await verifyCrt(token, keys, settings)).toEqual({ id: crt.id, scope: 'nymi-connect' });
  });

  it('keeps verifying with a previous key after rotation, and not after it is dropped', async () => {
    const old = key('old');
    const token = await signCrt(crt, { current: old, previous: [] }, settings);
    const rotated: SigningKeys = { current: key('new'), previous: [old] };
    expect(await verifyCrt(token, rotated, settings)).toMatchObject({ id: crt.id });
    expect(await verifyCrt(token, { current: rotated.current, previous: [] }, settings)).toBe(
      'bad_signature',
    );
  });

  it('does not judge expiry (the row does): an expired token still verifies', async () => {
    const keys: SigningKeys = { current: key('k'), previous: [] };
    const token = await signCrt(
      { ...crt, expiresAt: new Date('2000-01-01T00:00:00Z') },
      keys,
      settings,
    );
    expect(await verifyCrt(token, keys, settings)).toMatchObject({ id: crt.id });
  });

  it('refuses other issuers, audiences, types, algorithms and garbage', async () => {
    const keys: SigningKeys = { current: key('k'), previous: [] };
    const other = await signCrt(crt, keys, { ...settings, issuer: 'https://evil.example' });
    expect(await verifyCrt(other, keys, settings)).toBe('wrong_claims');
    const aud = await signCrt(crt, keys, {
      ...settings,
      audience: 'https://nes.example.com/oauth2/token',
    });
    expect(await verifyCrt(aud, keys, settings)).toBe('wrong_claims');
    const wrongType = await new SignJWT({ scope: 'nymi-connect' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k', typ: 'JWT' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setJti(crt.id)
      .sign(keys.current.secret);
    expect(await verifyCrt(wrongType, keys, settings)).toBe('bad_signature');
    const badJti = await new SignJWT({ scope: 'nymi-connect' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k', typ: 'nes-crt+jwt' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setJti('not-a-uuid')
      .sign(keys.current.secret);
    expect(await verifyCrt(badJti, keys, settings)).toBe('wrong_claims');
    const hs512 = await new SignJWT({ scope: 'nymi-connect' })
      .setProtectedHeader({ alg: 'HS512', kid: 'k', typ: 'nes-crt+jwt' })
      .sign(new Uint8Array(randomBytes(64)));
    expect(typeof (await verifyCrt(hs512, keys, settings))).toBe('string');
    for (const garbage of ['', 'a.b', 'a.b.c', 'x'.repeat(3000), '..']) {
      expect(typeof (await verifyCrt(garbage, keys, settings))).toBe('string');
    }
  });

  it('parses signing keys of at least 32 bytes, never quoting the secret', () => {
    const secret = randomBytes(32).toString('base64url');
    expect(parseSigningKey(`k1:${secret}`)).toMatchObject({ kid: 'k1' });
    const short = parseSigningKey(`k1:${randomBytes(16).toString('base64url')}`);
    expect(short).toMatch(/at least 32 bytes/);
    expect(parseSigningKey('no-colon')).toMatch(/kid:secret/);
    expect(parseSigningKey(`bad kid:${secret}`)).toMatch(/kid/);
    expect(parseSigningKey('k1:not base64!')).toMatch(/base64url/);
  });
});
