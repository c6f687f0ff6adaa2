import { catalogRejection, nesCatalog, type CloudEvent } from '@nes/bus';
import { parseEventData, type EventType } from '@nes/proto';
import type { AuditEvent } from '../domain/audit-event.js';
import { readTelemetryData } from './telemetry-data.js';

/** Why an event is not projected, in @nes/bus' words: `unknown-type: …`, `invalid-data: …`. */
export interface Rejection {
  readonly rejection: string;
}

/**
 * Reads an event of nes.audit.v1 for the projection, or refuses it as the
 * catalog (`nesCatalog`) does; refused events are dead-lettered. Device
 * telemetry in the form NES writes it — nearly every event — is read once,
 * by {@link readTelemetryData}; any other event is checked by the catalog,
 * then read (its data parsed twice, which only the rare events pay).
 */
export function readAuditEvent(event: CloudEvent): AuditEvent | Rejection {
  if (event.type === 'nes.audit.telemetry.v1') {
    const payload = readTelemetryData(event.data);
    if (payload !== undefined) return { event, payload };
  }
  const rejection = catalogRejection(nesCatalog, event);
  if (rejection !== undefined) return { rejection };
  // The catalog knows the type: it accepted the event.
  return { event, payload: parseEventData(event.type as EventType, event.data) };
}
