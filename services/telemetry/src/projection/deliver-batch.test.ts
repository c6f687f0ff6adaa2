import {
  catalogRejection,
  createEvent,
  encodeEvent,
  nesCatalog,
  nesEvent,
  type CloudEvent,
  type OutgoingEvent,
} from '@nes/bus';
import { createLogger } from '@nes/kit';
import { parseEventData, telemetryV1 } from '@nes/proto';
import { describe, expect, it } from 'vitest';
import { deliverBatch, type BatchPipeline } from './deliver-batch.js';
import { readAuditEvent } from './read-audit-event.js';

const logger = createLogger({ service: 'test', level: 'silent' });

function telemetry(hostId: string): OutgoingEvent {
  return nesEvent(
    'nes.audit.telemetry.v1',
    telemetryV1.TelemetryEvent.fromPartial({ hostId, clientId: 'c', eventType: 't' }),
    { source: 'nes/telemetry' },
  );
}

function record(event: CloudEvent | Buffer, offset: number) {
  return {
    topic: 'nes.audit.v1',
    partition: 0,
    offset: String(offset),
    key: 'k',
    value: Buffer.isBuffer(event) ? event : encodeEvent(event),
  };
}

function pipeline(handle: BatchPipeline['handle'], dead: OutgoingEvent[]): BatchPipeline {
  return {
    group: 'g',
    read: readAuditEvent,
    maxEventBytes: 256 * 1024,
    maxAttempts: 2,
    backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 },
    handle,
    deadLetter: (events) => {
      dead.push(...events);
      return Promise.resolve();
    },
    keepAlive: () => Promise.resolve(),
    logger,
  };
}

describe('deliverBatch', () => {
  it('hands valid events to the handler in one call and dead-letters unusable records', async () => {
    const calls: string[][] = [];
    const dead: OutgoingEvent[] = [];
    const a = telemetry('a').event;
    const b = telemetry('b').event;
    const unknown = createEvent({
      topic: 'nes.audit.v1',
      type: 'nes.mystery.v1',
      source: 's',
      key: 'k',
      data: {},
    }).event;
    const outcome = await deliverBatch(
      [record(a, 1), record(Buffer.from('not json'), 2), record(unknown, 3), record(b, 4)],
      pipeline((events) => {
        calls.push(events.map((e) => e.event.id));
        return Promise.resolve();
      }, dead),
      new AbortController().signal,
    );
    expect(outcome).toBe('done');
    expect(calls).toEqual([[a.id, b.id]]);
    expect(dead.map((d) => d.topic)).toEqual(['nes.audit.v1.dlq', 'nes.audit.v1.dlq']);
    expect(dead.map((d) => d.event.type)).toEqual([
      'nes.bus.invalid-envelope.v1',
      'nes.mystery.v1',
    ]);
    expect(dead[1]?.event).toMatchObject({
      dlqreason: 'unknown-type: nes.mystery.v1',
      dlqgroup: 'g',
    });
  });

  it('hands the handler each payload as read for the catalog check, refusing what the catalog refuses', async () => {
    const good = telemetry('a').event;
    const bad = { ...telemetry('b').event, data: { hostId: 'b', totalElapsedMs: -1 } };
    const handled: unknown[] = [];
    const dead: OutgoingEvent[] = [];
    const outcome = await deliverBatch(
      [record(good, 1), record(bad, 2)],
      pipeline((events) => {
        handled.push(...events);
        return Promise.resolve();
      }, dead),
      new AbortController().signal,
    );
    expect(outcome).toBe('done');
    expect(handled).toEqual([
      { event: good, payload: parseEventData('nes.audit.telemetry.v1', good.data) },
    ]);
    expect(dead.map((d) => d.event.dlqreason)).toEqual([catalogRejection(nesCatalog, bad)]);
    expect(dead[0]?.event.dlqreason).toMatch(/^invalid-data: /);
  });

  it('splits a failing batch until the poison event is alone, and applies the rest', async () => {
    const events = ['a', 'b', 'poison', 'c', 'd'].map((h) => telemetry(h).event);
    const poison = events[2] as CloudEvent;
    const applied: string[] = [];
    const dead: OutgoingEvent[] = [];
    const outcome = await deliverBatch(
      events.map((e, i) => record(e, i)),
      pipeline((batch) => {
        if (batch.some((e) => e.event.id === poison.id)) {
          return Promise.reject(new Error('bad row'));
        }
        applied.push(...batch.map((e) => e.event.id));
        return Promise.resolve();
      }, dead),
      new AbortController().signal,
    );
    expect(outcome).toBe('done');
    expect(applied).toEqual(events.filter((e) => e !== poison).map((e) => e.id));
    expect(dead).toHaveLength(1);
    expect(dead[0]?.event).toMatchObject({ id: poison.id, dlqattempts: 2 });
    expect(String(dead[0]?.event.dlqreason)).toContain('handler-failed: Error: bad row');
  });

  it('retries outages until they end, never dead-lettering for them', async () => {
    // Refused, timed out under load (57014), connection lost, primary demoted (25006).
    const outages = [
      Object.assign(new Error('down'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('read-only transaction'), { code: '25006' }),
    ];
    let failures = 0;
    const dead: OutgoingEvent[] = [];
    const p = pipeline(() => {
      const outage = outages[failures];
      failures += 1;
      return outage === undefined ? Promise.resolve() : Promise.reject(outage);
    }, dead);
    const outcome = await deliverBatch(
      [record(telemetry('a').event, 1)],
      { ...p, outageBackoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } },
      new AbortController().signal,
    );
    expect(outcome).toBe('done');
    expect(failures).toBe(5);
    expect(dead).toEqual([]);
  });

  it('stops without committing when aborted', async () => {
    const controller = new AbortController();
    const outcome = await deliverBatch(
      [record(telemetry('a').event, 1)],
      pipeline(() => {
        controller.abort();
        return Promise.reject(new Error('interrupted'));
      }, []),
      controller.signal,
    );
    expect(outcome).toBe('aborted');
  });
});
