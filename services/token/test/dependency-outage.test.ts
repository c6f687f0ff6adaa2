import { getInfra, startUrlProxy, type TcpProxy } from '@nes/testing';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import { basicAuth, fetchToken, postForm, startStack, type TestStack } from './support/stack.js';
import type { TestToken } from './support/token.js';

// A token replica whose Postgres (keys, and the Postgres bus) and Redis go
// through proxies this file takes down: grants need only the signing keys it
// holds, so devices keep getting tokens, and the replica stays in rotation.
let stack: TestStack;
let replica: TestToken;
let postgres: TcpProxy;
let redis: TcpProxy;
let device: RegisteredTestClient;

beforeAll(async () => {
  stack = await startStack();
  const pg = await startUrlProxy(stack.db.url);
  const rd = await startUrlProxy(getInfra().redis.url);
  postgres = pg.proxy;
  redis = rd.proxy;
  replica = await stack.addReplica({
    env: { NES_TOKEN_DATABASE_URL: pg.url, NES_TOKEN_REDIS_URL: rd.url },
  });
  device = await stack.registration.registerClient();
});
afterAll(async () => {
  await stack?.stop();
  await postgres?.close();
  await redis?.close();
});

interface ReadyBody {
  status: string;
  checks: Record<string, { ok: boolean; required: boolean }>;
}

async function readyz(): Promise<{ status: number; body: ReadyBody }> {
  const reply = await fetch(`${replica.base}/readyz`);
  return { status: reply.status, body: (await reply.json()) as ReadyBody };
}

describe('Postgres and Redis out of reach', () => {
  it('keeps granting verifiable tokens, stays ready (degraded), refuses only what needs them', async () => {
    const secret = String(device.client_secret);
    await fetchToken(replica.base, device.client_id, secret);

    await postgres.down();
    await redis.down();
    try {
      const token = await fetchToken(replica.base, device.client_id, secret);
      const jwks = (await (await fetch(`${replica.base}/oauth2/jwks`)).json()) as JSONWebKeySet;
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
        issuer: replica.config.issuer,
        typ: 'at+jwt',
      });
      expect(payload.client_id).toBe(device.client_id);

      const ready = await readyz();
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks).toMatchObject({
        postgres: { ok: false, required: false },
        redis: { ok: false, required: false },
        'signing-keys': { ok: true, required: true },
      });

      // Revocation state lives in Redis: introspection cannot answer for it.
      const introspection = await postForm(
        `${replica.base}/oauth2/introspect`,
        { token },
        { authorization: basicAuth(device.client_id, secret) },
      );
      expect(introspection.status, introspection.text).toBe(503);
      expect(introspection.body).toMatchObject({ error: 'temporarily_unavailable' });
      expect(introspection.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await postgres.up();
      await redis.up();
    }
    await expect.poll(async () => (await readyz()).body.status, { timeout: 20_000 }).toBe('ready');
  });
});
