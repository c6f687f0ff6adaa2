import type { z } from 'zod';
import { deviceEventSchema, SERVER_SET_FIELDS, type DeviceEvent } from './device-event.js';
import { readDeviceEvent } from './read-device-event.js';

/** One problem with one event of a batch: which event, which field, what is wrong. */
export interface EventIssue {
  /** Position of the event in `events` (0-based). */
  readonly index: number;
  /** The event's `eventId` when it had a usable one. */
  readonly eventId?: string;
  /** JSON pointer of the field inside the event (`/eventTime`), or '' for the event itself. */
  readonly field: string;
  readonly message: string;
}

/** Why a whole batch is refused before its events are looked at. */
export interface BatchProblem {
  readonly kind: 'not_a_batch' | 'empty' | 'too_many';
  readonly message: string;
}

/** What validating a batch found. */
export type BatchValidation =
  | { readonly ok: true; readonly events: readonly DeviceEvent[] }
  | { readonly ok: false; readonly problem: BatchProblem }
  | { readonly ok: false; readonly issues: readonly EventIssue[]; readonly invalidEvents: number };

/** Most issues listed in one response (the count of invalid events is always exact). */
export const MAX_REPORTED_ISSUES = 200;

const serverSet = new Set<string>(SERVER_SET_FIELDS);

/**
 * Validates a batch `{ "events": [ … ] }` as a whole and event by event.
 * Policy: all or nothing — one invalid event refuses the batch, and every
 * invalid event is listed (index, field, message), so the device can fix or
 * drop exactly those and send the rest again; nothing is partially stored.
 */
export function validateBatch(body: unknown, maxEvents: number): BatchValidation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return problem('not_a_batch', 'The body must be a JSON object {"events": [...]}.');
  }
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => key !== 'events');
  if (extra.length > 0) {
    return problem(
      'not_a_batch',
      `Unknown top-level field '${extra[0]?.slice(0, 64)}'; only "events" is allowed.`,
    );
  }
  const events = record.events;
  if (!Array.isArray(events)) return problem('not_a_batch', '"events" must be an array.');
  if (events.length === 0) return problem('empty', '"events" must hold at least one event.');
  if (events.length > maxEvents) {
    return problem(
      'too_many',
      `A batch holds at most ${maxEvents} events; this one has ${events.length}.`,
    );
  }
  const issues: EventIssue[] = [];
  const valid: DeviceEvent[] = [];
  const firstIndexOf = new Map<string, number>();
  let invalidEvents = 0;
  events.forEach((raw, index) => {
    const found = validateEvent(raw, index);
    const eventId = found.ok ? found.event.eventId : found.eventId;
    const eventIssues = found.ok ? [] : [...found.issues];
    if (eventId !== undefined) {
      const first = firstIndexOf.get(eventId);
      if (first === undefined) firstIndexOf.set(eventId, index);
      else
        eventIssues.push({
          index,
          eventId,
          field: '/eventId',
          message: `duplicates the eventId of event ${first} in this batch`,
        });
    }
    if (eventIssues.length > 0) {
      invalidEvents += 1;
      for (const issue of eventIssues) if (issues.length < MAX_REPORTED_ISSUES) issues.push(issue);
    } else if (found.ok) valid.push(found.event);
  });
  return invalidEvents > 0 ? { ok: false, issues, invalidEvents } : { ok: true, events: valid };
}

type EventValidation =
  | { ok: true; event: DeviceEvent }
  | { ok: false; issues: EventIssue[]; eventId: string | undefined };

function validateEvent(raw: unknown, index: number): EventValidation {
  // Valid events, the common case, are read directly; zod words the problems of the rest.
  const read = readDeviceEvent(raw);
  if (read !== undefined) return { ok: true, event: read };
  const eventId = usableEventId(raw);
  // reportInput only to tell a missing field from a wrong one; inputs are never echoed.
  const result = deviceEventSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { ok: true, event: result.data };
  const issues = result.error.issues.flatMap((issue) => toIssues(issue, index, eventId));
  return { ok: false, issues, eventId };
}

function usableEventId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>).eventId;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
}

function toIssues(
  issue: z.core.$ZodIssue,
  index: number,
  eventId: string | undefined,
): EventIssue[] {
  const base = { index, ...(eventId === undefined ? {} : { eventId }) };
  const pointer = issue.path.map((p) => `/${String(p)}`).join('');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.slice(0, 10).map((key) => ({
      ...base,
      field: `${pointer}/${key.slice(0, 64)}`,
      message: serverSet.has(key)
        ? 'is set by the server from the authenticated client; do not send it'
        : 'is not a known field',
    }));
  }
  if (issue.code === 'invalid_type' && pointer === '') {
    return [{ ...base, field: '', message: 'must be a JSON object' }];
  }
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  return [{ ...base, field: pointer, message: missing ? 'is required' : issue.message }];
}

function problem(kind: BatchProblem['kind'], message: string): BatchValidation {
  return { ok: false, problem: { kind, message } };
}
