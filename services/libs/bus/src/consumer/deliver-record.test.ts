import pino from 'pino';
import { describe, expect, it } from 'vitest';

import type { CatalogEntry } from '../envelope/catalog.js';
import type { OutgoingEvent } from '../envelope/cloud-event.js';
import { createEvent } from '../envelope/create-event.js';
import { encodeEvent } from '../envelope/cloud-event.js';
import type { EventHandler } from '../event-bus.js';
import { INVALID_ENVELOPE_TYPE, type TransportRecord } from './dead-letter.js';
import { deliverRecord, type DeliveryPipeline } from './deliver-record.js';

const silent = pino({ level: 'silent' });
const fastRetry = { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 2, multiplier: 2, jitter: 0 } };

function setup(handler: EventHandler, extra: Partial<DeliveryPipeline> = {}) {
  const deadLetters: OutgoingEvent[] = [];
  const pipeline: DeliveryPipeline = {
    group: 'g1',
    handler,
    retry: fastRetry,
    catalog: undefined,
    maxEventBytes: 4096,
    logger: silent,
    deadLetter: (event) => {
      deadLetters.push(event);
      return Promise.resolve();
    },
    ...extra,
  };
  return { pipeline, deadLetters };
}

const event = createEvent({
  topic: 'orders',
  type: 'nes.order.placed.v1',
  source: 'nes/test',
  key: 'k',
  data: { n: 1 },
}).event;
const record = (value: Buffer | null): TransportRecord => ({
  topic: 'orders',
  partition: 2,
  offset: '17',
  key: 'k',
  value,
});

describe('deliverRecord', () => {
  it('hands a valid event to the handler with its position', async () => {
    const seen: unknown[] = [];
    const { pipeline, deadLetters } = setup((e, ctx) => {
      seen.push([e.id, ctx.topic, ctx.partition, ctx.offset, ctx.attempt, ctx.group]);
      return Promise.resolve();
    });
    const outcome = await deliverRecord(
      record(encodeEvent(event)),
      pipeline,
      new AbortController().signal,
    );
    expect(outcome).toBe('handled');
    expect(seen).toEqual([[event.id, 'orders', 2, '17', 1, 'g1']]);
    expect(deadLetters).toEqual([]);
  });

  it('retries a failing handler and succeeds on a later attempt', async () => {
    const attempts: number[] = [];
    const { pipeline } = setup((_e, ctx) => {
      attempts.push(ctx.attempt);
      return ctx.attempt < 3 ? Promise.reject(new Error('flaky')) : Promise.resolve();
    });
    expect(
      await deliverRecord(record(encodeEvent(event)), pipeline, new AbortController().signal),
    ).toBe('handled');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('dead-letters after the last attempt, preserving the event and adding the reason', async () => {
    let keepAlives = 0;
    const { pipeline, deadLetters } = setup(() => Promise.reject(new TypeError('boom')), {
      keepAlive: () => {
        keepAlives += 1;
        return Promise.resolve();
      },
    });
    expect(
      await deliverRecord(record(encodeEvent(event)), pipeline, new AbortController().signal),
    ).toBe('dead-lettered');
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.topic).toBe('orders.dlq');
    expect(deadLetters[0]?.event).toEqual({
      ...event,
      dlqreason: 'handler-failed: TypeError: boom',
      dlqattempts: 3,
      dlqgroup: 'g1',
      dlqtopic: 'orders',
    });
    expect(keepAlives).toBe(2);
  });

  it('retries an outage of what the handler writes to beyond maxAttempts, never dead-lettering it', async () => {
    // A failover seen from a handler: refused, lost, in recovery, demoted, timed out under load.
    const outages = [
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('cannot execute INSERT in a read-only transaction'), {
        code: '25006',
      }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    ];
    let calls = 0;
    const { pipeline, deadLetters } = setup(
      () => {
        const outage = outages[calls];
        calls += 1;
        return outage === undefined ? Promise.resolve() : Promise.reject(outage);
      },
      { outageBackoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } },
    );
    expect(
      await deliverRecord(record(encodeEvent(event)), pipeline, new AbortController().signal),
    ).toBe('handled');
    expect(calls).toBe(outages.length + 1);
    expect(deadLetters).toEqual([]);
  });

  it('still counts real failures between outages, and dead-letters after maxAttempts of them', async () => {
    let calls = 0;
    const { pipeline, deadLetters } = setup(
      () => {
        calls += 1;
        return Promise.reject(
          calls % 2 === 1
            ? Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
            : new TypeError('boom'),
        );
      },
      { outageBackoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } },
    );
    expect(
      await deliverRecord(record(encodeEvent(event)), pipeline, new AbortController().signal),
    ).toBe('dead-lettered');
    expect(calls).toBe(6);
    expect(deadLetters[0]?.event).toMatchObject({
      dlqreason: 'handler-failed: TypeError: boom',
      dlqattempts: 3,
    });
  });

  it('returns aborted, without dead-lettering, when stopped during an outage', async () => {
    const controller = new AbortController();
    const { pipeline, deadLetters } = setup(() => {
      setTimeout(() => controller.abort(), 5);
      return Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    });
    expect(await deliverRecord(record(encodeEvent(event)), pipeline, controller.signal)).toBe(
      'aborted',
    );
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters bytes that are not an envelope at once, keeping them base64-encoded', async () => {
    let calls = 0;
    const { pipeline, deadLetters } = setup(() => {
      calls += 1;
      return Promise.resolve();
    });
    const outcome = await deliverRecord(
      record(Buffer.from('not json')),
      pipeline,
      new AbortController().signal,
    );
    expect(outcome).toBe('dead-lettered');
    expect(calls).toBe(0);
    const letter = deadLetters[0]?.event;
    expect(letter).toMatchObject({
      type: INVALID_ENVELOPE_TYPE,
      dlqreason: 'invalid-envelope: not JSON',
      dlqattempts: 0,
      partitionkey: 'k',
    });
    expect(letter?.data).toMatchObject({
      topic: 'orders',
      partition: 2,
      offset: '17',
      value: Buffer.from('not json').toString('base64'),
      truncated: false,
    });
  });

  it('cuts an oversized invalid value so the dead letter itself stays valid', async () => {
    const { pipeline, deadLetters } = setup(() => Promise.resolve());
    await deliverRecord(record(Buffer.alloc(10_000, 0x41)), pipeline, new AbortController().signal);
    const data = deadLetters[0]?.event.data as {
      valueBytes: number;
      truncated: boolean;
      value: string;
    };
    expect(data.valueBytes).toBe(10_000);
    expect(data.truncated).toBe(true);
    expect(Buffer.from(data.value, 'base64').length).toBe(2048);
  });

  it('dead-letters unknown types and data the catalog rejects when a catalog is given', async () => {
    const strict: CatalogEntry<unknown> = {
      topic: 'orders',
      codec: {
        fromJSON: (json) => {
          if ((json as { n?: unknown }).n !== 1) throw new Error('n must be 1');
          return json;
        },
        toJSON: (v) => v,
      },
      key: () => 'k',
    };
    const handled: string[] = [];
    const { pipeline, deadLetters } = setup(
      (e) => {
        handled.push(e.id);
        return Promise.resolve();
      },
      { catalog: { 'nes.order.placed.v1': strict } },
    );
    const other = createEvent({
      topic: 'orders',
      type: 'nes.order.voided.v1',
      source: 's',
      key: 'k',
      data: {},
    }).event;
    const bad = createEvent({
      topic: 'orders',
      type: 'nes.order.placed.v1',
      source: 's',
      key: 'k',
      data: { n: 2 },
    }).event;
    const signal = new AbortController().signal;
    await deliverRecord(record(encodeEvent(other)), pipeline, signal);
    await deliverRecord(record(encodeEvent(bad)), pipeline, signal);
    await deliverRecord(record(encodeEvent(event)), pipeline, signal);
    expect(handled).toEqual([event.id]);
    expect(deadLetters.map((d) => d.event.dlqreason)).toEqual([
      'unknown-type: nes.order.voided.v1',
      'invalid-data: n must be 1',
    ]);
  });

  it('returns aborted, without dead-lettering, when stopped between retries', async () => {
    const controller = new AbortController();
    const { pipeline, deadLetters } = setup(() => {
      controller.abort();
      return Promise.reject(new Error('interrupted'));
    });
    expect(await deliverRecord(record(encodeEvent(event)), pipeline, controller.signal)).toBe(
      'aborted',
    );
    expect(deadLetters).toEqual([]);
  });

  it('propagates a dead-letter failure so the offset is not committed', async () => {
    const { pipeline } = setup(() => Promise.reject(new Error('x')), {
      deadLetter: () => Promise.reject(new Error('broker down')),
    });
    await expect(
      deliverRecord(record(encodeEvent(event)), pipeline, new AbortController().signal),
    ).rejects.toThrow('broker down');
  });
});
