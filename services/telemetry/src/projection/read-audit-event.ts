import { catalogRead, nesCatalog, type CloudEvent } from '@nes/bus';
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
 * by {@link readTelemetryData}; any other event is read by the catalog,
 * whose check and reading are one decode.
 */
export function readAuditEvent(event: CloudEvent): AuditEvent | Rejection {
  if (event.type === 'nes.audit.telemetry.v1') {
    const payload = readTelemetryData(event.data);
    if (payload !== undefined) return { event, payload };
  }
  const read = catalogRead(nesCatalog, event);
  return 'rejection' in read ? read : { event, payload: read.payload };
}
