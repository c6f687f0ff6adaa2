import { telemetryV1 } from '@nes/proto';
import type { DeviceEvent, Severity } from './device-event.js';
import type { EventIssue } from './validate-batch.js';

/** What NES knows about the client that sent a batch (from registration, never from the body). */
export interface ClientIdentity {
  readonly clientId: string;
  readonly clientName: string;
  readonly appName: string;
  readonly osType: string;
  readonly hostName: string;
  /** The Android id the device registered with; '' when it sent none. */
  readonly androidId: string;
}

/** What the server adds to every event of one request. */
export interface RequestFacts {
  readonly clientIp: string;
  readonly receivedAt: Date;
  /** From the request's W3C traceparent, when it had a valid one. */
  readonly traceId: string;
  readonly spanId: string;
}

const LEVEL: Record<Severity, telemetryV1.LogLevel> = {
  Information: telemetryV1.LogLevel.INFORMATION,
  Warning: telemetryV1.LogLevel.WARNING,
  Error: telemetryV1.LogLevel.ERROR,
};

/**
 * Checks a batch against the registered device: a `hostId` the device sends
 * must be the Android id it registered with (a device cannot report for
 * another). Returns the issues, empty when all agree.
 */
export function hostIdIssues(
  events: readonly DeviceEvent[],
  identity: ClientIdentity,
): EventIssue[] {
  if (identity.androidId === '') return [];
  const issues: EventIssue[] = [];
  events.forEach((event, index) => {
    if (event.hostId !== '' && event.hostId !== identity.androidId) {
      issues.push({
        index,
        eventId: event.eventId,
        field: '/hostId',
        message: 'does not match the Android id this client registered with',
      });
    }
  });
  return issues;
}

/**
 * The `nes.audit.telemetry.v1` payload of a device event: the device's
 * fields, the identity of the authenticated client and the request's facts.
 * The host id is the registered Android id when there is one.
 */
export function toTelemetryEvent(
  event: DeviceEvent,
  identity: ClientIdentity,
  facts: RequestFacts,
): telemetryV1.TelemetryEvent {
  return {
    eventType: event.eventType,
    eventTime: event.eventTime,
    category: event.category,
    subCategory: event.subCategory,
    producer: event.producer,
    producerVersion: event.producerVersion,
    osType: identity.osType,
    hostId: identity.androidId !== '' ? identity.androidId : event.hostId,
    userId: event.userId,
    authenticatorId: event.authenticatorId,
    secondaryAuthenticatorId: event.secondaryAuthenticatorId,
    appProcessName: event.appProcessName,
    appUrl: event.appUrl,
    appWindowTitle: event.appWindowTitle,
    totalElapsedMs: event.totalElapsedMs,
    details: event.details,
    severity: LEVEL[event.severity],
    level: LEVEL[event.level ?? event.severity],
    message: event.message,
    exception: event.exception,
    source: event.source,
    clientIp: facts.clientIp,
    clientId: identity.clientId,
    clientName: identity.clientName,
    appName: identity.appName,
    hostName: identity.hostName,
    traceId: facts.traceId,
    spanId: facts.spanId,
    receivedAt: facts.receivedAt,
    clientEventId: event.eventId,
  };
}
