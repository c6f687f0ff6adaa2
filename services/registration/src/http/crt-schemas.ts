import { z } from 'zod';
import { CRT_LIMITS } from '../domain/crt-rules.js';
import { crtStatus, CRT_STATUSES } from '../domain/crt-status.js';
import { APP_SCOPE_NAMES, describeScope } from '../domain/scopes.js';
import type { CrtRow } from '../db/rows.js';

/**
 * Shapes of the CRT admin API. The schemas bound every string generously;
 * the domain rules (characters, lengths in code points, dates) run after
 * them and name the field that failed.
 */

const isoTime = z.iso.datetime({ offset: true }).describe('RFC 3339 date-time');

export const crtIdParams = z.object({ id: z.string().max(100).describe('CRT id (UUID)') });

export const createCrtBody = z.strictObject({
  title: z.string().max(1000).describe(`Unique title, 1-${CRT_LIMITS.titleMax} characters`),
  expiresAt: isoTime.describe(
    'Expiry ("Valid Until"): in the future, within the configured maximum',
  ),
  scope: z.enum(APP_SCOPE_NAMES).default('nymi-connect'),
  details: z
    .string()
    .max(20_000)
    .default('')
    .describe(`Notes, at most ${CRT_LIMITS.detailsMax} characters`),
  maxClients: z.number().int().min(0).max(CRT_LIMITS.maxClientsMax).describe('0 = unlimited'),
});

export const updateCrtBody = z.strictObject({
  title: z.string().max(1000).optional(),
  details: z.string().max(20_000).optional(),
  expiresAt: isoTime.optional(),
  maxClients: z.number().int().min(0).max(CRT_LIMITS.maxClientsMax).optional(),
});

export const listCrtsQuery = z.strictObject({
  status: z.enum(CRT_STATUSES).optional(),
  cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const scopeSchema = z.object({
  name: z.enum(APP_SCOPE_NAMES),
  displayName: z.string(),
  auditCode: z.number().int().describe('Scope code in audit.InitialAccessToken'),
});

export const crtSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    scope: scopeSchema,
    details: z.string(),
    expiresAt: z.string().describe('Valid until'),
    status: z.enum(CRT_STATUSES).describe('Computed at the time of the request'),
    clientUsage: z
      .object({ count: z.number().int(), max: z.number().int().describe('0 = unlimited') })
      .describe('Client usage: count (max)'),
    lastUsedAt: z.string().nullable(),
    tokenHash: z.string().describe('Lower-case hex SHA-256 of the token'),
    createdAt: z.string(),
    createdBy: z.string(),
    modifiedAt: z.string(),
    modifiedBy: z.string(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
  })
  .meta({ id: 'ClientRegistrationToken' });

export type CrtJson = z.infer<typeof crtSchema>;

export const createdCrtSchema = z
  .object({
    crt: crtSchema,
    token: z.string().describe('The CRT (a JWT); shown in this response only'),
    mdmConfiguration: z
      .string()
      .describe('JSON string for the MDM: {"token": "<CRT>", "nesUrl": "<NES URL>"}'),
    qrCode: z
      .object({ url: z.string(), availableUntil: z.string() })
      .nullable()
      .describe('PNG of mdmConfiguration, fetchable by administrators until availableUntil'),
  })
  .meta({ id: 'CreatedClientRegistrationToken' });

export const crtPageSchema = z.object({
  items: z.array(crtSchema),
  nextCursor: z.string().nullable(),
});

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** The API's view of a CRT row at `now`. */
export function presentCrt(row: CrtRow, now: Date): CrtJson {
  return {
    id: row.id,
    title: row.title,
    scope: describeScope(row.scope),
    details: row.details,
    expiresAt: row.expiresAt.toISOString(),
    status: crtStatus(row, now),
    clientUsage: { count: row.clientCount, max: row.maxClients },
    lastUsedAt: iso(row.lastUsedAt),
    tokenHash: row.tokenHash,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    modifiedAt: row.modifiedAt.toISOString(),
    modifiedBy: row.modifiedBy,
    revokedAt: iso(row.revokedAt),
    revokedBy: row.revokedBy,
  };
}
