/**
 * Kafka topics (and Postgres-bus channels) NES publishes on. A topic's name
 * carries the major version of its payloads: an incompatible change goes to a
 * new `.v2` topic, published beside `.v1` until every consumer has moved.
 */
export const topics = {
  /** CRT and client changes, keyed by CRT id or client id. */
  registration: 'nes.registration.v1',
  /** Tap outcomes, keyed by band id. */
  tap: 'nes.tap.v1',
  /** Band enrollment and credential vault activity, keyed by user GUID. */
  credential: 'nes.credential.v1',
  /** Directory observations, keyed by user GUID. */
  directory: 'nes.directory.v1',
  /** What analysts subscribe to: device telemetry and republished audit events. */
  audit: 'nes.audit.v1',
} as const;

/** One of the topic names in {@link topics}. */
export type Topic = (typeof topics)[keyof typeof topics];

/** NES services that produce events (the CloudEvents `source` names one). */
export const producers = [
  'registration',
  'directory-sync',
  'credential-vault',
  'edge-gateway',
  'telemetry',
] as const;

/** One of {@link producers}. */
export type Producer = (typeof producers)[number];
