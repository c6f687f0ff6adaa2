/**
 * @nes/proto — the single source of truth for NES gRPC services and event
 * payloads.
 *
 * - One namespace per proto package, named after it and its version
 *   (`registrationV1.ClientCreated`, `healthV1.HealthClient`, …): the
 *   generated ts-proto code, messages with encode/decode/fromJSON/toJSON and
 *   grpc-js service definitions, servers' interfaces and clients.
 * - The events catalog (CloudEvents type → topic, codec, key) and strict
 *   helpers to turn payloads into CloudEvents `data` and back.
 */
export * as healthV1 from './gen/index.grpc.health.v1.js';
export * as commonV1 from './gen/index.nes.common.v1.js';
export * as registrationV1 from './gen/index.nes.registration.v1.js';
export * as directoryV1 from './gen/index.nes.directory.v1.js';
export * as credentialV1 from './gen/index.nes.credential.v1.js';
export * as tapV1 from './gen/index.nes.tap.v1.js';
export * as telemetryV1 from './gen/index.nes.telemetry.v1.js';

export { topics, producers, type Topic, type Producer } from './topics.js';
export {
  eventCatalog,
  eventDefinition,
  eventTypes,
  isEventType,
  type EventCatalog,
  type EventDefinition,
  type EventPayload,
  type EventTopic,
  type EventType,
  type EventTypeOnTopic,
  type PayloadCodec,
} from './events.js';
export { EventDataError, eventKey, parseEventData, toEventData } from './event-data.js';
export { messageDescriptor, protoRegistry } from './descriptor-registry.js';
