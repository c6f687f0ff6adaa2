import { z } from 'zod';
import { AUTH_METHODS } from '../domain/client-metadata.js';
import { APP_SCOPE_NAMES, APP_SCOPES } from '../domain/scopes.js';
import type { ClientRow } from '../db/rows.js';

/** Shapes of the clients admin API (the guide's Manage Clients). */

export const clientIdParams = z.object({
  clientId: z.string().max(100).describe('Client id (UUID)'),
});

export const listClientsQuery = z.strictObject({
  crtId: z
    .string()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'expected a CRT id (UUID)',
    )
    .optional()
    .describe('Only clients registered with this CRT'),
  cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const renameClientBody = z.strictObject({
  name: z.string().max(1000).describe('New display name, 1-255 characters'),
});

export const clientSchema = z
  .object({
    clientId: z.string(),
    name: z.string(),
    scopes: z
      .array(
        z.object({ name: z.enum(APP_SCOPE_NAMES), displayName: z.string(), shortName: z.string() }),
      )
      .describe('Scope / app permissions'),
    appName: z.string(),
    appVersion: z.string(),
    osType: z.string(),
    hostName: z.string(),
    deviceInfo1: z.string(),
    deviceInfo2: z.string(),
    androidId: z.string(),
    softwareId: z.string(),
    softwareVersion: z.string(),
    tokenEndpointAuthMethod: z.enum(AUTH_METHODS),
    crtId: z.string().describe('The CRT the client registered with'),
    registrationType: z.literal('dynamic'),
    clientIp: z.string().describe('Address the registration came from'),
    createdAt: z.string(),
    createdBy: z.string().describe('Host name of the NES server that registered the client'),
    modifiedAt: z.string(),
    modifiedBy: z.string(),
  })
  .meta({ id: 'Client' });

export const clientPageSchema = z.object({
  items: z.array(clientSchema),
  nextCursor: z.string().nullable(),
});

/** The API's view of a client row (never its secret or token hashes). */
export function presentClient(row: ClientRow): z.infer<typeof clientSchema> {
  return {
    clientId: row.clientId,
    name: row.name,
    scopes: row.scopes.map((name) => ({
      name,
      displayName: APP_SCOPES[name].displayName,
      shortName: APP_SCOPES[name].shortName,
    })),
    appName: row.appName,
    appVersion: row.appVersion,
    osType: row.osType,
    hostName: row.hostName,
    deviceInfo1: row.deviceInfo1,
    deviceInfo2: row.deviceInfo2,
    androidId: row.androidId,
    softwareId: row.softwareId,
    softwareVersion: row.softwareVersion,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    crtId: row.crtId,
    registrationType: row.registrationType,
    clientIp: row.clientIp,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    modifiedAt: row.modifiedAt.toISOString(),
    modifiedBy: row.modifiedBy,
  };
}
