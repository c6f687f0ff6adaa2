import { catalogRejection, nesCatalog, nesEvent, type CloudEvent } from '@nes/bus';
import { commonV1, parseEventData, registrationV1, telemetryV1, type EventType } from '@nes/proto';
import { describe, expect, it } from 'vitest';
import { readAuditEvent } from './read-audit-event.js';

/**
 * What the projection made of an event before it read telemetry itself: the
 * catalog's check, then the catalog's reader.
 */
function throughCatalog(event: CloudEvent) {
  const rejection = catalogRejection(nesCatalog, event);
  return rejection === undefined
    ? { event, payload: parseEventData(event.type as EventType, event.data) }
    : { rejection };
}

const telemetry = nesEvent(
  'nes.audit.telemetry.v1',
  telemetryV1.TelemetryEvent.fromPartial({
    hostId: 'a1b2c3',
    eventTime: new Date('2025-10-20T22:54:16.365Z'),
    severity: telemetryV1.LogLevel.WARNING,
    totalElapsedMs: 12,
  }),
  { source: 'nes/telemetry' },
).event;

const withData = (data: unknown): CloudEvent => ({ ...telemetry, data });

describe('readAuditEvent', () => {
  it('reads device telemetry and registration events as the catalog does', () => {
    const created = nesEvent(
      'nes.client.created.v1',
      registrationV1.ClientCreated.fromPartial({
        client: { clientId: 'c-1', createdAt: new Date('2026-01-01T00:00:00Z') },
        actor: { type: commonV1.ActorType.CLIENT, id: 'c-1' },
      }),
      { source: 'nes/registration' },
    ).event;
    // Telemetry in a form NES does not write goes through the catalog's own reader.
    const snakeCase = withData({ host_id: 'a1b2c3', total_elapsed_ms: '12' });
    for (const event of [telemetry, created, snakeCase]) {
      const read = readAuditEvent(event);
      expect(read).toStrictEqual(throughCatalog(event));
      expect(read).toHaveProperty('payload');
    }
  });

  it('refuses exactly what the catalog refuses, in its words', () => {
    const refused = [
      { ...telemetry, type: 'nes.mystery.v1' },
      withData({ hostId: 'a1b2c3', totalElapsedMs: -1 }),
      withData({ hostId: 'a1b2c3', severity: 'LOG_LEVEL_ERROR', level: 7.5 }),
      withData({ hostId: 'a1b2c3', host_id: 'a1b2c3' }),
      withData({ message: 'no key' }),
      withData([]),
    ];
    for (const event of refused) {
      const read = readAuditEvent(event);
      expect(read).toStrictEqual(throughCatalog(event));
      expect(read).toHaveProperty('rejection');
    }
  });
});
