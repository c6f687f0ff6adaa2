import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import { basicAuth, metricValue, postForm, startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let device: RegisteredTestClient;

beforeAll(async () => {
  stack = await startStack({
    env: {
      // Addresses come from X-Forwarded-For here, to play several IPs from loopback.
      NES_TOKEN_HTTP_TRUST_PROXY: 'true',
      NES_TOKEN_BRUTE_FORCE_PAIR_FREE_FAILURES: '2',
      NES_TOKEN_BRUTE_FORCE_PAIR_BASE_BLOCK_SECONDS: '1',
      NES_TOKEN_BRUTE_FORCE_PAIR_MAX_BLOCK_SECONDS: '2',
      NES_TOKEN_BRUTE_FORCE_IP_MAX_FAILURES: '8',
      NES_TOKEN_BRUTE_FORCE_CLIENT_MAX_FAILURES: '6',
      // No cached verifications: every request is a real authentication here.
      NES_TOKEN_CLIENT_CACHE_TTL_SECONDS: '0',
    },
  });
  device = await stack.registration.registerClient();
});
afterAll(() => stack?.stop());

function attempt(clientId: string, secret: string, ip: string) {
  return postForm(
    `${stack.token.base}/oauth2/token`,
    { grant_type: 'client_credentials' },
    { authorization: basicAuth(clientId, secret), 'x-forwarded-for': ip },
  );
}
const good = (ip: string) => attempt(device.client_id, String(device.client_secret), ip);
const bad = (ip: string) => attempt(device.client_id, 'guess', ip);

describe('brute-force protection of client authentication', () => {
  it('blocks a (client, IP) pair briefly after its free failures, and only that pair', async () => {
    expect((await good('10.1.0.1')).status).toBe(200);
    expect((await bad('10.1.0.9')).status).toBe(401);
    expect((await bad('10.1.0.9')).status).toBe(401);
    expect((await bad('10.1.0.9')).status).toBe(401); // third failure: the pair is now blocked 1 s
    const blocked = await good('10.1.0.9');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('invalid_client');
    expect(blocked.headers.get('retry-after')).toBe('1');
    // The real device at its own address is not affected.
    expect((await good('10.1.0.1')).status).toBe(200);
    // The block is short: after it the right secret works from there too.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await good('10.1.0.9')).status).toBe(200);
    expect(
      await metricValue(stack.token.base, 'nes_token_client_auth_throttled_total', {
        limit: 'pair',
      }),
    ).toBeGreaterThan(0);
  });

  it('caps failures per client across IPs, sparing the addresses it succeeded from', async () => {
    const target = await stack.registration.registerClient();
    const hit = (ip: string, secret: string) => attempt(target.client_id, secret, ip);
    expect((await hit('10.2.0.1', String(target.client_secret))).status).toBe(200);
    for (let i = 0; i < 6; i += 1) expect((await hit(`10.2.1.${i}`, 'guess')).status).toBe(401);
    // A fresh address is refused (the client is under attack) …
    const stranger = await hit('10.2.2.1', String(target.client_secret));
    expect(stranger.status).toBe(429);
    // … but the device's own address still gets its token.
    expect((await hit('10.2.0.1', String(target.client_secret))).status).toBe(200);
  });

  it('caps failures per IP across client ids', async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < 8; i += 1) {
      const reply = await attempt(`00000000-0000-4000-8000-00000000000${i}`, 'guess', ip);
      expect(reply.status).toBe(401);
    }
    expect((await good(ip)).status).toBe(429);
  });
});
