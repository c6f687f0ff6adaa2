import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_BEARER_ASSERTION_TYPE } from '../src/domain/client-credentials.js';
import { spawnService } from './support/process.js';
import type { RegisteredTestClient } from './support/registration.js';
import {
  basicAuth,
  fetchToken,
  metricValue,
  postForm,
  startStack,
  type TestStack,
} from './support/stack.js';
import { freePort } from '@nes/testing';

let stack: TestStack;
let client: RegisteredTestClient;

beforeAll(async () => {
  stack = await startStack();
  client = await stack.registration.registerClient();
});
afterAll(() => stack?.stop());

describe('health, readiness and metrics', () => {
  it('reports every dependency in /readyz and serves /healthz and /metrics', async () => {
    expect((await fetch(`${stack.token.base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${stack.token.base}/readyz`);
    const report = (await ready.json()) as {
      status: string;
      checks: Record<string, { ok: boolean }>;
    };
    expect(ready.status).toBe(200);
    expect(Object.keys(report.checks).sort()).toEqual(
      ['bus', 'postgres', 'redis', 'registration', 'signing-keys'].sort(),
    );
    expect(Object.values(report.checks).every((c) => c.ok)).toBe(true);
    await fetchToken(stack.token.base, client.client_id, String(client.client_secret));
    expect(await metricValue(stack.token.base, 'nes_token_signing_key_available')).toBe(1);
    expect(
      await metricValue(stack.token.base, 'http_request_duration_seconds_count', {
        route: '/oauth2/token',
      }),
    ).toBeGreaterThan(0);
  });
});

describe('logs', () => {
  it('never contain a client secret, an access token, an assertion or the key-encryption key', async () => {
    const secret = String(client.client_secret);
    const base = stack.token.base;
    const token = await fetchToken(base, client.client_id, secret);
    await postForm(`${base}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: secret,
    });
    await postForm(
      `${base}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basicAuth(client.client_id, 'wrong-secret-value') },
    );
    const assertion = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl';
    await postForm(`${base}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
    });
    const auth = { authorization: basicAuth(client.client_id, secret) };
    await postForm(`${base}/oauth2/introspect`, { token }, auth);
    await postForm(`${base}/oauth2/revoke`, { token }, auth);
    const kek = String(stack.token.env.NES_TOKEN_KEYS_ENCRYPTION_KEY).split(':')[1] ?? '';
    const lines = [...stack.token.logs, ...stack.registration.logs];
    expect(lines.length).toBeGreaterThan(10);
    for (const needle of [
      secret,
      token,
      token.split('.')[2] ?? '',
      'wrong-secret-value',
      assertion,
      kek,
    ]) {
      expect(needle.length).toBeGreaterThan(8);
      expect(lines.filter((line) => line.includes(needle))).toEqual([]);
    }
    // The refusals themselves are logged (by code), so they can be followed.
    expect(stack.token.logs.some((line) => line.includes('"code":"invalid_client"'))).toBe(true);
  });
});

describe('the service process', () => {
  it('refuses to start with bad configuration, naming every variable and no secret', async () => {
    const proc = spawnService({
      NES_TOKEN_DATABASE_URL: 'postgres://u:pw@127.0.0.1:1/db',
      NES_TOKEN_KEYS_ENCRYPTION_KEY: 'kek-1:dG9vLXNob3J0LXNlY3JldA==',
      NES_TOKEN_TOKEN_LIFETIME_SECONDS: 'forever',
    });
    expect(await proc.exited).toBe(1);
    const output = proc.stderr.join('');
    expect(output).toContain('NES_TOKEN_ISSUER: required');
    expect(output).toContain('NES_TOKEN_REDIS_URL: required');
    expect(output).toContain('NES_TOKEN_REGISTRATION_GRPC_TARGET: required');
    expect(output).toContain(
      "NES_TOKEN_TOKEN_LIFETIME_SECONDS: expected integer 5–86400, got 'forever'",
    );
    expect(output).toContain('NES_TOKEN_KEYS_ENCRYPTION_KEY: the key must be 32 bytes');
    expect(output).not.toContain('dG9vLXNob3J0LXNlY3JldA');
  });

  it('serves tokens, then shuts down gracefully on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      ...stack.token.env,
      NES_TOKEN_HTTP_PORT: String(port),
      NES_TOKEN_ISSUER: `http://127.0.0.1:${port}`,
      NES_TOKEN_LOG_LEVEL: 'info',
    };
    const proc = spawnService(env);
    await proc.waitForLine(/token service listening/);
    await fetchToken(`http://127.0.0.1:${port}`, client.client_id, String(client.client_secret));
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.stdout.some((line) => line.includes('shutdown complete'))).toBe(true);
  });
});

describe('the registration service out of reach', () => {
  it('stays ready (degraded): cached clients get tokens, others 503', async () => {
    const grant = (client: { client_id: string; client_secret?: unknown }) =>
      postForm(
        `${stack.token.base}/oauth2/token`,
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(client.client_id, String(client.client_secret)) },
      );
    const cached = await stack.registration.registerClient();
    expect((await grant(cached)).status).toBe(200);
    const other = await stack.registration.registerClient();
    await stack.registration.stop();

    const ready = await fetch(`${stack.token.base}/readyz`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; required: boolean }>;
    };
    expect(report.status).toBe('degraded');
    expect(report.checks.registration).toMatchObject({ ok: false, required: false });
    expect(report.checks['signing-keys']).toMatchObject({ ok: true, required: true });
    expect((await grant(cached)).status).toBe(200);
    const refused = await grant(other);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('temporarily_unavailable');
    expect(refused.headers.get('retry-after')).toBe('1');
  });
});
