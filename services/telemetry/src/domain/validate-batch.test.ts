import { describe, expect, it } from 'vitest';
import { parseUtcTimestamp } from './device-event.js';
import { validateBatch } from './validate-batch.js';

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: 'e-1',
    eventType: 'TapAuthentication',
    eventTime: '2025-10-20T22:54:16.365Z',
    category: 'Audit',
    subCategory: 'Authentication',
    producer: 'NCA',
    severity: 'Information',
    ...overrides,
  };
}

describe('validateBatch', () => {
  it('accepts a minimal event and fills defaults', () => {
    const result = validateBatch({ events: [event()] }, 10);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events[0]).toMatchObject({
      userId: '',
      totalElapsedMs: 0,
      eventTime: new Date('2025-10-20T22:54:16.365Z'),
    });
  });

  it('upper-cases BLE MAC authenticators and checks them', () => {
    const ok = validateBatch(
      { events: [event({ authenticatorId: 'ble_mac_0a:1b:2c:3d:4e:5f' })] },
      10,
    );
    expect(ok.ok && ok.events[0]?.authenticatorId).toBe('BLE_MAC_0A:1B:2C:3D:4E:5F');
    const bad = validateBatch({ events: [event({ authenticatorId: 'BLE_MAC_zz' })] }, 10);
    expect(bad.ok).toBe(false);
    const nfc = validateBatch({ events: [event({ authenticatorId: 'NFC_3B8F7E2100' })] }, 10);
    expect(nfc.ok && nfc.events[0]?.authenticatorId).toBe('NFC_3B8F7E2100');
  });

  it('reports batch-level problems before looking at events', () => {
    expect(validateBatch([], 10)).toMatchObject({ ok: false, problem: { kind: 'not_a_batch' } });
    expect(validateBatch({ events: [], extra: 1 }, 10)).toMatchObject({
      problem: { kind: 'not_a_batch' },
    });
    expect(validateBatch({ events: [] }, 10)).toMatchObject({ problem: { kind: 'empty' } });
    expect(validateBatch({ events: [event(), event()] }, 1)).toMatchObject({
      problem: { kind: 'too_many' },
    });
  });

  it('lists every invalid event with index, event id and field', () => {
    const result = validateBatch(
      {
        events: [
          event({ eventId: 'a' }),
          event({ eventId: 'b', clientName: 'spoof', eventTime: 'yesterday' }),
          event({ eventId: 'a' }),
        ],
      },
      10,
    );
    expect(result).toMatchObject({ ok: false, invalidEvents: 2 });
    if (result.ok || !('issues' in result)) return;
    expect(result.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, eventId: 'b', field: '/clientName' }),
        expect.objectContaining({ index: 1, eventId: 'b', field: '/eventTime' }),
        expect.objectContaining({ index: 2, eventId: 'a', field: '/eventId' }),
      ]),
    );
  });

  it('bounds every string', () => {
    const result = validateBatch({ events: [event({ details: 'x'.repeat(4001) })] }, 10);
    expect(result).toMatchObject({ ok: false, invalidEvents: 1 });
  });
});

describe('parseUtcTimestamp', () => {
  it('accepts UTC ISO-8601 with Z and up to nine fraction digits', () => {
    expect(parseUtcTimestamp('2025-10-20T22:54:16Z')?.toISOString()).toBe(
      '2025-10-20T22:54:16.000Z',
    );
    expect(parseUtcTimestamp('2025-10-20T22:54:16.123456789Z')?.getUTCMilliseconds()).toBe(123);
  });

  it('refuses offsets, spaces, impossible dates and far years', () => {
    for (const text of [
      '2025-10-20T22:54:16+00:00',
      '2025-10-20 22:54:16Z',
      '2025-10-20',
      '2025-02-29T00:00:00Z',
      '2025-10-20T24:00:00Z',
      '1999-12-31T23:59:59Z',
      '2025-10-20T22:54:t6.365Z',
    ]) {
      expect(parseUtcTimestamp(text), text).toBeUndefined();
    }
  });
});
