import { parseEvent } from '@nes/bus';
import { commonV1, registrationV1, toEventData, telemetryV1 } from '@nes/proto';
import { describe, expect, it } from 'vitest';
import { isAudited, republication, telemetryEvent } from './events.js';

const payload = telemetryV1.TelemetryEvent.fromPartial({
  eventType: 'TapAuthentication',
  eventTime: new Date('2025-10-20T22:54:16.365Z'),
  category: 'Audit',
  subCategory: 'Authentication',
  producer: 'NCA',
  hostId: 'a1b2c3',
  clientId: 'c-1',
  userId: 'EXAMPLE\\jdoe',
  totalElapsedMs: 1234,
  severity: telemetryV1.LogLevel.ERROR,
  level: telemetryV1.LogLevel.WARNING,
  receivedAt: new Date('2025-10-20T22:54:17Z'),
  clientEventId: 'evt-1',
});

describe('telemetryEvent (the ingest fast path)', () => {
  it('writes exactly the data the strict toEventData would', () => {
    const { event, topic } = telemetryEvent(payload, undefined);
    expect(topic).toBe('nes.audit.v1');
    expect(event.data).toEqual(toEventData('nes.audit.telemetry.v1', payload));
  });

  it('builds a valid envelope keyed by host id (client id without one)', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { event } = telemetryEvent(payload, traceparent);
    const parsed = parseEvent(Buffer.from(JSON.stringify(event)));
    expect(parsed.ok).toBe(true);
    expect(event).toMatchObject({
      type: 'nes.audit.telemetry.v1',
      source: 'nes/telemetry',
      partitionkey: 'a1b2c3',
      time: '2025-10-20T22:54:16.365Z',
      traceparent,
    });
    const hostless = telemetryEvent({ ...payload, hostId: '' }, undefined);
    expect(hostless.event.partitionkey).toBe('c-1');
  });
});

describe('republication', () => {
  it('keeps the envelope and only changes the topic (dead-letter marks dropped)', () => {
    const event = {
      specversion: '1.0' as const,
      id: '0190a5f2-6c1e-7000-8000-000000000001',
      source: 'nes/registration',
      type: 'nes.client.created.v1',
      subject: 'c-1',
      time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json' as const,
      partitionkey: 'c-1',
      data: toEventData(
        'nes.client.created.v1',
        registrationV1.ClientCreated.fromPartial({
          client: { clientId: 'c-1' },
          actor: { type: commonV1.ActorType.CLIENT, id: 'c-1', display: 'x' },
        }),
      ),
    };
    const out = republication({ ...event, dlqreason: 'x', dlqattempts: 1 });
    expect(out).toEqual({ topic: 'nes.audit.v1', event });
  });

  it('follows the catalog for what is audited', () => {
    expect(isAudited('nes.client.created.v1')).toBe(true);
    expect(isAudited('nes.directory.user-synced.v1')).toBe(false);
    expect(isAudited('nes.unknown.v1')).toBe(false);
  });
});
