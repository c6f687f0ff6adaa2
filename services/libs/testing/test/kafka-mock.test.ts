import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startKafkaMock, uniqueName, type KafkaMock } from '../src/index.js';
import {
  collectValues,
  eventually,
  idempotentProducer,
  messages,
  testConsumer,
  testKafka,
} from './kafka-helpers.js';

function accepts(broker: string | undefined): Promise<boolean> {
  const [host, port] = (broker ?? '').split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

describe('startKafkaMock', () => {
  const mocks: KafkaMock[] = [];
  const start = async (options?: Parameters<typeof startKafkaMock>[0]): Promise<KafkaMock> => {
    const mock = await startKafkaMock(options);
    mocks.push(mock);
    return mock;
  };
  afterEach(async () => {
    await Promise.all(mocks.splice(0).map((mock) => mock.stop()));
  });

  it('goes away and comes back on the same port with its data', async () => {
    const mock = await start();
    const [broker] = mock.brokers;
    const kafka = testKafka(mock.brokers);
    const topic = uniqueName('t');
    const producer = await idempotentProducer(kafka);
    await producer.send({ topic, acks: -1, messages: messages('before', 5) });

    await mock.pause();
    expect(await accepts(broker)).toBe(false);
    await expect(testKafka(mock.brokers).producer().connect()).rejects.toThrow();

    await mock.resume();
    expect(mock.brokers).toEqual([broker]);
    expect(await accepts(broker)).toBe(true);
    await producer.send({ topic, acks: -1, messages: messages('after', 5) });
    await producer.disconnect();

    const values: string[] = [];
    const consumer = await testConsumer(kafka, uniqueName('g'));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: collectValues(values) });
    await eventually(
      () => values.length >= 10,
      20_000,
      () => `10 messages (have ${values.length})`,
    );
    await consumer.disconnect();
    expect(values.filter((v) => v.startsWith('before-'))).toHaveLength(5);
    expect(values.filter((v) => v.startsWith('after-'))).toHaveLength(5);

    await mock.restart(50);
    expect(await accepts(broker)).toBe(true);
    await mock.stop();
    expect(await accepts(broker)).toBe(false);
    await expect(mock.pause()).rejects.toThrow(/stopped/);
  });

  it('runs 3 brokers with topics made up front and a chosen auto-create partition count', async () => {
    const declared = uniqueName('t');
    const mock = await start({
      brokers: 3,
      partitions: 2,
      topics: [{ name: declared, partitions: 6 }],
    });
    expect(mock.brokers).toHaveLength(3);
    const kafka = testKafka(mock.brokers);
    const producer = await idempotentProducer(kafka);
    const auto = uniqueName('t');
    await producer.send({ topic: declared, acks: -1, messages: messages('d', 30) });
    await producer.send({ topic: auto, acks: -1, messages: messages('a', 3) });
    const made = uniqueName('t');
    await mock.createTopic(made, 3);
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [declared, auto, made] });
    const offsets = await admin.fetchTopicOffsets(declared);
    await admin.disconnect();
    expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(30);
    const partitions = Object.fromEntries(topics.map((t) => [t.name, t.partitions]));
    expect(partitions[declared]).toHaveLength(6);
    expect(partitions[auto]).toHaveLength(2);
    expect(partitions[made]).toHaveLength(3);
    const leaders = new Set(partitions[declared]?.map((p) => p.leader));
    expect([...leaders].every((id) => [1, 2, 3].includes(id))).toBe(true);
    expect(leaders.size).toBeGreaterThan(1);

    await expect(mock.createTopic('bad name', 1)).rejects.toThrow(/invalid topic/);
  });
});
