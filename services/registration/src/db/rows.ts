import type { AppScope } from '../domain/scopes.js';
import type { AuthMethod, GrantType, PublicJwks } from '../domain/client-metadata.js';

/** An `initial_access_token` row (a CRT), as the queries return it. */
export interface CrtRow {
  readonly id: string;
  /** Identity column as text (bigint); keyset position. */
  readonly seq: string;
  readonly title: string;
  readonly tokenHash: string;
  readonly signingKid: string;
  readonly scope: AppScope;
  readonly details: string;
  readonly expiresAt: Date;
  readonly maxClients: number;
  readonly clientCount: number;
  readonly lastUsedAt: Date | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
  readonly modifiedBy: string;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
  readonly deletedAt: Date | null;
  readonly deletedBy: string | null;
}

/** The select list producing a {@link CrtRow}. */
export const CRT_COLUMNS = `
  id, seq::text AS seq, title, token_hash AS "tokenHash", signing_kid AS "signingKid", scope,
  details, expires_at AS "expiresAt", max_clients AS "maxClients", client_count AS "clientCount",
  last_used_at AS "lastUsedAt", created_at AS "createdAt", created_by AS "createdBy",
  modified_at AS "modifiedAt", modified_by AS "modifiedBy", revoked_at AS "revokedAt",
  revoked_by AS "revokedBy", deleted_at AS "deletedAt", deleted_by AS "deletedBy"`;

/** A `client` row with its scopes, as the queries return it. */
export interface ClientRow {
  readonly clientId: string;
  readonly seq: string;
  readonly name: string;
  readonly secretHash: string | null;
  readonly secretExpiresAt: Date | null;
  readonly registrationAccessTokenHash: string;
  readonly registrationAccessTokenIssuedAt: Date;
  readonly clientName: string;
  readonly grantTypes: readonly GrantType[];
  readonly tokenEndpointAuthMethod: AuthMethod;
  readonly jwks: PublicJwks | null;
  readonly softwareId: string;
  readonly softwareVersion: string;
  readonly appName: string;
  readonly appVersion: string;
  readonly osType: string;
  readonly hostName: string;
  readonly deviceInfo1: string;
  readonly deviceInfo2: string;
  readonly androidId: string;
  readonly crtId: string;
  readonly crtTokenHash: string;
  readonly registrationType: 'dynamic';
  readonly clientIp: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
  readonly modifiedBy: string;
  readonly deletedAt: Date | null;
  readonly deletedBy: string | null;
  readonly scopes: readonly AppScope[];
}

/** The select list producing a {@link ClientRow} from `client c`. */
export const CLIENT_COLUMNS = `
  c.client_id AS "clientId", c.seq::text AS seq, c.name, c.secret_hash AS "secretHash",
  c.secret_expires_at AS "secretExpiresAt",
  c.registration_access_token_hash AS "registrationAccessTokenHash",
  c.registration_access_token_issued_at AS "registrationAccessTokenIssuedAt",
  c.client_name AS "clientName", c.grant_types AS "grantTypes",
  c.token_endpoint_auth_method AS "tokenEndpointAuthMethod", c.jwks,
  c.software_id AS "softwareId", c.software_version AS "softwareVersion", c.app_name AS "appName",
  c.app_version AS "appVersion", c.os_type AS "osType", c.host_name AS "hostName",
  c.device_info_1 AS "deviceInfo1", c.device_info_2 AS "deviceInfo2", c.android_id AS "androidId",
  c.crt_id AS "crtId", c.crt_token_hash AS "crtTokenHash",
  c.registration_type AS "registrationType", c.client_ip AS "clientIp",
  c.created_at AS "createdAt", c.created_by AS "createdBy", c.modified_at AS "modifiedAt",
  c.modified_by AS "modifiedBy", c.deleted_at AS "deletedAt", c.deleted_by AS "deletedBy",
  ARRAY(SELECT p.scope FROM client_app_permission p WHERE p.client_id = c.client_id
        ORDER BY p.scope) AS scopes`;

/** Whether a pg error is a unique violation of `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === constraint;
}
