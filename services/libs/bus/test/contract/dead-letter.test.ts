import { uniqueName } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createEvent,
  deadLetterTopic,
  INVALID_ENVELOPE_TYPE,
  type CatalogEntry,
  type CloudEvent,
  type EventBus,
} from '../../src/index.js';
import { SEQUENCED_TYPE, seqOf } from '../support/events.js';
import { createTestBus } from '../support/test-bus.js';
import { openTransport, TRANSPORTS, type TransportUnderTest } from '../support/transports.js';
import { waitFor } from '../support/wait.js';

describe.each(TRANSPORTS)('%s bus: poison events', (name) => {
  let transport: TransportUnderTest;
  let bus: EventBus;

  beforeAll(async () => {
    transport = await openTransport(name);
    bus = await createTestBus(transport.config);
  });

  afterAll(async () => {
    await bus?.close();
    await transport?.close();
  });

  it('go to <topic>.dlq with their reason and do not block later events of the key', async () => {
    const topic = uniqueName('poison');
    const group = uniqueName('poison_group');
    const key = 'poisoned-key';
    const event = (seq: number, type = SEQUENCED_TYPE): CloudEvent =>
      createEvent({ topic, type, source: 'nes/test', key, data: { seq } }).event;
    // The catalog this consumer knows: only the sequenced type, on this topic.
    const entry: CatalogEntry<unknown> = {
      topic,
      codec: { fromJSON: (j) => j, toJSON: (v) => v },
      key: () => key,
    };

    const handled: number[] = [];
    const attemptsOfPoison: number[] = [];
    const subscription = await bus.subscribe({
      group,
      topics: [topic],
      catalog: { [SEQUENCED_TYPE]: entry },
      handler: (e, context) => {
        if (seqOf(e) === 2) {
          attemptsOfPoison.push(context.attempt);
          return Promise.reject(new Error('cannot apply seq 2'));
        }
        handled.push(seqOf(e));
        return Promise.resolve();
      },
    });
    const letters: CloudEvent[] = [];
    const dlqReader = await bus.subscribe({
      group: uniqueName('dlq_reader'),
      topics: [deadLetterTopic(topic)],
      handler: (e) => {
        letters.push(e);
        return Promise.resolve();
      },
    });

    const poison = event(2);
    const unknown = event(4, 'nes.test.unknown.v1');
    await bus.publish([
      { topic, event: event(1) },
      { topic, event: poison },
    ]);
    await transport.produceRaw(topic, key, Buffer.from('{"this is": not json'));
    await bus.publish([
      { topic, event: event(3) },
      { topic, event: unknown },
      { topic, event: event(5) },
    ]);

    await waitFor('later events of the key', () => handled.length >= 3, {
      describe: () => handled,
    });
    await waitFor('three dead letters', () => letters.length >= 3, {
      describe: () => letters.length,
    });
    await subscription.close();
    await dlqReader.close();

    expect(handled).toEqual([1, 3, 5]);
    expect(attemptsOfPoison).toEqual([1, 2, 3]);
    const [failed, invalid, unknownLetter] = letters;
    // The failed event is preserved as it was (same id, type, data), plus the dlq* extensions.
    expect(failed).toEqual({
      ...poison,
      dlqreason: 'handler-failed: Error: cannot apply seq 2',
      dlqattempts: 3,
      dlqgroup: group,
      dlqtopic: topic,
    });
    expect(invalid).toMatchObject({
      type: INVALID_ENVELOPE_TYPE,
      partitionkey: key,
      dlqreason: 'invalid-envelope: not JSON',
      dlqattempts: 0,
      dlqgroup: group,
      dlqtopic: topic,
    });
    const raw = (invalid?.data as { value: string }).value;
    expect(Buffer.from(raw, 'base64').toString('utf8')).toBe('{"this is": not json');
    expect(unknownLetter).toMatchObject({
      id: unknown.id,
      dlqreason: 'unknown-type: nes.test.unknown.v1',
      dlqattempts: 0,
    });
  });
});
