import { directoryV1, EventDataError, registrationV1 } from '@nes/proto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { deliverRecord } from './consumer/deliver-record.js';
import { encodeEvent, type OutgoingEvent } from './envelope/cloud-event.js';
import { createEvent } from './envelope/create-event.js';
import { parseEvent } from './envelope/parse-event.js';
import { nesCatalog, nesEvent, nesEventProducer, nesPayload } from './nes-events.js';

const clientCreated = registrationV1.ClientCreated.fromPartial({
  client: { clientId: 'c-1', scopes: ['nymi-connect'] },
});

describe('nesEvent', () => {
  it('routes by the proto catalog and writes proto3 JSON data', () => {
    const { topic, event } = nesEvent('nes.client.created.v1', clientCreated, {
      source: 'nes/registration',
    });
    expect(topic).toBe('nes.registration.v1');
    expect(event.partitionkey).toBe('c-1');
    expect(event.type).toBe('nes.client.created.v1');
    expect(event.data).toMatchObject({ client: { clientId: 'c-1', scopes: ['nymi-connect'] } });
    expect(parseEvent(encodeEvent(event)).ok).toBe(true);
  });

  it('refuses a payload without its key field', () => {
    const keyless = directoryV1.UserSynced.fromPartial({ user: { samAccountName: 'alice' } });
    expect(() =>
      nesEvent('nes.directory.user-synced.v1', keyless, { source: 'nes/directory-sync' }),
    ).toThrow(EventDataError);
  });

  it('binds the source in a producer', () => {
    const produce = nesEventProducer('nes/registration');
    expect(produce('nes.client.created.v1', clientCreated).event.source).toBe('nes/registration');
  });
});

describe('nesPayload', () => {
  it('reads the payload of the asked type only', () => {
    const { event } = nesEvent('nes.client.created.v1', clientCreated, {
      source: 'nes/registration',
    });
    expect(nesPayload(event, 'nes.client.created.v1')?.client?.clientId).toBe('c-1');
    expect(nesPayload(event, 'nes.client.deleted.v1')).toBeUndefined();
  });
});

describe('nesCatalog', () => {
  it('makes consumers dead-letter unknown types and invalid data', async () => {
    const letters: OutgoingEvent[] = [];
    const handled: string[] = [];
    const pipeline = {
      group: 'g',
      handler: (e: { type: string }) => {
        handled.push(e.type);
        return Promise.resolve();
      },
      retry: { maxAttempts: 1, backoff: { initialMs: 0, maxMs: 0, multiplier: 1, jitter: 0 } },
      catalog: nesCatalog,
      maxEventBytes: 65_536,
      logger: pino({ level: 'silent' }),
      deadLetter: (e: OutgoingEvent) => {
        letters.push(e);
        return Promise.resolve();
      },
    };
    const send = async (out: OutgoingEvent) =>
      deliverRecord(
        { topic: out.topic, partition: 0, offset: '0', key: 'k', value: encodeEvent(out.event) },
        pipeline,
        new AbortController().signal,
      );
    const topic = 'nes.registration.v1';
    await send(nesEvent('nes.client.created.v1', clientCreated, { source: 'nes/registration' }));
    await send(
      createEvent({ topic, type: 'nes.client.exploded.v1', source: 's', key: 'k', data: {} }),
    );
    await send(
      createEvent({
        topic,
        type: 'nes.client.created.v1',
        source: 's',
        key: 'k',
        data: { client: { clientId: 7 } },
      }),
    );
    expect(handled).toEqual(['nes.client.created.v1']);
    expect(letters.map((l) => l.event.dlqreason)).toEqual([
      'unknown-type: nes.client.exploded.v1',
      expect.stringMatching(/^invalid-data: invalid nes.client.created.v1 data/),
    ]);
  });
});
