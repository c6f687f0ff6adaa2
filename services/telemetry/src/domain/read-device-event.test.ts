import { describe, expect, it } from 'vitest';
import { deviceEvent } from '../../test/support/events.js';
import { deviceEventSchema } from './device-event.js';
import { DEVICE_EVENT_RULES, readDeviceEvent, type FieldRule } from './read-device-event.js';

/** Every field set, some in the forms the schema rewrites or must keep intact. */
const full = deviceEvent({
  authenticatorId: 'ble_mac_00:1a:7d:da:71:13',
  appUrl: 'https://intranet.example.com/login?q="x"',
  appWindowTitle: 'Anmeldung – Intranet 🔐',
  details: 'line one\nline two\t"quoted"',
  level: 'Warning',
  exception: 'java.lang.IllegalStateException: band lost\n\tat Tap.run(Tap.kt:42)',
});
/** Only the fields the schema requires. */
const minimal = Object.fromEntries(
  Object.entries(DEVICE_EVENT_RULES)
    .filter(([, rule]) => rule.presence === 'required')
    .map(([name]) => [name, full[name]]),
);

const WRONG_TYPES: unknown[] = [null, 0, 1, true, [], {}, ''];
const UNSAFE = [
  'a\u0000b',
  'a\nb',
  'a\tb',
  'a\rb',
  'x\u007F',
  '\u202Ex',
  '\u2066x',
  'x\uD800',
  '\uDC00',
];
const SAFE = ['plain', 'ümlaut – 漢字 🔐', ' spaced ', '"quoted" \\ back'];

/** Values that probe one rule: its limits, its characters, its formats. */
function valuesFor(rule: FieldRule): unknown[] {
  switch (rule.kind) {
    case 'line':
    case 'text':
      return [
        ...SAFE,
        ...UNSAFE,
        'a'.repeat(rule.max),
        'a'.repeat(rule.max + 1),
        '🔐'.repeat(Math.floor(rule.max / 2)),
      ];
    case 'userId':
      return [
        'EXAMPLE\\jdoe',
        'jdoe',
        'EXAMPLE\\',
        '\\jdoe',
        'EX AMPLE\\jdoe',
        'EXAMPLE\\j@doe',
        'EXAMPLE\\@jdoe',
        'EXAMPLEDOMAINNAME\\jdoe',
        `D\\${'u'.repeat(rule.max - 2)}`,
        `D\\${'u'.repeat(rule.max - 1)}`,
        `D\\${'u'.repeat(104)}`,
        ...UNSAFE,
      ];
    case 'authenticator':
      return [
        'BLE_MAC_00:1A:7D:DA:71:13',
        'ble_mac_0a:1b:2c:3d:4e:5f',
        'Ble_Mac_0a:1b:2c:3d:4e:5f',
        'BLE_MAC_zz',
        'BLE_MAC_00:1A:7D:DA:71',
        'NFC_3B8F7E2100',
        'nfc_3b8f7e2100',
        'RFID_7A45C923',
        'X_',
        'X_y',
        `NFC_${'A'.repeat(128)}`,
        `NFC_${'A'.repeat(129)}`,
        `ABCDEFGHIJKLMNOPQ_${'A'.repeat(rule.max)}`,
        'NFC_a b',
        ...UNSAFE,
      ];
    case 'eventId':
      return [
        'a',
        'a'.repeat(128),
        'a'.repeat(129),
        'with space',
        'ü',
        'a.b_c:d@e+f=g/h-i',
        ...UNSAFE,
      ];
    case 'time':
      return [
        '2025-10-20T22:54:16Z',
        '2025-10-20T22:54:16.123456789Z',
        '2025-10-20T22:54:16.1234567890Z',
        '2025-10-20T22:54:16.365+01:00',
        '2025-10-20T22:54:16.365',
        '2025-10-20',
        '2025-02-30T00:00:00Z',
        '2025-10-20T24:00:00Z',
        '1999-12-31T23:59:59Z',
        '2000-01-01T00:00:00Z',
        '2199-12-31T23:59:59.999Z',
        '2200-01-01T00:00:00Z',
        1_760_000_000_000,
      ];
    case 'severity':
      return ['Information', 'Warning', 'Error', 'information', 'Debug', 'ERROR'];
    case 'uint32':
      return [0, 1, 4_294_967_295, 4_294_967_296, -1, 1.5, '5', Number.NaN, Infinity, 2 ** 53];
  }
}

/** Every probe: the two base events, then each field absent, mistyped and at each of its values. */
function probes(): unknown[] {
  const all: unknown[] = [minimal, full, null, [], 'event', 1];
  for (const base of [minimal, full]) {
    for (const [name, rule] of Object.entries(DEVICE_EVENT_RULES)) {
      const { [name]: _removed, ...without } = base;
      all.push(without, { ...without, [name]: undefined });
      for (const value of [...WRONG_TYPES, ...valuesFor(rule)])
        all.push({ ...base, [name]: value });
    }
    all.push({ ...base, clientName: 'spoofed' }, { ...base, unknown: 1 });
    all.push({ ...JSON.parse('{"__proto__": {"x": 1}}'), ...base });
  }
  return all;
}

describe('readDeviceEvent', () => {
  const all = probes();

  it('accepts exactly what deviceEventSchema accepts, with its very output', () => {
    expect(all.length).toBeGreaterThan(500);
    let accepted = 0;
    for (const probe of all) {
      const fast = readDeviceEvent(probe);
      const schema = deviceEventSchema.safeParse(probe);
      const label = JSON.stringify(probe)?.slice(0, 200);
      expect(fast !== undefined, label).toBe(schema.success);
      if (fast === undefined || !schema.success) continue;
      accepted += 1;
      expect(fast, label).toStrictEqual(schema.data);
      expect(Object.keys(fast), label).toEqual(Object.keys(schema.data));
    }
    // Both sides of the comparison are exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(all.length - accepted).toBeGreaterThan(100);
  });

  it('normalises what the schema normalises and fills its defaults', () => {
    expect(readDeviceEvent(full)).toMatchObject({
      authenticatorId: 'BLE_MAC_00:1A:7D:DA:71:13',
      eventTime: new Date(full.eventTime as string),
    });
    const read = readDeviceEvent(minimal);
    expect(read).toMatchObject({ userId: '', totalElapsedMs: 0, exception: '', hostId: '' });
    expect(read !== undefined && 'level' in read).toBe(false);
  });
});
