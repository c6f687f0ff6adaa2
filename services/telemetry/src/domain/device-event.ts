import { z } from 'zod';

/**
 * One audit event as a device reports it (the guide's telemetry attributes,
 * in camelCase). Identity fields — client name, host name, OS type, app name,
 * client IP — are not part of it: the server takes them from the
 * authenticated client, and a body that carries them is refused so that a
 * device can neither spoof them nor believe it set them.
 */

/** Fields the server sets; named in the error when a device sends one. */
export const SERVER_SET_FIELDS = [
  'clientId',
  'clientName',
  'hostName',
  'osType',
  'appName',
  'clientIp',
  'receivedAt',
  'traceId',
  'spanId',
] as const;

/** The guide's three severities (and levels). */
export const SEVERITIES = ['Information', 'Warning', 'Error'] as const;

/** A severity or level name. */
export type Severity = (typeof SEVERITIES)[number];

/** Control and bidirectional-formatting characters, and lone surrogates: never in a stored string. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- as above
const UNSAFE_LINE = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

/** True when a single-line string holds no control or bidi characters and no lone surrogates. */
export function isSafeLine(value: string): boolean {
  return !UNSAFE_LINE.test(value) && value.isWellFormed();
}

/** True when free text (line breaks and tabs allowed) holds nothing unsafe. */
export function isSafeText(value: string): boolean {
  return !UNSAFE_TEXT.test(value) && value.isWellFormed();
}

/** A single-line string of at most `max` characters (empty allowed unless `min`). */
function line(max: number, min = 0) {
  return z
    .string()
    .min(min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`)
    .max(max, `must have at most ${max} characters`)
    .refine(isSafeLine, 'must not contain control characters');
}

/** Free text of at most `max` characters: line breaks and tabs allowed. */
function text(max: number) {
  return z
    .string()
    .max(max, `must have at most ${max} characters`)
    .refine(isSafeText, 'must not contain control characters');
}

/**
 * UTC ISO-8601 with a `Z`: `2025-10-20T22:54:16.365Z`, seconds required,
 * up to nine fraction digits. Offsets, local times and dates alone are
 * refused: the guide's EventTime is UTC.
 */
export const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

/** Parses a {@link UTC_TIMESTAMP}; undefined when it is not one or not a real instant. */
export function parseUtcTimestamp(value: string): Date | undefined {
  const match = UTC_TIMESTAMP.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, ...number[]];
  const date = new Date(value);
  if (Number.isNaN(date.valueOf())) return undefined;
  // Date accepts 2025-02-30 as March 2nd; the components must survive the round trip.
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() + 1 !== mo ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== s
  )
    return undefined;
  if (y < 2000 || y > 2199) return undefined;
  return date;
}

const eventTime = z.unknown().transform((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required' });
    return z.NEVER;
  }
  const date = typeof value === 'string' ? parseUtcTimestamp(value) : undefined;
  if (date === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a UTC ISO-8601 time such as 2025-10-20T22:54:16.365Z (years 2000-2199)',
    });
    return z.NEVER;
  }
  return date;
});

/** `DOMAIN\username` (NetBIOS domain, account name), or empty for events without a user. */
export const USER_ID =
  /^[^\\/:*?"<>|\s][^\\/:*?"<>|]{0,14}\\[^\\/"[\]:;|=,+*?<>@\s][^\\/"[\]:;|=,+*?<>\s]{0,103}$/;

/**
 * Authenticator ids: a kind prefix and its value, e.g. `BLE_MAC_00:1A:7D:DA:71:13`,
 * `NFC_3B8F7E2100`, `RFID_7A45C923`. BLE MACs are checked and upper-cased so
 * that one band is always spelled one way (queries by band match exactly).
 */
const AUTHENTICATOR = /^[A-Z][A-Z0-9]{0,15}_[\x21-\x7E]{1,128}$/;
const BLE_MAC = /^BLE_MAC_[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/** An authenticator id as stored (BLE MACs upper-cased), or why it is refused. */
export function normalizeAuthenticatorId(
  value: string,
):
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string } {
  if (value === '') return { ok: true, value };
  const upper = value.toUpperCase();
  const normalized = upper.startsWith('BLE_MAC_') ? upper : value;
  if (!AUTHENTICATOR.test(normalized)) {
    return {
      ok: false,
      message: 'must be KIND_value, e.g. BLE_MAC_00:1A:7D:DA:71:13 or NFC_3B8F7E2100',
    };
  }
  if (normalized.startsWith('BLE_MAC_') && !BLE_MAC.test(normalized)) {
    return { ok: false, message: 'BLE_MAC_ must be followed by a MAC address' };
  }
  return { ok: true, value: normalized };
}

function authenticatorId() {
  return z
    .string()
    .max(150, 'must have at most 150 characters')
    .transform((value, ctx) => {
      const result = normalizeAuthenticatorId(value);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    });
}

/** Client-chosen event ids: opaque, printable ASCII without spaces. */
export const CLIENT_EVENT_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** The schema of one event of a batch; `strict`: unknown fields are errors. */
export const deviceEventSchema = z.strictObject({
  eventId: z
    .string()
    .regex(CLIENT_EVENT_ID, 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ + = / -'),
  eventType: line(100, 1),
  eventTime,
  category: line(50, 1),
  subCategory: line(50, 1),
  producer: line(50, 1),
  producerVersion: line(50).default(''),
  hostId: line(64).default(''),
  userId: z
    .string()
    .max(120, 'must have at most 120 characters')
    .refine((s) => s === '' || USER_ID.test(s), 'must be DOMAIN\\username')
    .default(''),
  authenticatorId: authenticatorId().default(''),
  secondaryAuthenticatorId: authenticatorId().default(''),
  appProcessName: line(260).default(''),
  appUrl: line(2048).default(''),
  appWindowTitle: line(1024).default(''),
  totalElapsedMs: z
    .number()
    .int('must be an integer')
    .min(0, 'must not be negative')
    .max(4_294_967_295, 'must fit in 32 bits')
    .default(0),
  details: text(4000).default(''),
  severity: z.enum(SEVERITIES, { error: 'must be Information, Warning or Error' }),
  level: z.enum(SEVERITIES, { error: 'must be Information, Warning or Error' }).optional(),
  message: text(4000).default(''),
  exception: text(32_768).default(''),
  source: line(200).default(''),
});

/** A validated device event (event time parsed, authenticator ids normalised). */
export type DeviceEvent = z.output<typeof deviceEventSchema>;
