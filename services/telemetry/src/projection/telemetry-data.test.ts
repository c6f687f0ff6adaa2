import { parseEventData, telemetryV1 } from '@nes/proto';
import { describe, expect, it } from 'vitest';
import { telemetryEvent } from '../events.js';
import { readTelemetryData } from './telemetry-data.js';

const TYPE = 'nes.audit.telemetry.v1';

/** Every field set, as the ingest path builds the payload. */
const full = telemetryV1.TelemetryEvent.fromPartial({
  eventType: 'TapAuthentication',
  eventTime: new Date('2025-10-20T22:54:16.365Z'),
  category: 'Audit',
  subCategory: 'Authentication',
  producer: 'NCA',
  producerVersion: '3.0.1',
  osType: 'Android 14',
  hostId: 'a1b2c3',
  userId: 'EXAMPLE\\jdoe',
  authenticatorId: 'BLE_MAC_00:1A:7D:DA:71:13',
  secondaryAuthenticatorId: 'NFC_3B8F7E2100',
  appProcessName: 'chrome.exe',
  appUrl: 'https://intranet.example.com/login?q="x"',
  appWindowTitle: 'Anmeldung – Intranet 🔐',
  totalElapsedMs: 1234,
  details: 'line one\nline two\t"quoted"',
  severity: telemetryV1.LogLevel.ERROR,
  level: telemetryV1.LogLevel.WARNING,
  message: 'User authenticated with a tap',
  exception: 'java.lang.IllegalStateException: band lost\n\tat Tap.run(Tap.kt:42)',
  source: 'TapService',
  clientIp: '2001:db8::1',
  clientId: 'c-1',
  clientName: 'Pixel 7',
  appName: 'Nymi Connect',
  hostName: 'pixel-7',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  receivedAt: new Date('2025-10-20T22:54:17.001Z'),
  clientEventId: 'evt-1',
});

/** The `data` of the event NES writes for `payload`, as a consumer parses it off the wire. */
function written(payload: telemetryV1.TelemetryEvent): Record<string, unknown> {
  const { event } = telemetryEvent(payload, undefined);
  return JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>;
}

/** What the catalog makes of `data`: the payload it reads, or that it refuses it. */
function catalog(data: unknown): telemetryV1.TelemetryEvent | 'refused' {
  try {
    return parseEventData(TYPE, data);
  } catch {
    return 'refused';
  }
}

describe('readTelemetryData', () => {
  it('reads what NES writes exactly as the catalog does', () => {
    const payloads = [
      full,
      telemetryV1.TelemetryEvent.fromPartial({ hostId: 'h' }),
      telemetryV1.TelemetryEvent.fromPartial({ clientId: 'c', totalElapsedMs: 4_294_967_295 }),
      ...[1, 2, 3].map((level) => ({ ...full, severity: level, level })),
      { ...full, eventTime: new Date('0001-01-01T00:00:00.000Z') },
      { ...full, receivedAt: new Date('9999-12-31T23:59:59.999Z') },
    ];
    for (const payload of payloads) {
      const data = written(payload);
      const read = readTelemetryData(data);
      expect(read).toBeDefined();
      expect(read).toStrictEqual(catalog(data));
    }
  });

  it('reads times that Date rolls over (February 30th, 24:00) as the catalog does', () => {
    for (const time of ['2026-02-30T10:00:00.000Z', '2026-01-01T24:00:00.000Z']) {
      const data = { ...written(full), eventTime: time };
      expect(readTelemetryData(data)).toStrictEqual(catalog(data));
      expect(readTelemetryData(data)?.eventTime).toEqual(new Date(time));
    }
  });

  it('leaves every other form the catalog accepts to the catalog', () => {
    const base = written(full);
    const others: Record<string, unknown>[] = [
      { ...base, host_id: 'a1b2c3', hostId: undefined },
      { ...base, colour: 'blue' },
      { ...base, details: null },
      { ...base, severity: 3 },
      { ...base, severity: 'LOG_LEVEL_CRITICAL' },
      { ...base, totalElapsedMs: '1234' },
      { ...base, eventTime: '2025-10-20T22:54:16Z' },
      { ...base, eventTime: '2025-10-20T22:54:16.365123Z' },
      { ...base, eventTime: '2025-10-21T00:54:16.365+02:00' },
      // The catalog takes it; ts-proto reads an Invalid Date from it.
      { ...base, eventTime: '2026-01-01T24:00:00.500Z' },
    ].map((data) => JSON.parse(JSON.stringify(data)) as Record<string, unknown>);
    for (const data of others) {
      expect(catalog(data)).not.toBe('refused');
      expect(readTelemetryData(data)).toBeUndefined();
    }
  });

  it('never takes data the catalog refuses', () => {
    const base = written(full);
    const refused: unknown[] = [
      null,
      [],
      'data',
      { ...base, hostId: '', clientId: '' },
      { ...base, host_id: 'a1b2c3' },
      { ...base, message: 42 },
      { ...base, message: 'lone \ud800 surrogate' },
      { ...base, totalElapsedMs: -1 },
      { ...base, totalElapsedMs: 1.5 },
      { ...base, totalElapsedMs: 4_294_967_296 },
      { ...base, severity: true },
      { ...base, eventTime: '0000-12-31T23:59:59.999Z' },
      { ...base, eventTime: '2026-01-01T23:59:60.000Z' },
      { ...base, eventTime: '2026-13-01T00:00:00.000Z' },
      { ...base, receivedAt: 1_700_000_000_000 },
    ];
    for (const data of refused) {
      expect(catalog(data)).toBe('refused');
      expect(readTelemetryData(data)).toBeUndefined();
    }
  });

  it('agrees with the catalog on every field given any of a set of odd values', () => {
    const values: unknown[] = [
      null,
      true,
      0,
      -0,
      1,
      3,
      -1,
      1.5,
      2 ** 32,
      '',
      'x',
      '7',
      '\ud800',
      'LOG_LEVEL_ERROR',
      'LOG_LEVEL_UNSPECIFIED',
      'UNRECOGNIZED',
      '2025-10-20T22:54:16.365Z',
      '2025-10-20T22:54:16Z',
      '0000-01-01T00:00:00.000Z',
      '2025-02-29T00:00:00.000Z',
      [],
      {},
    ];
    const base = written(full);
    const names = Object.keys(full).flatMap((name) => [
      name,
      name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
    ]);
    let read = 0;
    for (const name of [...new Set(names)]) {
      for (const value of values) {
        const data = { ...base, [name]: value };
        const payload = readTelemetryData(data);
        if (payload === undefined) continue;
        read += 1;
        expect(payload, `${name}: ${JSON.stringify(value)}`).toStrictEqual(catalog(data));
      }
    }
    // Strings, enum names, counts and times each had values the reader took.
    expect(read).toBeGreaterThan(100);
  });
});
