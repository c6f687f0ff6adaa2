import { generateKeyPairSync, sign } from 'node:crypto';
import {
  createHttpServer,
  createLogger,
  createMetrics,
  createReadiness,
  type HttpServer,
} from '@nes/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, decorateAccessToken, requireAccessToken } from './fastify.js';
import { createAccessTokenVerifier } from './verify-access-token.js';

const ISSUER = 'https://nes.example';
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' };

function tokenWith(scope: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })}.${b64({
    iss: ISSUER,
    sub: 'c1',
    aud: 'vault',
    client_id: 'c1',
    scope,
    jti: 'j1',
    iat,
    exp: iat + 60,
  })}`;
  const sig = sign('sha256', Buffer.from(input), {
    key: pair.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${sig.toString('base64url')}`;
}

let app: HttpServer;
beforeAll(async () => {
  const verifier = createAccessTokenVerifier({
    issuer: ISSUER,
    jwksUri: `${ISSUER}/oauth2/jwks`,
    audience: 'vault',
    jwks: {
      fetch: () =>
        Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ keys: [jwk] }) }),
    },
  });
  app = await createHttpServer({
    config: {},
    logger: createLogger({ service: 'auth-test', level: 'silent' }),
    metrics: createMetrics({ service: 'auth-test', defaultMetrics: false }),
    readiness: createReadiness(),
    openapi: { title: 't', version: '1' },
  });
  decorateAccessToken(app);
  app.get(
    '/credentials',
    { preHandler: requireAccessToken(verifier, { scopes: ['nymi-connect'] }) },
    (request) => ({ client: request.accessToken?.clientId }),
  );
  await app.ready();
});
afterAll(() => app.close());

describe('requireAccessToken', () => {
  it('admits a valid token with the scope and exposes its claims', async () => {
    const reply = await app.inject({
      url: '/credentials',
      headers: { authorization: `Bearer ${tokenWith('nymi-connect')}` },
    });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ client: 'c1' });
  });

  it('answers 401 with a bare Bearer challenge when no token is sent (RFC 6750 §3.1)', async () => {
    for (const headers of [{}, { authorization: 'Basic YTpi' }]) {
      const reply = await app.inject({ url: '/credentials', headers });
      expect(reply.statusCode).toBe(401);
      expect(reply.headers['www-authenticate']).toBe('Bearer realm="nes"');
    }
  });

  it('answers 401 invalid_token for a bad token', async () => {
    const reply = await app.inject({
      url: '/credentials',
      headers: { authorization: `Bearer ${tokenWith('nymi-connect')}x` },
    });
    expect(reply.statusCode).toBe(401);
    expect(reply.json()).toMatchObject({ error: 'invalid_token' });
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="nes", error="invalid_token"/);
  });

  it('answers 403 insufficient_scope naming the scope', async () => {
    const reply = await app.inject({
      url: '/credentials',
      headers: { authorization: `Bearer ${tokenWith('other')}` },
    });
    expect(reply.statusCode).toBe(403);
    expect(reply.json()).toMatchObject({ error: 'insufficient_scope' });
    expect(reply.headers['www-authenticate']).toMatch(/scope="nymi-connect"/);
  });
});

describe('bearerToken', () => {
  it('reads the token case-insensitively and refuses malformed credentials', () => {
    expect(bearerToken('bearer abc.def-_~+/=')).toBe('abc.def-_~+/=');
    expect(() => bearerToken('Bearer a b')).toThrow(/malformed/);
    expect(() => bearerToken('Bearer')).toThrow(/malformed/);
  });
});
