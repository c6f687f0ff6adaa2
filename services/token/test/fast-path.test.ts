import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import { basicAuth, metricValue, postForm, startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let device: RegisteredTestClient;

beforeAll(async () => {
  stack = await startStack({
    env: {
      NES_TOKEN_HTTP_TRUST_PROXY: 'true',
      NES_TOKEN_BRUTE_FORCE_PAIR_FREE_FAILURES: '2',
      NES_TOKEN_BRUTE_FORCE_PAIR_BASE_BLOCK_SECONDS: '1',
    },
  });
  device = await stack.registration.registerClient();
});
afterAll(() => stack?.stop());

const url = () => `${stack.token.base}/oauth2/token`;
const grant = (secret: string, extra: Record<string, string> = {}, ip = '10.9.0.1') =>
  postForm(
    url(),
    { grant_type: 'client_credentials', ...extra },
    { authorization: basicAuth(device.client_id, secret), 'x-forwarded-for': ip },
  );

/**
 * Repeat grants of a cached client are answered before fastify
 * (src/http/fast-token-path.ts); everything else goes through the route.
 * The two must be indistinguishable to a client and to an operator.
 */
describe('the token route in front of fastify', () => {
  it('answers a repeat grant exactly as the route does, and counts it the same way', async () => {
    const requests = async () =>
      metricValue(stack.token.base, 'http_request_duration_seconds_count', {
        route: '/oauth2/token',
        status_code: '200',
      });
    const hitsBefore = await metricValue(stack.token.base, 'nes_token_grants_total', {
      cache: 'hit',
    });
    const requestsBefore = await requests();

    const first = await grant(String(device.client_secret)); // verified by registration: the route
    const second = await postForm(
      url(),
      { grant_type: 'client_credentials', scope: 'nymi-connect' },
      {
        authorization: basicAuth(device.client_id, String(device.client_secret)),
        'x-request-id': 'device-retry-42',
      },
    ); // cached: the front path
    for (const reply of [first, second]) {
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.headers.get('pragma')).toBe('no-cache');
      expect(reply.headers.get('x-request-id')).toBeTruthy();
      expect(Object.keys(reply.body)).toEqual([
        'access_token',
        'token_type',
        'expires_in',
        'scope',
      ]);
      expect(reply.body).toMatchObject({ token_type: 'Bearer', scope: 'nymi-connect' });
    }
    expect(second.headers.get('x-request-id')).toBe('device-retry-42');
    const [a, b] = [first, second].map((r) => decodeJwt(String(r.body.access_token)));
    expect(b).toMatchObject({ sub: a?.sub, client_id: device.client_id, aud: a?.aud });
    expect(b?.jti).not.toBe(a?.jti);

    expect(await metricValue(stack.token.base, 'nes_token_grants_total', { cache: 'hit' })).toBe(
      hitsBefore + 1,
    );
    expect(await requests()).toBe(requestsBefore + 2);
  });

  it('hands every refusal to the route: bodies, headers and brute-force counts unchanged', async () => {
    expect((await grant(String(device.client_secret))).status).toBe(200); // cached now

    // A wrong secret: 401 invalid_client with its challenge, counted once —
    // two failures are free for a pair, so a third attempt is still a 401,
    // not the 429 a double count would already give.
    for (let i = 0; i < 3; i += 1) {
      const wrong = await grant('guess', {}, '10.9.9.9');
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toBe('invalid_client');
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    expect((await grant('guess', {}, '10.9.9.9')).status).toBe(429);

    // A scope the client does not hold, a repeated parameter, another grant type.
    const scope = await grant(String(device.client_secret), { scope: 'audit.read' });
    expect(scope).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const repeated = await fetch(url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(device.client_id, String(device.client_secret)),
      },
      body: 'grant_type=client_credentials&scope=nymi-connect&scope=nymi-connect',
    });
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toMatchObject({ error: 'invalid_request' });
    const other = await grant(String(device.client_secret), { grant_type: 'password' });
    expect(other).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });
});
