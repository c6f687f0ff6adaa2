import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { InsufficientScopeError, InvalidTokenError, TemporarilyUnavailableError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import type { FetchLike } from './jwks-cache.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from './verify-access-token.js';

const ISSUER = 'https://nes.example/token';
const NOW = 1_800_000_000_000;

interface TestKey {
  kid: string;
  alg: 'ES256' | 'EdDSA' | 'ES384';
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function makeKey(kid: string, alg: TestKey['alg']): TestKey {
  const pair =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, alg, privateKey: pair.privateKey, jwk };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signWith(key: TestKey, header: Record<string, unknown>, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  const signature =
    key.alg === 'EdDSA'
      ? sign(null, data, key.privateKey)
      : sign(key.alg === 'ES256' ? 'sha256' : 'sha384', data, {
          key: key.privateKey,
          dsaEncoding: 'ieee-p1363',
        });
  return `${input}.${signature.toString('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(NOW / 1000);
  return {
    iss: ISSUER,
    sub: 'client-1',
    aud: ['vault', 'gateway'],
    client_id: 'client-1',
    scope: 'nymi-connect other',
    jti: 'jti-1',
    iat,
    exp: iat + 600,
    ...overrides,
  };
}

function token(key: TestKey, payload = claims(), header: Record<string, unknown> = {}): string {
  return signWith(key, { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header }, payload);
}

/** A JWKS endpoint in memory that counts its fetches. */
function jwksServer(keys: TestKey[]) {
  const state = { keys, fetches: 0, fail: false };
  const fetch: FetchLike = () => {
    state.fetches += 1;
    if (state.fail) return Promise.reject(new Error('connection refused'));
    return Promise.resolve({
      ok: true,
      status: 200,
      json: () => Promise.resolve({ keys: state.keys.map((k) => k.jwk) }),
    });
  };
  return { state, fetch };
}

function verifierFor(
  fetch: FetchLike,
  overrides: Partial<AccessTokenVerifierOptions> & { clock?: { now: number } } = {},
) {
  const clock = overrides.clock ?? { now: NOW };
  return createAccessTokenVerifier({
    issuer: ISSUER,
    jwksUri: 'https://nes.example/token/oauth2/jwks',
    audience: 'vault',
    now: () => clock.now,
    jwks: { fetch, cooldownMs: 30_000 },
    ...overrides,
  });
}

async function refusal(promise: Promise<unknown>): Promise<InvalidTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return error as InvalidTokenError;
}

const es256 = makeKey('k-es256', 'ES256');
const ed = makeKey('k-ed', 'EdDSA');

describe('createAccessTokenVerifier', () => {
  it('accepts a valid ES256 token and returns its claims', async () => {
    const { fetch } = jwksServer([es256, ed]);
    const result = await verifierFor(fetch).verify(token(es256), { scopes: ['nymi-connect'] });
    expect(result).toMatchObject({
      iss: ISSUER,
      sub: 'client-1',
      clientId: 'client-1',
      scopes: ['nymi-connect', 'other'],
      jti: 'jti-1',
    });
  });

  it('accepts a valid EdDSA token', async () => {
    const { fetch } = jwksServer([es256, ed]);
    await expect(verifierFor(fetch).verify(token(ed))).resolves.toMatchObject({ sub: 'client-1' });
  });

  it('refuses alg none, with or without a signature', async () => {
    const { fetch } = jwksServer([es256]);
    const verifier = verifierFor(fetch);
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt', kid: es256.kid })}.${b64(claims())}.`;
    await refusal(verifier.verify(unsigned));
    const withSig = `${b64({ alg: 'none', typ: 'at+jwt', kid: es256.kid })}.${b64(claims())}.c2ln`;
    const error = await refusal(verifier.verify(withSig));
    expect(error.message).toMatch(/algorithm/);
  });

  it('refuses HS256 signed with the public key as the HMAC secret (key confusion)', async () => {
    const { fetch } = jwksServer([es256]);
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: es256.kid })}.${b64(claims())}`;
    for (const secret of [
      JSON.stringify(es256.jwk),
      es256.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ]) {
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      await refusal(verifierFor(fetch).verify(`${input}.${mac}`));
    }
  });

  it('refuses symmetric keys in the JWKS and cannot be configured for HMAC', async () => {
    const oct: TestKey = {
      ...es256,
      kid: 'oct',
      jwk: { kty: 'oct', k: Buffer.from('secret').toString('base64url'), kid: 'oct' },
    };
    const { fetch } = jwksServer([oct]);
    const input = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'oct' })}.${b64(claims())}`;
    const mac = createHmac('sha256', 'secret').update(input).digest('base64url');
    await refusal(verifierFor(fetch).verify(`${input}.${mac}`));
    expect(() => verifierFor(fetch, { algorithms: ['HS256' as unknown as 'ES256'] })).toThrow(
      RangeError,
    );
  });

  it('refuses a header alg that does not match the key type, and an unpinned alg', async () => {
    const { fetch } = jwksServer([es256, ed]);
    const lying = signWith(ed, { alg: 'ES256', typ: 'at+jwt', kid: ed.kid }, claims());
    expect((await refusal(verifierFor(fetch).verify(lying))).message).toMatch(/does not match/);
    const p384 = makeKey('k-384', 'ES384');
    const { fetch: fetch384 } = jwksServer([p384]);
    await refusal(verifierFor(fetch384).verify(token(p384)));
    await expect(
      verifierFor(fetch384, { algorithms: ['ES384'] }).verify(token(p384)),
    ).resolves.toMatchObject({ jti: 'jti-1' });
  });

  it('refuses a wrong audience or issuer', async () => {
    const { fetch } = jwksServer([es256]);
    const verifier = verifierFor(fetch);
    await refusal(verifier.verify(token(es256, claims({ aud: 'other-service' }))));
    await refusal(verifier.verify(token(es256, claims({ aud: [] }))));
    await refusal(verifier.verify(token(es256, claims({ iss: 'https://evil.example' }))));
    await expect(
      verifierFor(fetch, { audience: ['x', 'gateway'] }).verify(token(es256)),
    ).resolves.toBeDefined();
  });

  it('refuses expired tokens beyond the clock skew and accepts them within it', async () => {
    const { fetch } = jwksServer([es256]);
    const iat = Math.floor(NOW / 1000) - 700;
    const expired = token(es256, claims({ iat, exp: iat + 600 }));
    expect((await refusal(verifierFor(fetch).verify(expired))).message).toMatch(/expired/);
    const justExpired = token(es256, claims({ iat, exp: Math.floor(NOW / 1000) - 10 }));
    await expect(verifierFor(fetch).verify(justExpired)).resolves.toBeDefined();
    await refusal(verifierFor(fetch, { clockSkewSeconds: 5 }).verify(justExpired));
    expect(() => verifierFor(fetch, { clockSkewSeconds: 301 })).toThrow(RangeError);
  });

  it('refuses tokens that are not valid yet (nbf, iat in the future)', async () => {
    const { fetch } = jwksServer([es256]);
    const future = Math.floor(NOW / 1000) + 120;
    const nbf = token(es256, claims({ nbf: future }));
    expect((await refusal(verifierFor(fetch).verify(nbf))).message).toMatch(/not valid yet/);
    await refusal(verifierFor(fetch).verify(token(es256, claims({ iat: future }))));
  });

  it('refuses tampered tokens', async () => {
    const { fetch } = jwksServer([es256]);
    const [h, , s] = token(es256).split('.');
    const forged = `${h}.${b64(claims({ scope: 'admin' }))}.${s}`;
    expect((await refusal(verifierFor(fetch).verify(forged))).message).toMatch(/signature/);
    const der = sign('sha256', Buffer.from(`${h}.${b64(claims())}`), es256.privateKey);
    await refusal(verifierFor(fetch).verify(`${h}.${b64(claims())}.${der.toString('base64url')}`));
  });

  it('refuses malformed tokens, a wrong typ and critical headers', async () => {
    const { fetch } = jwksServer([es256]);
    const verifier = verifierFor(fetch);
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', `${token(es256)}!`]) {
      await refusal(verifier.verify(bad));
    }
    await refusal(verifier.verify(token(es256, claims(), { typ: 'JWT' })));
    await refusal(verifier.verify(token(es256, claims(), { typ: undefined })));
    await refusal(verifier.verify(token(es256, claims(), { crit: ['exp'] })));
    await refusal(verifier.verify(token(es256, claims({ client_id: undefined }))));
    await expect(
      verifier.verify(token(es256, claims(), { typ: 'application/at+jwt' })),
    ).resolves.toBeDefined();
  });

  it('refetches the JWKS once for an unknown kid, at most once per cooldown', async () => {
    const { state, fetch } = jwksServer([es256]);
    const clock = { now: NOW };
    const verifier = verifierFor(fetch, { clock });
    await verifier.verify(token(es256));
    expect(state.fetches).toBe(1);

    const rotated = makeKey('k-new', 'ES256');
    // Within the cooldown an unknown kid is refused without a fetch.
    const early = await refusal(verifier.verify(token(rotated)));
    expect(early.message).toMatch(/unknown key/);
    expect(state.fetches).toBe(1);

    state.keys = [es256, rotated];
    clock.now += 30_000;
    await expect(verifier.verify(token(rotated))).resolves.toBeDefined();
    expect(state.fetches).toBe(2);

    const unknown = makeKey('k-made-up', 'ES256');
    for (let i = 0; i < 5; i += 1) await refusal(verifier.verify(token(unknown)));
    expect(state.fetches).toBe(2);
  });

  it('keeps serving cached keys while the JWKS cannot be fetched, 503 when it never could', async () => {
    const { state, fetch } = jwksServer([es256]);
    const clock = { now: NOW };
    const verifier = verifierFor(fetch, { clock, jwks: { fetch, maxAgeMs: 1_000 } });
    await verifier.verify(token(es256));
    state.fail = true;
    clock.now += 5_000;
    await expect(verifier.verify(token(es256))).resolves.toBeDefined();

    const down = jwksServer([es256]);
    down.state.fail = true;
    await expect(verifierFor(down.fetch).verify(token(es256))).rejects.toBeInstanceOf(
      TemporarilyUnavailableError,
    );
  });

  it('checks scopes and the revocation hook', async () => {
    const { fetch } = jwksServer([es256]);
    const scopeError = await verifierFor(fetch)
      .verify(token(es256), { scopes: ['nymi-connect', 'admin'] })
      .catch((e: unknown) => e);
    expect(scopeError).toBeInstanceOf(InsufficientScopeError);
    expect((scopeError as InsufficientScopeError).scope).toBe('nymi-connect admin');

    const revokedJtis = new Set(['jti-1']);
    const withHook = verifierFor(fetch, {
      isRevoked: (c) => Promise.resolve(revokedJtis.has(c.jti)),
    });
    expect((await refusal(withHook.verify(token(es256)))).message).toMatch(/revoked/);
    await expect(withHook.verify(token(es256, claims({ jti: 'jti-2' })))).resolves.toBeDefined();

    const broken = verifierFor(fetch, { isRevoked: () => Promise.reject(new Error('redis down')) });
    await expect(broken.verify(token(es256))).rejects.toBeInstanceOf(TemporarilyUnavailableError);
  });
});
