import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

import {
  BandEnrolled,
  BandStateChanged,
  CredentialRefused,
  CredentialReleased,
  CredentialUpdated,
} from './gen/nes/credential/v1/events.js';
import {
  PasswordChanged,
  UserDeleted,
  UserStateChanged,
  UserSynced,
} from './gen/nes/directory/v1/events.js';
import {
  ClientCreated,
  ClientDeleted,
  ClientUpdated,
  CrtCreated,
  CrtDeleted,
  CrtRevoked,
  CrtUpdated,
} from './gen/nes/registration/v1/events.js';
import { TapAuthenticated, TapRejected } from './gen/nes/tap/v1/events.js';
import { TelemetryEvent } from './gen/nes/telemetry/v1/events.js';
import { topics, type Producer, type Topic } from './topics.js';

/**
 * The part of a ts-proto message object (`CrtCreated`, `TapRejected`, …) the
 * event bus uses: proto3 JSON for CloudEvents `data`, binary for compact
 * storage. Methods rather than function properties, so that a definition for
 * one payload stays assignable to a catalog typed over `unknown`.
 */
export interface PayloadCodec<P> {
  /** Fully qualified proto message name, e.g. `nes.registration.v1.ClientCreated`. */
  readonly $type: string;
  /** Lenient proto3 JSON reader (ts-proto); see `parseEventData` for the strict one. */
  fromJSON(object: unknown): P;
  /** proto3 JSON writer: lowerCamelCase keys, enum names, int64 as strings, RFC 3339 times. */
  toJSON(message: P): unknown;
  encode(message: P, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): P;
}

/** Everything NES knows about one CloudEvents `type`. */
export interface EventDefinition<P, T extends Topic = Topic> {
  /** Topic the producer publishes it on. */
  readonly topic: T;
  /** Service that produces it. */
  readonly producer: Producer;
  /** Codec of the payload message. */
  readonly codec: PayloadCodec<P>;
  /**
   * Whether analysts find it on nes.audit.v1: published there directly, or
   * republished there by the telemetry service.
   */
  readonly audited: boolean;
  /**
   * Partition key (events with the same key keep their order). Returns '' when
   * the payload lacks its key field; `toEventData` and `parseEventData` refuse
   * such payloads.
   */
  key(payload: P): string;
}

function defineEvent<P, T extends Topic>(definition: EventDefinition<P, T>): EventDefinition<P, T> {
  return definition;
}

/** The first non-empty value; proto3 leaves absent strings as ''. */
function firstNonEmpty(...values: readonly (string | undefined)[]): string {
  return values.find((value) => value !== undefined && value !== '') ?? '';
}

const registration = {
  topic: topics.registration,
  producer: 'registration',
  audited: true,
} as const;
const directory = { topic: topics.directory, producer: 'directory-sync' } as const;
const credential = {
  topic: topics.credential,
  producer: 'credential-vault',
  audited: true,
} as const;
const tap = { topic: topics.tap, producer: 'edge-gateway', audited: true } as const;

/**
 * Every event NES publishes: CloudEvents `type` → topic, producer, payload
 * codec and partition key. The single source of truth for the event bus
 * (validation, routing) and for the AsyncAPI document.
 *
 * Keys: CRT id or client id on nes.registration.v1, user GUID on
 * nes.directory.v1 and nes.credential.v1 (a refusal before any user was known
 * falls back to the client id), band id on nes.tap.v1, host id on nes.audit.v1
 * (falling back to the client id for telemetry from a host that sent none).
 */
export const eventCatalog = Object.freeze({
  'nes.crt.created.v1': defineEvent({
    ...registration,
    codec: CrtCreated,
    key: (p) => firstNonEmpty(p.crt?.id),
  }),
  'nes.crt.updated.v1': defineEvent({
    ...registration,
    codec: CrtUpdated,
    key: (p) => firstNonEmpty(p.crt?.id),
  }),
  'nes.crt.revoked.v1': defineEvent({
    ...registration,
    codec: CrtRevoked,
    key: (p) => firstNonEmpty(p.crt?.id),
  }),
  'nes.crt.deleted.v1': defineEvent({
    ...registration,
    codec: CrtDeleted,
    key: (p) => firstNonEmpty(p.crt?.id),
  }),
  'nes.client.created.v1': defineEvent({
    ...registration,
    codec: ClientCreated,
    key: (p) => firstNonEmpty(p.client?.clientId),
  }),
  'nes.client.updated.v1': defineEvent({
    ...registration,
    codec: ClientUpdated,
    key: (p) => firstNonEmpty(p.client?.clientId),
  }),
  'nes.client.deleted.v1': defineEvent({
    ...registration,
    codec: ClientDeleted,
    key: (p) => firstNonEmpty(p.client?.clientId),
  }),
  // Routine attribute syncs stay off the audit topic: they are frequent and
  // say nothing an auditor needs that the state and password events don't.
  'nes.directory.user-synced.v1': defineEvent({
    ...directory,
    audited: false,
    codec: UserSynced,
    key: (p) => firstNonEmpty(p.user?.guid),
  }),
  'nes.directory.user-state-changed.v1': defineEvent({
    ...directory,
    audited: true,
    codec: UserStateChanged,
    key: (p) => firstNonEmpty(p.user?.guid),
  }),
  'nes.directory.user-deleted.v1': defineEvent({
    ...directory,
    audited: true,
    codec: UserDeleted,
    key: (p) => firstNonEmpty(p.user?.guid),
  }),
  'nes.directory.password-changed.v1': defineEvent({
    ...directory,
    audited: true,
    codec: PasswordChanged,
    key: (p) => firstNonEmpty(p.user?.guid),
  }),
  'nes.credential.band-enrolled.v1': defineEvent({
    ...credential,
    codec: BandEnrolled,
    key: (p) => firstNonEmpty(p.band?.userGuid),
  }),
  'nes.credential.band-state-changed.v1': defineEvent({
    ...credential,
    codec: BandStateChanged,
    key: (p) => firstNonEmpty(p.band?.userGuid),
  }),
  'nes.credential.updated.v1': defineEvent({
    ...credential,
    codec: CredentialUpdated,
    key: (p) => firstNonEmpty(p.userGuid),
  }),
  'nes.credential.released.v1': defineEvent({
    ...credential,
    codec: CredentialReleased,
    key: (p) => firstNonEmpty(p.userGuid),
  }),
  'nes.credential.refused.v1': defineEvent({
    ...credential,
    codec: CredentialRefused,
    key: (p) => firstNonEmpty(p.userGuid, p.clientId),
  }),
  'nes.tap.authenticated.v1': defineEvent({
    ...tap,
    codec: TapAuthenticated,
    key: (p) => firstNonEmpty(p.bandId),
  }),
  'nes.tap.rejected.v1': defineEvent({
    ...tap,
    codec: TapRejected,
    key: (p) => firstNonEmpty(p.bandId),
  }),
  'nes.audit.telemetry.v1': defineEvent({
    topic: topics.audit,
    producer: 'telemetry',
    audited: true,
    codec: TelemetryEvent,
    key: (p) => firstNonEmpty(p.hostId, p.clientId),
  }),
});

/** The catalog's type, for libraries that take it as a parameter. */
export type EventCatalog = typeof eventCatalog;

/** A CloudEvents `type` NES publishes, e.g. `'nes.client.created.v1'`. */
export type EventType = keyof EventCatalog;

/** The payload message of event type `T` (e.g. `ClientCreated` for `'nes.client.created.v1'`). */
export type EventPayload<T extends EventType> = ReturnType<EventCatalog[T]['codec']['fromJSON']>;

/** The topic event type `T` is published on. */
export type EventTopic<T extends EventType> = EventCatalog[T]['topic'];

/** The event types published on topic `Tp` (what a consumer of `Tp` must handle). */
export type EventTypeOnTopic<Tp extends Topic> = {
  [K in EventType]: EventTopic<K> extends Tp ? K : never;
}[EventType];

/** Every event type, in catalog order. */
export const eventTypes = Object.freeze(Object.keys(eventCatalog) as EventType[]);

/** Narrows a string (e.g. a received CloudEvents `type`) to a known event type. */
export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventCatalog, value);
}

/**
 * The definition of `type`, typed by its payload. The one place the pairing
 * of a generic key with its own entry is asserted: TypeScript cannot follow
 * that correlation through an indexed access on a type parameter.
 */
export function eventDefinition<T extends EventType>(
  type: T,
): EventDefinition<EventPayload<T>, EventTopic<T>> {
  return eventCatalog[type] as unknown as EventDefinition<EventPayload<T>, EventTopic<T>>;
}
