import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import {
  basicAuth,
  fetchToken,
  metricValue,
  postForm,
  startStack,
  waitFor,
  type TestStack,
} from './support/stack.js';
import type { TestToken } from './support/token.js';

let stack: TestStack;
let second: TestToken;

beforeAll(async () => {
  // Two replicas: each must see every client event (a consumer group per replica).
  stack = await startStack();
  second = await stack.addReplica();
});
afterAll(() => stack?.stop());

const grant = { grant_type: 'client_credentials' };
const secret = (c: RegisteredTestClient) => String(c.client_secret);

async function invalidations(base: string, kind: string): Promise<number> {
  return metricValue(base, 'nes_token_client_invalidations_total', { kind });
}

async function cacheHits(base: string): Promise<number> {
  return metricValue(base, 'nes_token_grants_total', { client_cache: 'hit' });
}

describe('client updated/deleted events', () => {
  it('refuses a deleted client on its very next request, on every replica', async () => {
    const client = await stack.registration.registerClient();
    const replicas = [stack.token, second];
    // Warm both caches: the second request of each is answered from the cache.
    for (const replica of replicas) {
      await fetchToken(replica.base, client.client_id, secret(client));
      const hitsBefore = await cacheHits(replica.base);
      await fetchToken(replica.base, client.client_id, secret(client));
      expect(await cacheHits(replica.base)).toBe(hitsBefore + 1);
    }
    const before = await Promise.all(replicas.map((r) => invalidations(r.base, 'deleted')));

    await stack.registration.deleteClient(client.client_id);
    // The deletion reaches each replica through the bus (outbox → relay → its own group).
    await waitFor(async () => {
      const now = await Promise.all(replicas.map((r) => invalidations(r.base, 'deleted')));
      return now.every((value, i) => value > (before[i] ?? 0));
    });

    for (const replica of replicas) {
      const next = await postForm(`${replica.base}/oauth2/token`, grant, {
        authorization: basicAuth(client.client_id, secret(client)),
      });
      expect(next.status, next.text).toBe(401);
      expect(next.body.error).toBe('invalid_client');
    }
  });

  it('drops the cached verification of an updated client, which then authenticates afresh', async () => {
    const client = await stack.registration.registerClient();
    await fetchToken(stack.token.base, client.client_id, secret(client));
    const before = await invalidations(stack.token.base, 'updated');
    await stack.registration.renameClient(client.client_id, 'Front desk tablet');
    await waitFor(async () => (await invalidations(stack.token.base, 'updated')) > before);
    const misses = await metricValue(stack.token.base, 'nes_token_grants_total', {
      client_cache: 'miss',
    });
    await fetchToken(stack.token.base, client.client_id, secret(client));
    expect(
      await metricValue(stack.token.base, 'nes_token_grants_total', { client_cache: 'miss' }),
    ).toBe(misses + 1);
  });

  it('never serves a wrong secret from the cache', async () => {
    const client = await stack.registration.registerClient();
    await fetchToken(stack.token.base, client.client_id, secret(client));
    const reply = await postForm(`${stack.token.base}/oauth2/token`, grant, {
      authorization: basicAuth(client.client_id, `${secret(client)}x`),
    });
    expect(reply.status).toBe(401);
  });
});
