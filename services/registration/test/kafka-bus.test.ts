import { createKafkaBus, nesCatalog, nesPayload, type CloudEvent, type EventBus } from '@nes/bus';
import { createLogger } from '@nes/kit';
import { getInfra, uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt, deviceMetadata, register } from './support/factories.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let consumerBus: EventBus;
const received: CloudEvent[] = [];

beforeAll(async () => {
  const { brokers } = getInfra().kafka;
  svc = await startTestService({
    env: { NES_REG_BUS_KIND: 'kafka', NES_REG_BUS_BROKERS: brokers.join(',') },
  });
  consumerBus = createKafkaBus({
    brokers,
    clientId: 'registration-test-consumer',
    logger: createLogger({ service: 'test', level: 'silent' }),
    consumer: {
      sessionTimeoutMs: 3000,
      heartbeatIntervalMs: 300,
      rebalanceTimeoutMs: 5000,
      maxWaitTimeMs: 100,
    },
  });
  await consumerBus.subscribe({
    group: uniqueName('reg_audit'),
    topics: ['nes.registration.v1'],
    catalog: nesCatalog,
    fromBeginning: true,
    handler: (event) => {
      received.push(event);
      return Promise.resolve();
    },
  });
});
afterAll(async () => {
  await consumerBus?.close();
  await svc?.stop();
});

async function eventually(check: () => void, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('events on Kafka through the outbox relay', () => {
  it('delivers crt.created, client.created and crt.updated as CloudEvents with proto payloads', async () => {
    const crt = await createCrt(svc);
    const reply = await register(svc, crt.token, deviceMetadata());
    const clientId = String(reply.body.client_id);
    await eventually(() => {
      const types = received
        .filter((e) => e.subject === crt.crt.id || e.subject === clientId)
        .map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'nes.crt.created.v1',
          'nes.client.created.v1',
          'nes.crt.updated.v1',
        ]),
      );
    });
    const created = received.find(
      (e) => e.type === 'nes.client.created.v1' && e.subject === clientId,
    );
    expect(created?.source).toBe('nes/registration');
    const payload = created ? nesPayload(created, 'nes.client.created.v1') : undefined;
    expect(payload?.client?.crtId).toBe(crt.crt.id);
    expect(payload?.crtTokenHash).toBe(crt.crt.tokenHash);
    // Per-key order: the CRT's events arrive in the order they were written.
    const crtTypes = received.filter((e) => e.subject === crt.crt.id).map((e) => e.type);
    expect(crtTypes.indexOf('nes.crt.created.v1')).toBeLessThan(
      crtTypes.indexOf('nes.crt.updated.v1'),
    );
    // The outbox rows were marked published.
    const { rows } = await svc.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    expect(rows[0]?.n).toBe(0);
  });
});
