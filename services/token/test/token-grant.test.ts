import { createAccessTokenVerifier } from '@nes/auth';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import { basicAuth, metricValue, postForm, startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let client: RegisteredTestClient;
let tokenUrl: string;

const secretOf = (c: RegisteredTestClient) => String(c.client_secret);
const basic = (c: RegisteredTestClient) => ({ authorization: basicAuth(c.client_id, secretOf(c)) });
const grant = { grant_type: 'client_credentials' };

beforeAll(async () => {
  stack = await startStack();
  client = await stack.registration.registerClient();
  tokenUrl = `${stack.token.base}/oauth2/token`;
});
afterAll(() => stack?.stop());

describe('POST /oauth2/token (client_credentials)', () => {
  it('issues an RFC 9068 access token with client_secret_basic', async () => {
    const reply = await postForm(tokenUrl, grant, basic(client));
    expect(reply.status, reply.text).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'scope',
      'token_type',
    ]);
    expect(reply.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'nymi-connect',
    });
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('pragma')).toBe('no-cache');

    const token = String(reply.body.access_token);
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(stack.token.service.context.ring.key(String(header.kid))).toBeDefined();
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(
      ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub'].sort(),
    );
    expect(claims).toMatchObject({
      iss: stack.token.config.issuer,
      sub: client.client_id,
      client_id: client.client_id,
      aud: 'nes',
      scope: 'nymi-connect',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(600);

    // Every other service verifies it with @nes/auth against the real JWKS.
    const verifier = createAccessTokenVerifier({
      issuer: stack.token.config.issuer,
      jwksUri: `${stack.token.base}/oauth2/jwks`,
      audience: 'nes',
    });
    await expect(verifier.verify(token, { scopes: ['nymi-connect'] })).resolves.toMatchObject({
      clientId: client.client_id,
    });
  });

  it('issues tokens with client_secret_post, each with its own jti', async () => {
    const params = { ...grant, client_id: client.client_id, client_secret: secretOf(client) };
    const first = await postForm(tokenUrl, params);
    const second = await postForm(tokenUrl, params);
    expect([first.status, second.status]).toEqual([200, 200]);
    const jti = (r: typeof first) => decodeJwt(String(r.body.access_token)).jti;
    expect(jti(first)).not.toBe(jti(second));
  });

  it('grants requested scopes only within the client permissions (invalid_scope)', async () => {
    const ok = await postForm(tokenUrl, { ...grant, scope: 'nymi-connect' }, basic(client));
    expect(ok.body.scope).toBe('nymi-connect');
    const refused = await postForm(
      tokenUrl,
      { ...grant, scope: 'nymi-connect admin' },
      basic(client),
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_scope',
      error_description: "scope 'admin' is not granted to this client",
    });
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('answers invalid_client 401 with a Basic challenge for a wrong secret or unknown client', async () => {
    const cases: Record<string, string>[] = [
      { authorization: basicAuth(client.client_id, 'wrong-secret') },
      { authorization: basicAuth('00000000-0000-4000-8000-000000000000', 'whatever') },
      { authorization: basicAuth('not-a-uuid', 'whatever') },
      {},
      { authorization: 'Bearer something' },
    ];
    for (const headers of cases) {
      const reply = await postForm(tokenUrl, grant, headers);
      expect(reply.status, reply.text).toBe(401);
      expect(reply.body.error).toBe('invalid_client');
      expect(reply.headers.get('www-authenticate')).toBe('Basic realm="nes"');
    }
    const post = await postForm(tokenUrl, {
      ...grant,
      client_id: client.client_id,
      client_secret: 'no',
    });
    expect(post.status).toBe(401);
  });

  it('answers unsupported_grant_type and invalid_request exactly', async () => {
    const password = await postForm(tokenUrl, { grant_type: 'password' }, basic(client));
    expect(password.status).toBe(400);
    expect(password.body).toEqual({
      error: 'unsupported_grant_type',
      error_description: "grant_type 'password' is not supported; use client_credentials",
    });
    const missing = await postForm(tokenUrl, {}, basic(client));
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: 'grant_type is required',
    });

    const repeated = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(client) },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toEqual({
      error: 'invalid_request',
      error_description: "parameter 'grant_type' is repeated",
    });

    const json = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...basic(client) },
      body: JSON.stringify(grant),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });

    const both = await postForm(
      tokenUrl,
      { ...grant, client_secret: secretOf(client) },
      basic(client),
    );
    expect(both.body).toEqual({
      error: 'invalid_request',
      error_description: 'more than one client authentication method was used',
    });

    const huge = await postForm(tokenUrl, { ...grant, scope: 'x'.repeat(20_000) }, basic(client));
    expect(huge.status).toBe(400);
    expect(huge.body.error).toBe('invalid_request');

    const tooLong = await postForm(tokenUrl, { ...grant, scope: 'x'.repeat(1500) }, basic(client));
    expect(tooLong.body.error).toBe('invalid_request');
  });

  it('counts grants and failures by reason in /metrics', async () => {
    await postForm(tokenUrl, grant, basic(client));
    await postForm(tokenUrl, { grant_type: 'password' }, basic(client));
    const base = stack.token.base;
    expect(
      await metricValue(base, 'nes_token_grants_total', { method: 'client_secret_basic' }),
    ).toBeGreaterThan(1);
    expect(
      await metricValue(base, 'nes_token_failures_total', { reason: 'unsupported_grant_type' }),
    ).toBeGreaterThan(0);
    expect(
      await metricValue(base, 'nes_token_failures_total', { reason: 'invalid_client' }),
    ).toBeGreaterThan(0);
    expect(await metricValue(base, 'nes_token_grant_duration_seconds_count')).toBeGreaterThan(1);
    expect(
      await metricValue(base, 'nes_token_grants_total', { client_cache: 'hit' }),
    ).toBeGreaterThan(0);
  });
});
