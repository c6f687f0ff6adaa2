import { createHash } from 'node:crypto';
import { BadRequestError } from '@nes/kit';
import { z } from 'zod';
import { parseUtcTimestamp, SEVERITIES } from './device-event.js';

/**
 * What analysts filter the telemetry log by — the same for the query API,
 * exports and the live tail. Equality filters match the promoted columns
 * exactly; `authenticator` matches the primary or the secondary
 * authenticator (as the guide's per-band query does); `from` is inclusive,
 * `to` exclusive, both on the recorded time (the guide's TimeStamp).
 */
export interface LogFilter {
  readonly user?: string;
  readonly authenticator?: string;
  readonly client?: string;
  readonly host?: string;
  readonly eventType?: string;
  readonly severity?: string;
  readonly from?: Date;
  readonly to?: Date;
}

const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    .refine((s) => !/[\u0000-\u001F\u007F]/.test(s), 'must not contain control characters');

const utcTime = z.string().transform((value, ctx) => {
  const date = parseUtcTimestamp(value);
  if (date === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a UTC ISO-8601 time such as 2026-01-31T00:00:00Z',
    });
    return z.NEVER;
  }
  return date;
});

/** The filter query parameters (zod, for the routes' schemas and the OpenAPI document). */
export const logFilterQuery = z.object({
  user: printable(120).optional().describe('User id, DOMAIN\\username'),
  authenticator: printable(150)
    .optional()
    .describe('Authenticator id (primary or secondary), e.g. BLE_MAC_00:1A:7D:DA:71:13'),
  client: printable(128).optional().describe('Client id'),
  host: printable(64).optional().describe('Host id (Android id)'),
  eventType: printable(100).optional(),
  severity: z.enum(SEVERITIES).optional(),
  from: utcTime.optional().describe('Recorded at or after (UTC ISO-8601)'),
  to: utcTime.optional().describe('Recorded before (UTC ISO-8601)'),
});

/** The parsed filter query. */
export type LogFilterQuery = z.output<typeof logFilterQuery>;

/** A filter from parsed query parameters; BLE authenticator ids are matched upper-cased. */
export function toLogFilter(query: LogFilterQuery): LogFilter {
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
    throw new BadRequestError("'from' must be before 'to'.", { code: 'invalid_time_range' });
  }
  const authenticator = query.authenticator?.toUpperCase().startsWith('BLE_MAC_')
    ? query.authenticator.toUpperCase()
    : query.authenticator;
  return {
    ...(query.user === undefined ? {} : { user: query.user }),
    ...(authenticator === undefined ? {} : { authenticator }),
    ...(query.client === undefined ? {} : { client: query.client }),
    ...(query.host === undefined ? {} : { host: query.host }),
    ...(query.eventType === undefined ? {} : { eventType: query.eventType }),
    ...(query.severity === undefined ? {} : { severity: query.severity }),
    ...(query.from === undefined ? {} : { from: query.from }),
    ...(query.to === undefined ? {} : { to: query.to }),
  };
}

/** A position in the newest-first order: the recorded time (epoch µs) and the row id. */
export interface LogCursor {
  readonly micros: string;
  readonly id: string;
}

/** A tag of the filter a cursor belongs to (a cursor is refused for another filter). */
export function filterTag(filter: LogFilter): string {
  const canonical = JSON.stringify(
    Object.entries(filter)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** The opaque cursor of the page after `cursor`. */
export function encodeCursor(cursor: LogCursor, filter: LogFilter): string {
  return Buffer.from(
    JSON.stringify({ v: 1, t: cursor.micros, i: cursor.id, f: filterTag(filter) }),
    'utf8',
  ).toString('base64url');
}

/**
 * The position to continue after, or undefined for the first page.
 * @throws BadRequestError (`invalid_cursor`) for anything not issued for this filter.
 */
export function decodeCursor(text: string | undefined, filter: LogFilter): LogCursor | undefined {
  if (text === undefined || text === '') return undefined;
  const invalid = new BadRequestError(
    'The cursor is not valid for this query; start again without one.',
    { code: 'invalid_cursor' },
  );
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(text)) throw invalid;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid;
  }
  const { v, t, i, f } = (parsed ?? {}) as Record<string, unknown>;
  if (
    v !== 1 ||
    typeof t !== 'string' ||
    !/^-?\d{1,19}$/.test(t) ||
    typeof i !== 'string' ||
    !/^[1-9]\d{0,18}$/.test(i) ||
    f !== filterTag(filter)
  ) {
    throw invalid;
  }
  return { micros: t, id: i };
}

/** SSE event ids of the live tail: `<txid>-<row id>`, the tail's gap-free order. */
export interface TailPosition {
  readonly txid: string;
  readonly id: string;
}

/** Formats a tail position as an SSE event id. */
export function formatTailPosition(position: TailPosition): string {
  return `${position.txid}-${position.id}`;
}

/**
 * Parses a `Last-Event-ID`; undefined when absent.
 * @throws BadRequestError (`invalid_last_event_id`) when it is not one of ours.
 */
export function parseTailPosition(text: string | undefined): TailPosition | undefined {
  if (text === undefined || text === '') return undefined;
  const match = /^(\d{1,20})-(\d{1,19})$/.exec(text.trim());
  if (!match?.[1] || !match[2]) {
    throw new BadRequestError('Last-Event-ID is not an id this stream sent.', {
      code: 'invalid_last_event_id',
    });
  }
  return { txid: match[1], id: match[2] };
}
