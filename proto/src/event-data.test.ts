import { describe, expect, it } from 'vitest';

import {
  directoryV1,
  EventDataError,
  parseEventData,
  registrationV1,
  tapV1,
  toEventData,
} from './index.js';

const USER_SYNCED = 'nes.directory.user-synced.v1';

function userSynced(user: Partial<directoryV1.User>): directoryV1.UserSynced {
  return directoryV1.UserSynced.fromPartial({ user, changedFields: ['state'] });
}

/** Runs `fn` and returns what it threw, failing the test if it threw nothing else. */
function thrown(fn: () => unknown): EventDataError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EventDataError);
    return error as EventDataError;
  }
  throw new Error('expected an EventDataError');
}

describe('toEventData', () => {
  it('writes proto3 JSON: camelCase keys, enum names, int64 strings, RFC 3339 times, no defaults', () => {
    const data = toEventData(
      USER_SYNCED,
      userSynced({
        guid: 'g-1',
        state: directoryV1.UserState.PASSWORD_EXPIRED,
        usnChanged: 9_223_372_036_854_775_807n,
        pwdLastSet: new Date('2026-01-02T03:04:05.678Z'),
      }),
    );
    expect(data).toEqual({
      user: {
        guid: 'g-1',
        state: 'USER_STATE_PASSWORD_EXPIRED',
        usnChanged: '9223372036854775807',
        pwdLastSet: '2026-01-02T03:04:05.678Z',
      },
      changedFields: ['state'],
    });
  });

  it('refuses a payload without its key', () => {
    const error = thrown(() => toEventData(USER_SYNCED, userSynced({ samAccountName: 'alice' })));
    expect(error.code).toBe('EVENT_DATA_INVALID');
    expect(error.eventType).toBe(USER_SYNCED);
    expect(error.message).toMatch(/partition key/);
  });

  it('refuses an invalid Date, which has no RFC 3339 form', () => {
    const error = thrown(() =>
      toEventData(USER_SYNCED, userSynced({ guid: 'g-1', observedAt: new Date(Number.NaN) })),
    );
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it('refuses an enum value outside the schema', () => {
    const error = thrown(() =>
      toEventData(
        USER_SYNCED,
        userSynced({ guid: 'g-1', state: directoryV1.UserState.UNRECOGNIZED }),
      ),
    );
    expect(error.message).toMatch(/UserState/);
  });
});

describe('parseEventData', () => {
  it('reads proto field names as well as JSON names', () => {
    const payload = parseEventData('nes.tap.rejected.v1', {
      band_id: '00:1A:7D:DA:71:13',
      reason: 'TAP_REJECTION_REASON_NONCE_REPLAYED',
      average_rssi: -38,
      rejected_at: '2026-11-28T10:15:30.123+01:00',
    });
    expect(payload.bandId).toBe('00:1A:7D:DA:71:13');
    expect(payload.reason).toBe(tapV1.TapRejectionReason.NONCE_REPLAYED);
    expect(payload.averageRssi).toBe(-38);
    expect(payload.rejectedAt?.toISOString()).toBe('2026-11-28T09:15:30.123Z');
  });

  it('ignores fields and enum names from a newer producer', () => {
    const payload = parseEventData('nes.tap.rejected.v1', {
      bandId: 'b-1',
      reason: 'TAP_REJECTION_REASON_INVENTED_LATER',
      addedInAFutureVersion: { nested: true },
    });
    expect(payload.bandId).toBe('b-1');
    expect(payload.reason).toBe(tapV1.TapRejectionReason.UNRECOGNIZED);
    expect(payload).not.toHaveProperty('addedInAFutureVersion');
  });

  it.each([
    ['a JSON array', []],
    ['null', null],
    ['a string field given a number', { user: { guid: 42 } }],
    ['an int64 out of range', { user: { guid: 'g', usnChanged: '9223372036854775808' } }],
    ['a timestamp that is not RFC 3339', { user: { guid: 'g', observedAt: 'yesterday' } }],
    ['a repeated field given a scalar', { user: { guid: 'g' }, changedFields: 'state' }],
    ['no key field', { user: { samAccountName: 'alice' } }],
  ])('refuses %s', (_case, data) => {
    expect(() => parseEventData(USER_SYNCED, data)).toThrow(EventDataError);
  });

  it('bounds the reason it reports', () => {
    const error = thrown(() =>
      parseEventData(USER_SYNCED, { user: { guid: 'g', observedAt: 'x'.repeat(5000) } }),
    );
    expect(error.message.length).toBeLessThan(600);
  });

  it('keeps a client snapshot intact through JSON, public jwks included', () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'abc', y: 'def' }] });
    const payload = registrationV1.ClientCreated.fromPartial({
      client: { clientId: 'c-1', scopes: ['nymi-connect'], jwks },
      clientIp: '2001:db8::1',
    });
    const data = toEventData('nes.client.created.v1', payload);
    expect(parseEventData('nes.client.created.v1', data)).toEqual(payload);
  });
});
