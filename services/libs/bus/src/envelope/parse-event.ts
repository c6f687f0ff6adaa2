import { DEFAULT_MAX_EVENT_BYTES, type CloudEvent } from './cloud-event.js';
import { cloudEventSchema, describeIssues, isValidEvent } from './event-schema.js';

/** Outcome of reading an envelope off the wire: the event, or why it is unusable. */
export type ParseResult =
  | { readonly ok: true; readonly event: CloudEvent }
  | { readonly ok: false; readonly reason: string };

/** Raised when code tries to publish or enqueue an envelope that is not valid. */
export class InvalidEventError extends Error {
  readonly code = 'invalid_event';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/**
 * Reads a structured-mode envelope from transport bytes. Never throws: a
 * consumer routes a failed parse to the dead-letter topic with `reason`.
 */
export function parseEvent(
  raw: Buffer | null,
  maxBytes: number = DEFAULT_MAX_EVENT_BYTES,
): ParseResult {
  if (raw === null || raw.length === 0) return { ok: false, reason: 'invalid-envelope: empty' };
  if (raw.length > maxBytes) {
    return { ok: false, reason: `invalid-envelope: ${raw.length} bytes exceeds ${maxBytes}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid-envelope: not JSON' };
  }
  if (isValidEvent(json)) return { ok: true, event: json as CloudEvent };
  const result = cloudEventSchema.safeParse(json);
  if (!result.success) {
    return { ok: false, reason: `invalid-envelope: ${describeIssues(result.error)}` };
  }
  return { ok: true, event: result.data };
}

/**
 * Checks an envelope before it leaves the process (publish, enqueue) so that a
 * producer bug fails the producing transaction instead of poisoning a topic.
 * Returns the encoded bytes so callers need not serialise twice.
 */
export function assertValidEvent(
  event: CloudEvent,
  maxBytes: number = DEFAULT_MAX_EVENT_BYTES,
): Buffer {
  return Buffer.from(validEventJson(event, maxBytes), 'utf8');
}

/**
 * Envelopes built by {@link sealEvent} (createEvent), with the JSON text they
 * were validated as: enqueue and publish take that text instead of
 * validating and serialising the same envelope a second time.
 */
const sealed = new WeakMap<CloudEvent, string>();

/**
 * {@link assertValidEvent}, returning the envelope's JSON text (what the
 * outbox stores), so a producer serialises each event once.
 */
export function validEventJson(
  event: CloudEvent,
  maxBytes: number = DEFAULT_MAX_EVENT_BYTES,
): string {
  const known = sealed.get(event);
  const json = known ?? checkedJson(event);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    throw new InvalidEventError(
      `event ${event.id} (${event.type}) is ${bytes} bytes, more than ${maxBytes}`,
    );
  }
  return json;
}

/**
 * Validates a freshly built envelope, freezes it and remembers its JSON text,
 * so that later checks of the same object (enqueue, publish) reuse the text.
 * Its `data` must not be changed afterwards either: it is part of that text.
 */
export function sealEvent(event: CloudEvent): CloudEvent {
  const json = validEventJson(event);
  sealed.set(Object.freeze(event), json);
  return event;
}

function checkedJson(event: CloudEvent): string {
  if (isValidEvent(event)) return JSON.stringify(event);
  const result = cloudEventSchema.safeParse(event);
  if (!result.success) {
    throw new InvalidEventError(
      `event ${String(event.id)} (${String(event.type)}) is invalid: ${describeIssues(result.error)}`,
    );
  }
  return JSON.stringify(event);
}
