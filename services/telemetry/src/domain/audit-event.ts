import type { CloudEvent } from '@nes/bus';
import type { EventPayload, EventType } from '@nes/proto';

/**
 * A received event of nes.audit.v1 with its payload, read once — when the
 * event was checked against the catalog — so that the projection does not
 * parse its data again.
 */
export interface AuditEvent {
  readonly event: CloudEvent;
  /** The payload of `event.type`, as the catalog's codec reads it. */
  readonly payload: unknown;
}

/**
 * The payload if the event is of `type`, else undefined: @nes/bus'
 * `nesPayload` for a payload that is read already.
 */
export function payloadOf<T extends EventType>(
  audit: AuditEvent,
  type: T,
): EventPayload<T> | undefined {
  return audit.event.type === type ? (audit.payload as EventPayload<T>) : undefined;
}
