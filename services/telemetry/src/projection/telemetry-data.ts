import { eventDefinition, telemetryV1 } from '@nes/proto';

type TelemetryEvent = telemetryV1.TelemetryEvent;

/** How a field's proto3 JSON value looks in the form the reader takes. */
type FieldKind = 'string' | 'time' | 'level' | 'uint32';

/**
 * Every field of the payload by its JSON name (ts-proto's property name):
 * the type makes a field added to the .proto fail to compile here until it
 * is listed.
 */
const FIELD_KINDS: {
  readonly [K in keyof TelemetryEvent]-?: TelemetryEvent[K] extends string
    ? 'string'
    : TelemetryEvent[K] extends Date | undefined
      ? 'time'
      : 'level' | 'uint32';
} = {
  eventType: 'string',
  eventTime: 'time',
  category: 'string',
  subCategory: 'string',
  producer: 'string',
  producerVersion: 'string',
  osType: 'string',
  hostId: 'string',
  userId: 'string',
  authenticatorId: 'string',
  secondaryAuthenticatorId: 'string',
  appProcessName: 'string',
  appUrl: 'string',
  appWindowTitle: 'string',
  totalElapsedMs: 'uint32',
  details: 'string',
  severity: 'level',
  level: 'level',
  message: 'string',
  exception: 'string',
  source: 'string',
  clientIp: 'string',
  clientId: 'string',
  clientName: 'string',
  appName: 'string',
  hostName: 'string',
  traceId: 'string',
  spanId: 'string',
  receivedAt: 'time',
  clientEventId: 'string',
};

// A Map: JSON names such as "__proto__" or "toString" must find nothing.
const FIELDS: ReadonlyMap<string, FieldKind> = new Map(Object.entries(FIELD_KINDS));

/** The LogLevel values by their proto3 JSON names. */
const LEVELS: ReadonlyMap<unknown, telemetryV1.LogLevel> = new Map(
  Object.values(telemetryV1.LogLevel)
    .filter(
      (value): value is telemetryV1.LogLevel =>
        typeof value === 'number' && value !== telemetryV1.LogLevel.UNRECOGNIZED,
    )
    .map((value) => [telemetryV1.logLevelToJSON(value), value]),
);

/** UTC with milliseconds: what ts-proto's writer (`Date.prototype.toISOString`) makes. */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** google.protobuf.Timestamp's lower bound (Date.UTC would read year 1 as 1901). */
const EARLIEST_TIME = Date.parse('0001-01-01T00:00:00Z');

const UINT32_MAX = 0xffff_ffff;

function readTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !ISO_TIME.test(value)) return undefined;
  // ts-proto's value. The catalog's parser takes every such time Date takes:
  // it parses the same string less its milliseconds (rolling February 30th
  // over alike) and bounds it to Timestamp's range, whose upper end no
  // four-digit year passes.
  const time = new Date(value);
  return time.getTime() >= EARLIEST_TIME ? time : undefined;
}

function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;
}

function readField(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case 'string':
      // Lone surrogates: the catalog's parser refuses strings that are not valid UTF-8.
      return typeof value === 'string' && value.isWellFormed() ? value : undefined;
    case 'time':
      return readTime(value);
    case 'level':
      return LEVELS.get(value);
    case 'uint32':
      return isUint32(value) ? value : undefined;
  }
}

/**
 * The payload of a `nes.audit.telemetry.v1` event read straight from its
 * `data`, when the data has the form NES' own writer gives it: JSON names,
 * strings, enum names, an integral number of milliseconds, times as
 * `toISOString` writes them, a partition key. That is the catalog's
 * conforming proto3 JSON parser's work at a fraction of its cost (the
 * projector's largest one), and the result is what `parseEventData` returns
 * for the same data. Anything else — proto field names, names this build
 * does not know, nulls, enum numbers, other time forms, values the catalog
 * refuses — is undefined: the caller leaves it to the catalog, which accepts
 * or refuses it exactly as before.
 */
export function readTelemetryData(data: unknown): TelemetryEvent | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const json = data as Readonly<Record<string, unknown>>;
  const payload = telemetryV1.TelemetryEvent.create();
  const fields = payload as unknown as Record<string, unknown>;
  for (const name of Object.keys(json)) {
    const kind = FIELDS.get(name);
    if (kind === undefined) return undefined;
    const value = readField(kind, json[name]);
    if (value === undefined) return undefined;
    fields[name] = value;
  }
  return eventDefinition('nes.audit.telemetry.v1').key(payload) === '' ? undefined : payload;
}
