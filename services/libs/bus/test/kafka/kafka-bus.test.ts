import { startKafkaMock, uniqueName, type KafkaMock } from '@nes/testing';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLOUDEVENTS_CONTENT_TYPE, createEvent, type EventBus } from '../../src/index.js';
import { createTestBus } from '../support/test-bus.js';
import { waitFor } from '../support/wait.js';

describe('kafka bus specifics', () => {
  let mock: KafkaMock;
  let bus: EventBus;

  beforeAll(async () => {
    mock = await startKafkaMock({ partitions: 4 });
    bus = await createTestBus({ transport: 'kafka', brokers: mock.brokers });
  });

  afterAll(async () => {
    await bus?.close();
    await mock?.stop();
  });

  it('writes structured CloudEvents: key = partition key, JSON value, content-type header', async () => {
    const topic = uniqueName('wire');
    const out = createEvent({
      topic,
      type: 'nes.test.wire.v1',
      source: 'nes/test',
      key: 'band-7',
      data: { ok: true },
    });
    await bus.publish([out]);

    const kafka = new kafkajs.Kafka({ brokers: mock.brokers, logLevel: kafkajs.logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: uniqueName('raw_reader'),
      maxWaitTimeInMs: 100,
      sessionTimeout: 3000,
      heartbeatInterval: 300,
    });
    const received: kafkajs.KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.push(message);
        return Promise.resolve();
      },
    });
    await waitFor('the raw record', () => received.length >= 1);
    await consumer.disconnect();

    const [message] = received;
    expect(message?.key?.toString('utf8')).toBe('band-7');
    expect(message?.headers?.['content-type']?.toString()).toBe(CLOUDEVENTS_CONTENT_TYPE);
    expect(JSON.parse(message?.value?.toString('utf8') ?? 'null')).toEqual(out.event);
  });

  it('refuses an invalid event before sending anything', async () => {
    const topic = uniqueName('refused');
    const out = createEvent({
      topic,
      type: 'nes.test.wire.v1',
      source: 'nes/test',
      key: 'k',
      data: {},
    });
    await expect(
      bus.publish([{ topic, event: { ...out.event, specversion: '0.3' as '1.0' } }]),
    ).rejects.toThrow(/specversion/);
  });

  it('reports not ready while the cluster is down, and ready again after', async () => {
    expect((await bus.readiness()).ready).toBe(true);
    await mock.pause();
    try {
      const down = await bus.readiness();
      expect(down.ready).toBe(false);
      expect(down.details.cluster).toMatch(/^unreachable/);
    } finally {
      await mock.resume();
    }
    await waitFor('readiness after the outage', async () => (await bus.readiness()).ready, {
      timeoutMs: 15_000,
    });
  });
});
