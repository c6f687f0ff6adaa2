import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Consumer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { getInfra, uniqueName } from '../src/index.js';
import {
  collectValues,
  eventually,
  idempotentProducer,
  messages,
  testConsumer,
  testKafka,
} from './kafka-helpers.js';

const run = promisify(execFile);

describe('kafka (the run broker)', () => {
  const consumers: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.disconnect()));
  });

  it('delivers every message exactly once across a 2-member group, then resumes from committed offsets', async () => {
    const { brokers } = getInfra().kafka;
    const kafka = testKafka(brokers);
    const topic = uniqueName('t');
    const groupId = uniqueName('g');
    const producer = await idempotentProducer(kafka);

    const seen = new Map<string, number>();
    const byMember = [0, 0];
    const assigned = [0, 0];
    const joins: string[] = []; // for the failure message: who joined when, owning what
    const started = Date.now();
    for (const member of [0, 1]) {
      const consumer = await testConsumer(kafka, groupId);
      consumers.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        assigned[member] = Object.values(payload.memberAssignment).flat().length;
        joins.push(`+${Date.now() - started}ms member ${member} owns ${assigned[member]}`);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        joins.push(`+${Date.now() - started}ms member ${member} crashed: ${payload.error.message}`);
      });
      // The first subscription auto-creates the topic (4 partitions). Nothing is produced
      // until the group is stable: a record read before a rebalance may be read again.
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          const value = message.value?.toString() ?? '';
          seen.set(value, (seen.get(value) ?? 0) + 1);
          byMember[member] = (byMember[member] ?? 0) + 1;
          return Promise.resolve();
        },
      });
    }
    // Generous: on a loaded machine a member can miss the mock's 2 s join window
    // and the group then rebalances again until both make it.
    await eventually(
      () => assigned[0] === 2 && assigned[1] === 2,
      40_000,
      () => `both members own 2 of 4 partitions (joins: ${joins.join('; ') || 'none'})`,
    );

    await producer.send({ topic, acks: -1, messages: messages('m', 200) });
    await eventually(
      () => seen.size === 200,
      20_000,
      () => `200 distinct messages (have ${seen.size})`,
    );
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(byMember[0]).toBeGreaterThan(0);
    expect(byMember[1]).toBeGreaterThan(0);

    // Both leave (committing); a new member of the same group sees only what comes after.
    await Promise.all(consumers.splice(0).map((consumer) => consumer.disconnect()));
    await producer.send({ topic, acks: -1, messages: messages('later', 20) });
    const resumed: string[] = [];
    const consumer = await testConsumer(kafka, groupId);
    consumers.push(consumer);
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: collectValues(resumed) });
    await eventually(
      () => resumed.length >= 20,
      20_000,
      () => `20 later messages (have ${resumed.length})`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing older may trickle in
    expect(resumed.sort()).toEqual(
      messages('later', 20)
        .map((m) => m.value)
        .sort(),
    );
    await producer.disconnect();

    // An outside client (kcat, librdkafka) reads the same log.
    const { stdout } = await run('kcat', [
      '-b',
      brokers.join(','),
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%s\n',
    ]);
    const expected = [...messages('m', 200), ...messages('later', 20)].map((m) => m.value);
    expect(stdout.trim().split('\n').sort()).toEqual(expected.sort());
  }, 120_000);
});
