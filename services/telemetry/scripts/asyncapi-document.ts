/**
 * Builds NES' AsyncAPI 3 document from the single source of truth: the
 * events catalog and the compiled proto descriptors of @nes/proto. Every
 * topic becomes a channel, every CloudEvents type a message whose payload is
 * the CloudEvents envelope with `data` = the JSON Schema of the proto3 JSON
 * mapping of its payload message. `asyncapi.yaml` is this function's output;
 * a test fails when the committed file drifts from it.
 *
 *   pnpm --filter @nes/telemetry asyncapi     # rewrite asyncapi.yaml
 */
import type { DescEnum, DescField, DescMessage } from '@bufbuild/protobuf';
import { ScalarType } from '@bufbuild/protobuf';
import {
  eventDefinition,
  eventTypes,
  messageDescriptor,
  topics,
  type EventType,
  type Topic,
} from '@nes/proto';
import { stringify } from 'yaml';

type Schema = Record<string, unknown>;

const TIMESTAMP = 'google.protobuf.Timestamp';

/** Component keys must match ^[a-zA-Z0-9.\-_]+$: a full proto name does. */
function schemaName(typeName: string): string {
  return typeName;
}

function scalarSchema(scalar: ScalarType): Schema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64' };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: 'number' };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return {
        type: 'string',
        pattern: '^-?[0-9]+$',
        description: '64-bit integer (proto3 JSON: a string)',
      };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return {
        type: 'string',
        pattern: '^[0-9]+$',
        description: '64-bit unsigned integer (proto3 JSON: a string)',
      };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', minimum: 0, maximum: 4294967295 };
    default:
      return { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
  }
}

function enumSchema(descriptor: DescEnum): Schema {
  return {
    type: 'string',
    enum: descriptor.values.map((value) => value.name),
    'x-proto-enum': descriptor.typeName,
  };
}

/** Collects the schemas of `message` and every message it uses into `into`. */
function collect(message: DescMessage, into: Map<string, Schema>): void {
  if (message.typeName === TIMESTAMP || into.has(message.typeName)) return;
  into.set(message.typeName, {});
  const properties: Record<string, Schema> = {};
  for (const field of message.fields) properties[field.jsonName] = fieldSchema(field, into);
  into.set(message.typeName, {
    type: 'object',
    'x-proto-message': message.typeName,
    description: `proto3 JSON of ${message.typeName}. Fields at their default value may be absent; readers ignore fields they do not know.`,
    properties,
  });
}

function messageRef(message: DescMessage, into: Map<string, Schema>): Schema {
  if (message.typeName === TIMESTAMP) {
    return { type: 'string', format: 'date-time', description: 'RFC 3339, UTC' };
  }
  collect(message, into);
  return { $ref: `#/components/schemas/${schemaName(message.typeName)}` };
}

function fieldSchema(field: DescField, into: Map<string, Schema>): Schema {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarSchema(field.scalar);
    case 'enum':
      return enumSchema(field.enum);
    case 'message':
      return messageRef(field.message, into);
    case 'list': {
      const items =
        field.listKind === 'scalar'
          ? scalarSchema(field.scalar)
          : field.listKind === 'enum'
            ? enumSchema(field.enum)
            : messageRef(field.message, into);
      return { type: 'array', items };
    }
    case 'map': {
      const values =
        field.mapKind === 'scalar'
          ? scalarSchema(field.scalar)
          : field.mapKind === 'enum'
            ? enumSchema(field.enum)
            : messageRef(field.message, into);
      return { type: 'object', additionalProperties: values };
    }
  }
}

/** `nes.client.created.v1` → `nesClientCreatedV1` (ids for components and operations). */
function camel(text: string): string {
  return text
    .split(/[.-]/)
    .filter(Boolean)
    .map((part, i) => (i === 0 ? part : `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`))
    .join('');
}

const KEYS: Record<Topic, string> = {
  [topics.registration]: 'CRT id (nes.crt.*) or client id (nes.client.*)',
  [topics.tap]: 'band id',
  [topics.credential]: 'user GUID (a refusal before any user was known: the client id)',
  [topics.directory]: 'user GUID',
  [topics.audit]:
    'host id (Android id) for nes.audit.telemetry.v1, else the client id; republished events keep their original key',
};

const TOPIC_DESCRIPTIONS: Record<Topic, string> = {
  [topics.registration]:
    'Client registration tokens (CRTs) and registered clients, produced by registration.',
  [topics.tap]: 'Tap outcomes, produced by edge-gateway.',
  [topics.credential]:
    'Band enrollment and credential vault activity, produced by credential-vault.',
  [topics.directory]: 'Directory observations (Active Directory), produced by directory-sync.',
  [topics.audit]:
    "The analysts' topic, produced by telemetry: device telemetry (nes.audit.telemetry.v1) and every audited event of the other topics, republished unchanged (same id, type, source, subject, time, key and data).",
};

function envelope(type: EventType, payloadRef: Schema): Schema {
  return {
    type: 'object',
    description: `CloudEvents 1.0 structured-mode envelope of ${type}.`,
    required: [
      'specversion',
      'id',
      'source',
      'type',
      'time',
      'datacontenttype',
      'partitionkey',
      'data',
    ],
    properties: {
      specversion: { type: 'string', const: '1.0' },
      id: { type: 'string', format: 'uuid', description: 'UUIDv7; consumers de-duplicate on it' },
      source: {
        type: 'string',
        maxLength: 256,
        description: 'The producing service, e.g. nes/registration',
      },
      type: { type: 'string', const: type },
      subject: { type: 'string', maxLength: 512 },
      time: { type: 'string', format: 'date-time' },
      datacontenttype: { type: 'string', const: 'application/json' },
      traceparent: {
        type: 'string',
        pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
        description: 'W3C trace context',
      },
      partitionkey: {
        type: 'string',
        maxLength: 256,
        description: 'The Kafka key (CloudEvents partitioning extension)',
      },
      dlqreason: { type: 'string', description: 'Dead letters only: why' },
      dlqattempts: { type: 'integer', description: 'Dead letters only: tries made' },
      dlqgroup: { type: 'string', description: 'Dead letters only: the consumer group' },
      dlqtopic: { type: 'string', description: 'Dead letters only: the original topic' },
      data: payloadRef,
    },
  };
}

/** The whole document, as a plain object. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const schemas = new Map<string, Schema>();
  const messages: Record<string, unknown> = {};
  const byTopic = new Map<string, string[]>();
  const audit: string[] = [];
  for (const type of eventTypes) {
    const definition = eventDefinition(type);
    const payload = messageRef(messageDescriptor(definition.codec.$type), schemas);
    const id = camel(type);
    schemas.set(`${id}Envelope`, envelope(type, payload));
    messages[id] = {
      name: type,
      title: type,
      summary: `${definition.codec.$type} from ${definition.producer}${definition.audited ? '; on nes.audit.v1 for analysts' : ''}`,
      contentType: 'application/cloudevents+json',
      payload: { $ref: `#/components/schemas/${id}Envelope` },
      bindings: {
        kafka: {
          key: { type: 'string', description: KEYS[definition.topic] },
          bindingVersion: '0.5.0',
        },
      },
    };
    byTopic.set(definition.topic, [...(byTopic.get(definition.topic) ?? []), id]);
    if (definition.audited && definition.topic !== topics.audit) audit.push(id);
  }
  byTopic.set(topics.audit, [...(byTopic.get(topics.audit) ?? []), ...audit]);

  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topic of Object.values(topics)) {
    const ids = byTopic.get(topic) ?? [];
    const channelId = camel(topic);
    const channelMessages = Object.fromEntries(
      ids.map((id) => [id, { $ref: `#/components/messages/${id}` }]),
    );
    channels[channelId] = {
      address: topic,
      title: topic,
      description: TOPIC_DESCRIPTIONS[topic],
      messages: channelMessages,
    };
    channels[`${channelId}Dlq`] = {
      address: `${topic}.dlq`,
      title: `${topic}.dlq`,
      description: `Dead letters of ${topic}: the original envelope unchanged plus dlqreason, dlqattempts, dlqgroup and dlqtopic (events that were not valid envelopes arrive as nes.bus.invalid-envelope.v1).`,
      messages: channelMessages,
    };
    operations[`publish${channelId[0]?.toUpperCase() ?? ''}${channelId.slice(1)}`] = {
      action: 'send',
      title: `NES publishes on ${topic}`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: ids.map((id) => ({ $ref: `#/channels/${channelId}/messages/${id}` })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'NES events',
      version: '1.0.0',
      description:
        'Every topic NES publishes and its payloads: CloudEvents 1.0 structured JSON whose data is the proto3 JSON of a message of @nes/proto. Generated from proto/ by services/telemetry/scripts/asyncapi-document.ts; do not edit by hand.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      kafka: {
        host: 'kafka:9092',
        protocol: 'kafka',
        description: "The deployment's Kafka cluster (keys give per-entity order).",
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas: Object.fromEntries([...schemas.entries()].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

/** The document as YAML, with its header comment. */
export function renderAsyncApiYaml(): string {
  return `# Generated from proto/ (the events catalog and the compiled descriptors) by\n# services/telemetry/scripts/asyncapi-document.ts. Do not edit: run\n# \`pnpm --filter @nes/telemetry asyncapi\`; a test fails when this file drifts.\n${stringify(buildAsyncApiDocument(), { lineWidth: 100, aliasDuplicateObjects: false })}`;
}
