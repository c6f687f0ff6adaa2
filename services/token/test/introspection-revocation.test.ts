import { createAccessTokenVerifier, redisRevocationCheck } from '@nes/auth';
import { createLogger, createRedis } from '@nes/kit';
import { getInfra } from '@nes/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import { basicAuth, fetchToken, postForm, startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let alice: RegisteredTestClient;
let bob: RegisteredTestClient;
const redisHandle = createRedis(
  { url: getInfra().redis.url },
  createLogger({ service: 'test', level: 'silent' }),
);
const redis = redisHandle.client;

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.registration.registerClient();
  bob = await stack.registration.registerClient();
  await redisHandle.connected;
});
afterAll(async () => {
  await redisHandle.close();
  await stack?.stop();
});

const auth = (c: RegisteredTestClient) => ({
  authorization: basicAuth(c.client_id, String(c.client_secret)),
});
const tokenOf = (c: RegisteredTestClient) =>
  fetchToken(stack.token.base, c.client_id, String(c.client_secret));
const introspect = (c: RegisteredTestClient, token: string, extra: Record<string, string> = {}) =>
  postForm(`${stack.token.base}/oauth2/introspect`, { token, ...extra }, auth(c));
const revoke = (c: RegisteredTestClient, token: string) =>
  postForm(
    `${stack.token.base}/oauth2/revoke`,
    { token, token_type_hint: 'access_token' },
    auth(c),
  );

describe('introspection (RFC 7662)', () => {
  it('describes an active token to the client it was issued to', async () => {
    const token = await tokenOf(alice);
    const reply = await introspect(alice, token, { token_type_hint: 'access_token' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const claims = decodeJwt(token);
    expect(reply.body).toEqual({
      active: true,
      scope: 'nymi-connect',
      client_id: alice.client_id,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: alice.client_id,
      aud: 'nes',
      iss: stack.token.config.issuer,
      jti: claims.jti,
    });
  });

  it('answers active:false for other clients’ tokens, garbage and tampered tokens', async () => {
    const token = await tokenOf(alice);
    expect((await introspect(bob, token)).body).toEqual({ active: false });
    expect((await introspect(alice, 'not-a-token')).body).toEqual({ active: false });
    const [h, p, s] = token.split('.');
    expect((await introspect(alice, `${h}.${p}x.${s}`)).body).toEqual({ active: false });
  });

  it('requires client authentication and a token parameter', async () => {
    const anonymous = await postForm(`${stack.token.base}/oauth2/introspect`, { token: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
    const missing = await postForm(`${stack.token.base}/oauth2/introspect`, {}, auth(alice));
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: 'token is required',
    });
  });
});

describe('revocation (RFC 7009)', () => {
  it('refuses a revoked token until it expires', async () => {
    const token = await tokenOf(alice);
    const verifier = createAccessTokenVerifier({
      issuer: stack.token.config.issuer,
      jwksUri: `${stack.token.base}/oauth2/jwks`,
      audience: 'nes',
      isRevoked: redisRevocationCheck(redis, stack.token.config.redis.keyPrefix),
    });
    await expect(verifier.verify(token)).resolves.toBeDefined();

    const reply = await revoke(alice, token);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    expect((await introspect(alice, token)).body).toEqual({ active: false });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'invalid_token' });

    // Kept in Redis for the token's remaining lifetime (plus the verifiers' skew allowance) only.
    const { jti, exp } = decodeJwt(token);
    const ttl = await redis.pTTL(`${stack.token.config.redis.keyPrefix}revoked:${String(jti)}`);
    const remaining = Number(exp) * 1000 - Date.now();
    expect(ttl).toBeGreaterThan(remaining);
    expect(ttl).toBeLessThanOrEqual(remaining + 300_000 + 1_000);
  });

  it('ignores other clients’ tokens and invalid tokens (200, no effect)', async () => {
    const token = await tokenOf(alice);
    expect((await revoke(bob, token)).status).toBe(200);
    expect((await introspect(alice, token)).body.active).toBe(true);
    expect((await revoke(alice, 'garbage')).status).toBe(200);
  });

  it('requires client authentication', async () => {
    const reply = await postForm(`${stack.token.base}/oauth2/revoke`, { token: 'x' });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Basic realm="nes"');
  });
});
