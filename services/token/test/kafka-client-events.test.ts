import { createKafkaBus, type EventBus } from '@nes/bus';
import { createLogger } from '@nes/kit';
import { getInfra } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// The same guarantee as client-events.test.ts over the Kafka bus: each
// replica consumes the registration topic in a consumer group of its own.
let stack: TestStack;
let second: TestToken;
const buses: EventBus[] = [];

function testBus(): EventBus {
  const bus = createKafkaBus({
    brokers: getInfra().kafka.brokers,
    clientId: 'nes-token-test',
    logger: createLogger({ service: 'token-test-bus', level: 'warn' }),
    consumer: { sessionTimeoutMs: 3_000, heartbeatIntervalMs: 300, maxWaitTimeMs: 100 },
  });
  buses.push(bus);
  return bus;
}

const invalidations = (base: string) =>
  metricValue(base, 'nes_token_client_invalidations_total', { kind: 'updated' });

beforeAll(async () => {
  stack = await startStack({
    registrationEnv: {
      NES_REG_BUS_KIND: 'kafka',
      NES_REG_BUS_BROKERS: getInfra().kafka.brokers.join(','),
    },
    bus: testBus(),
  });
  second = await stack.addReplica({ bus: testBus() });
  // Wait until both replicas' groups have joined: renames are seen by both.
  const probe = await stack.registration.registerClient();
  let round = 0;
  await waitFor(async () => {
    round += 1;
    await stack.registration.renameClient(probe.client_id, `probe ${round}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seen = await Promise.all([stack.token, second].map((r) => invalidations(r.base)));
    return seen.every((n) => n > 0);
  }, 60_000);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  for (const bus of buses) await bus.close();
});

describe('client events over Kafka', () => {
  it('refuses a deleted client on its very next request, on every replica', async () => {
    const client = await stack.registration.registerClient();
    const secret = String(client.client_secret);
    const replicas = [stack.token, second];
    for (const replica of replicas) await fetchToken(replica.base, client.client_id, secret);
    const deleted = (base: string) =>
      metricValue(base, 'nes_token_client_invalidations_total', { kind: 'deleted' });
    const before = await Promise.all(replicas.map((r) => deleted(r.base)));
    await stack.registration.deleteClient(client.client_id);
    await waitFor(async () => {
      const now = await Promise.all(replicas.map((r) => deleted(r.base)));
      return now.every((value, i) => value > (before[i] ?? 0));
    }, 30_000);
    for (const replica of replicas) {
      const next = await postForm(
        `${replica.base}/oauth2/token`,
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(client.client_id, secret) },
      );
      expect(next.status).toBe(401);
      expect(next.body.error).toBe('invalid_client');
    }
  });
});
