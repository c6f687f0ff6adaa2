import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  commonV1,
  credentialV1,
  directoryV1,
  eventCatalog,
  eventDefinition,
  eventKey,
  eventTypes,
  isEventType,
  messageDescriptor,
  parseEventData,
  registrationV1,
  tapV1,
  telemetryV1,
  toEventData,
  topics,
  type EventPayload,
  type EventType,
  type EventTypeOnTopic,
} from './index.js';

const at = new Date('2026-11-28T10:15:30.123Z');
const admin = commonV1.Actor.fromPartial({
  type: commonV1.ActorType.USER,
  id: '5f0c6a1e-4a8e-4c1b-9c51-0d2a7e9b1f00',
  display: 'EXAMPLE\\nesadmin',
});
const crt = registrationV1.ClientRegistrationToken.fromPartial({
  id: 'crt-1',
  title: 'Line 3 tablets',
  tokenHash: 'a'.repeat(64),
  scope: 'nymi-connect',
  expiresAt: at,
  maxClients: 10,
  status: registrationV1.CrtStatus.ACTIVE,
  createdBy: admin,
  createdAt: at,
});
const client = registrationV1.Client.fromPartial({
  clientId: 'client-1',
  name: 'SN123 mdm-uuid',
  scopes: ['nymi-connect'],
  osType: 'Android 14',
  crtId: 'crt-1',
  status: registrationV1.ClientStatus.ACTIVE,
  registrationType: registrationV1.RegistrationType.DYNAMIC,
  createdAt: at,
});
const user = directoryV1.User.fromPartial({
  guid: 'user-guid-1',
  domain: 'EXAMPLE',
  samAccountName: 'alice',
  state: directoryV1.UserState.ACTIVE,
  usnChanged: 9_007_199_254_740_993n,
  observedAt: at,
});
const band = credentialV1.Band.fromPartial({
  bandId: '00:1A:7D:DA:71:13',
  userGuid: 'user-guid-1',
  policyId: 'policy-1',
  state: credentialV1.BandState.ACTIVE,
  enrolledAt: at,
});

/**
 * One valid payload per event type. Typed as a mapped type over EventType,
 * so that adding an event to the catalog without a sample fails to compile.
 */
const samples: { [T in EventType]: EventPayload<T> } = {
  'nes.crt.created.v1': registrationV1.CrtCreated.fromPartial({ crt, actor: admin }),
  'nes.crt.updated.v1': registrationV1.CrtUpdated.fromPartial({
    crt,
    actor: admin,
    changedFields: ['title'],
  }),
  'nes.crt.revoked.v1': registrationV1.CrtRevoked.fromPartial({ crt, actor: admin }),
  'nes.crt.deleted.v1': registrationV1.CrtDeleted.fromPartial({ crt, actor: admin }),
  'nes.client.created.v1': registrationV1.ClientCreated.fromPartial({
    client,
    clientIp: '10.0.0.7',
    crtTokenHash: 'a'.repeat(64),
  }),
  'nes.client.updated.v1': registrationV1.ClientUpdated.fromPartial({
    client,
    actor: admin,
    changedFields: ['name'],
  }),
  'nes.client.deleted.v1': registrationV1.ClientDeleted.fromPartial({ client, actor: admin }),
  'nes.directory.user-synced.v1': directoryV1.UserSynced.fromPartial({ user, firstSeen: true }),
  'nes.directory.user-state-changed.v1': directoryV1.UserStateChanged.fromPartial({
    user,
    previousState: directoryV1.UserState.LOCKED,
  }),
  'nes.directory.user-deleted.v1': directoryV1.UserDeleted.fromPartial({ user }),
  'nes.directory.password-changed.v1': directoryV1.PasswordChanged.fromPartial({
    user,
    previousPwdLastSet: at,
  }),
  'nes.credential.band-enrolled.v1': credentialV1.BandEnrolled.fromPartial({ band, actor: admin }),
  'nes.credential.band-state-changed.v1': credentialV1.BandStateChanged.fromPartial({
    band,
    previousState: credentialV1.BandState.ACTIVE,
  }),
  'nes.credential.updated.v1': credentialV1.CredentialUpdated.fromPartial({
    userGuid: 'user-guid-1',
    clientId: 'client-1',
    tapId: 'tap-1',
    version: 2,
    reason: credentialV1.CredentialUpdateReason.PASSWORD_PROMPT,
  }),
  'nes.credential.released.v1': credentialV1.CredentialReleased.fromPartial({
    userGuid: 'user-guid-1',
    tapId: 'tap-1',
    bandId: '00:1A:7D:DA:71:13',
    clientId: 'client-1',
    endToEndEncrypted: true,
  }),
  'nes.credential.refused.v1': credentialV1.CredentialRefused.fromPartial({
    clientId: 'client-1',
    bandId: '00:1A:7D:DA:71:13',
    tapId: 'tap-1',
    reason: credentialV1.RefusalReason.TAP_INVALID,
  }),
  'nes.tap.authenticated.v1': tapV1.TapAuthenticated.fromPartial({
    tapId: 'tap-1',
    bandId: '00:1A:7D:DA:71:13',
    userGuid: 'user-guid-1',
    clientId: 'client-1',
    bridgeId: 'bridge-1',
    averageRssi: -40,
    thresholdRssi: -42,
    window: 10,
    authenticatedAt: at,
  }),
  'nes.tap.rejected.v1': tapV1.TapRejected.fromPartial({
    bandId: '00:1A:7D:DA:71:13',
    userGuid: 'user-guid-1',
    clientId: 'client-1',
    reason: tapV1.TapRejectionReason.FIRMWARE_UNSUPPORTED,
    detail: '4.11.1.2',
  }),
  'nes.audit.telemetry.v1': telemetryV1.TelemetryEvent.fromPartial({
    hostId: 'a1b2c3d4e5f60718',
    clientId: 'client-1',
    userId: 'example\\alice',
    eventType: 'TapAuthentication',
    eventTime: at,
    severity: telemetryV1.LogLevel.INFORMATION,
    totalElapsedMs: 850,
  }),
};

/** DESIGN.md's catalog: every type → [topic, payload message, key of its sample]. */
const expected: { [T in EventType]: readonly [topic: string, message: string, key: string] } = {
  'nes.crt.created.v1': ['nes.registration.v1', 'nes.registration.v1.CrtCreated', 'crt-1'],
  'nes.crt.updated.v1': ['nes.registration.v1', 'nes.registration.v1.CrtUpdated', 'crt-1'],
  'nes.crt.revoked.v1': ['nes.registration.v1', 'nes.registration.v1.CrtRevoked', 'crt-1'],
  'nes.crt.deleted.v1': ['nes.registration.v1', 'nes.registration.v1.CrtDeleted', 'crt-1'],
  'nes.client.created.v1': ['nes.registration.v1', 'nes.registration.v1.ClientCreated', 'client-1'],
  'nes.client.updated.v1': ['nes.registration.v1', 'nes.registration.v1.ClientUpdated', 'client-1'],
  'nes.client.deleted.v1': ['nes.registration.v1', 'nes.registration.v1.ClientDeleted', 'client-1'],
  'nes.directory.user-synced.v1': [
    'nes.directory.v1',
    'nes.directory.v1.UserSynced',
    'user-guid-1',
  ],
  'nes.directory.user-state-changed.v1': [
    'nes.directory.v1',
    'nes.directory.v1.UserStateChanged',
    'user-guid-1',
  ],
  'nes.directory.user-deleted.v1': [
    'nes.directory.v1',
    'nes.directory.v1.UserDeleted',
    'user-guid-1',
  ],
  'nes.directory.password-changed.v1': [
    'nes.directory.v1',
    'nes.directory.v1.PasswordChanged',
    'user-guid-1',
  ],
  'nes.credential.band-enrolled.v1': [
    'nes.credential.v1',
    'nes.credential.v1.BandEnrolled',
    'user-guid-1',
  ],
  'nes.credential.band-state-changed.v1': [
    'nes.credential.v1',
    'nes.credential.v1.BandStateChanged',
    'user-guid-1',
  ],
  'nes.credential.updated.v1': [
    'nes.credential.v1',
    'nes.credential.v1.CredentialUpdated',
    'user-guid-1',
  ],
  'nes.credential.released.v1': [
    'nes.credential.v1',
    'nes.credential.v1.CredentialReleased',
    'user-guid-1',
  ],
  'nes.credential.refused.v1': [
    'nes.credential.v1',
    'nes.credential.v1.CredentialRefused',
    'client-1',
  ],
  'nes.tap.authenticated.v1': ['nes.tap.v1', 'nes.tap.v1.TapAuthenticated', '00:1A:7D:DA:71:13'],
  'nes.tap.rejected.v1': ['nes.tap.v1', 'nes.tap.v1.TapRejected', '00:1A:7D:DA:71:13'],
  'nes.audit.telemetry.v1': ['nes.audit.v1', 'nes.telemetry.v1.TelemetryEvent', 'a1b2c3d4e5f60718'],
};

/** DESIGN.md's services table: who emits on each topic. */
const producerOfTopic = {
  'nes.registration.v1': 'registration',
  'nes.directory.v1': 'directory-sync',
  'nes.credential.v1': 'credential-vault',
  'nes.tap.v1': 'edge-gateway',
  'nes.audit.v1': 'telemetry',
} as const;

describe('eventCatalog', () => {
  it('holds exactly the event types of the design catalog', () => {
    expect([...eventTypes].sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(eventCatalog)).toHaveLength(19);
  });

  it.each(eventTypes)('%s: topic, producer and payload message are consistent', (type) => {
    const definition = eventDefinition(type);
    const [topic, message] = expected[type];
    expect(definition.topic).toBe(topic);
    expect(definition.producer).toBe(producerOfTopic[definition.topic]);
    expect(Object.values(topics)).toContain(definition.topic);
    expect(definition.codec.$type).toBe(message);
    expect(messageDescriptor(definition.codec.$type).typeName).toBe(definition.codec.$type);
  });

  it.each(eventTypes)('%s: the key comes from the payload', (type) => {
    expect(eventKey(type, samples[type])).toBe(expected[type][2]);
  });

  it.each(eventTypes)('%s: a payload without its key field has an empty key', (type) => {
    const empty = eventDefinition(type).codec.fromJSON({});
    expect(eventDefinition(type).key(empty)).toBe('');
  });

  it.each(eventTypes)('%s: proto3 JSON and binary round-trip', (type) => {
    const payload = samples[type];
    const { codec } = eventDefinition(type);
    const data = toEventData(type, payload);
    // What travels is plain JSON: it must survive stringify/parse unchanged.
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(parseEventData(type, JSON.parse(JSON.stringify(data)))).toEqual(payload);
    expect(codec.decode(codec.encode(payload).finish())).toEqual(payload);
  });

  it('sends every topic some event, and registration events to the audit topic', () => {
    const used = new Set(eventTypes.map((type) => eventCatalog[type].topic));
    expect([...used].sort()).toEqual(Object.values(topics).sort());
    expect(eventCatalog['nes.client.created.v1'].audited).toBe(true);
    expect(eventCatalog['nes.directory.user-synced.v1'].audited).toBe(false);
  });

  it('falls back to the client id when a refusal or telemetry has no user or host', () => {
    const refusal = credentialV1.CredentialRefused.fromPartial({ userGuid: 'u', clientId: 'c' });
    expect(eventKey('nes.credential.refused.v1', refusal)).toBe('u');
    const telemetry = telemetryV1.TelemetryEvent.fromPartial({ clientId: 'c' });
    expect(eventKey('nes.audit.telemetry.v1', telemetry)).toBe('c');
  });

  it('recognizes its own types only', () => {
    expect(isEventType('nes.tap.rejected.v1')).toBe(true);
    expect(isEventType('nes.tap.rejected.v2')).toBe(false);
    expect(isEventType('toString')).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(eventCatalog)).toBe(true);
  });
});

describe('catalog types', () => {
  /** Stands for a producer helper such as the event bus' publish(). */
  function publish<T extends EventType>(type: T, payload: EventPayload<T>): string {
    return eventKey(type, payload);
  }

  it('type-checks a payload against its event type', () => {
    expect(publish('nes.client.created.v1', samples['nes.client.created.v1'])).toBe('client-1');
    // @ts-expect-error a CRT payload is not a client payload
    expect(() => publish('nes.client.created.v1', samples['nes.crt.created.v1'])).toThrow();
    expectTypeOf<EventPayload<'nes.tap.rejected.v1'>>().toEqualTypeOf<tapV1.TapRejected>();
    expectTypeOf<EventTypeOnTopic<'nes.tap.v1'>>().toEqualTypeOf<
      'nes.tap.authenticated.v1' | 'nes.tap.rejected.v1'
    >();
  });

  it('fits the catalog shape @nes/bus consumes', () => {
    // A copy of the bus' EventCatalog shape: if this stops compiling, the bus
    // can no longer take eventCatalog as it is.
    type BusCatalog = {
      readonly [type: string]: {
        readonly topic: string;
        readonly codec: { fromJSON(json: unknown): unknown; toJSON(value: unknown): unknown };
        key(payload: unknown): string;
      };
    };
    const asBusCatalog: BusCatalog = eventCatalog;
    expect(asBusCatalog['nes.tap.rejected.v1']?.topic).toBe('nes.tap.v1');
  });
});
