import { isIP } from 'node:net';
import { telemetryV1 } from '@nes/proto';

/** One row of `telemetry.log` as the projection writes it. */
export interface LogRow {
  /** The CloudEvents id of the event the row was projected from. */
  readonly eventId: string;
  /** When NES recorded the event (received it). */
  readonly timestamp: Date;
  readonly severity: string;
  readonly level: string;
  readonly message: string;
  readonly exception: string | null;
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly source: string;
  /** The producing NES service (CloudEvents `source`), the guide's ServiceName. */
  readonly serviceName: string;
  readonly clientIp: string | null;
  /** The guide's Attributes JSON, with its attribute names. */
  readonly attributes: Readonly<Record<string, string | number>>;
  // Promoted out of the attributes for the indexes analysts query by (null when empty).
  readonly eventType: string | null;
  readonly eventTime: Date | null;
  readonly userId: string | null;
  readonly authenticatorId: string | null;
  readonly secondaryAuthenticatorId: string | null;
  readonly hostId: string | null;
  readonly clientId: string | null;
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  [telemetryV1.LogLevel.INFORMATION]: 'Information',
  [telemetryV1.LogLevel.WARNING]: 'Warning',
  [telemetryV1.LogLevel.ERROR]: 'Error',
};

/** The guide's name of a level; unknown values (a newer producer) read as Information. */
export function levelName(level: telemetryV1.LogLevel): string {
  return LEVEL_NAMES[level] ?? 'Information';
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}

/** The attribute names of the guide's Attributes JSON, and where each comes from. */
const ATTRIBUTES: readonly (readonly [string, keyof telemetryV1.TelemetryEvent])[] = [
  ['ClientName', 'clientName'],
  ['AppName', 'appName'],
  ['HostName', 'hostName'],
  ['OSType', 'osType'],
  ['EventType', 'eventType'],
  ['Category', 'category'],
  ['SubCategory', 'subCategory'],
  ['Producer', 'producer'],
  ['ProducerVersion', 'producerVersion'],
  ['HostId', 'hostId'],
  ['UserId', 'userId'],
  ['AuthenticatorId', 'authenticatorId'],
  ['SecondaryAuthenticatorId', 'secondaryAuthenticatorId'],
  ['AppProcessName', 'appProcessName'],
  ['AppURL', 'appUrl'],
  ['AppWinTitle', 'appWindowTitle'],
  ['Details', 'details'],
  ['ClientId', 'clientId'],
  ['ClientEventId', 'clientEventId'],
];

/**
 * The `telemetry.log` row of a `nes.audit.telemetry.v1` event. Empty strings
 * are left out of the attributes (absent, as the guide's JSON_VALUE reads
 * them) and stored as NULL in the promoted columns.
 */
export function toLogRow(
  event: { readonly id: string; readonly source: string },
  payload: telemetryV1.TelemetryEvent,
): LogRow {
  const attributes: Record<string, string | number> = {};
  for (const [name, field] of ATTRIBUTES) {
    const value = payload[field];
    if (typeof value === 'string' && value !== '') attributes[name] = value;
  }
  if (payload.eventTime !== undefined) attributes.EventTime = payload.eventTime.toISOString();
  attributes.TotalElapsedTime = payload.totalElapsedMs;
  return {
    eventId: event.id,
    timestamp: payload.receivedAt ?? new Date(),
    severity: levelName(payload.severity),
    level: levelName(payload.level),
    message: payload.message,
    exception: orNull(payload.exception),
    traceId: /^[0-9a-f]{32}$/.test(payload.traceId) ? payload.traceId : null,
    spanId: /^[0-9a-f]{16}$/.test(payload.spanId) ? payload.spanId : null,
    source: payload.source,
    serviceName: event.source,
    clientIp: isIP(payload.clientIp) === 0 ? null : payload.clientIp,
    attributes,
    eventType: orNull(payload.eventType),
    eventTime: payload.eventTime ?? null,
    userId: orNull(payload.userId),
    authenticatorId: orNull(payload.authenticatorId),
    secondaryAuthenticatorId: orNull(payload.secondaryAuthenticatorId),
    hostId: orNull(payload.hostId),
    clientId: orNull(payload.clientId),
  };
}
