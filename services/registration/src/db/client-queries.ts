import type { Executor } from '@nes/kit';
import type { ClientMetadata } from '../domain/client-metadata.js';
import type { AppScope } from '../domain/scopes.js';
import { CLIENT_COLUMNS, type ClientRow } from './rows.js';

/** A new client row. */
export interface NewClient {
  readonly clientId: string;
  readonly name: string;
  readonly secretHash: string | null;
  readonly secretExpiresAt: Date | null;
  readonly registrationAccessTokenHash: string;
  readonly metadata: ClientMetadata;
  readonly crtId: string;
  readonly crtTokenHash: string;
  readonly clientIp: string;
  /** Host name of this NES replica. */
  readonly createdBy: string;
  readonly now: Date;
}

/** Inserts a client and its scope grants (client_app_permission). */
export async function insertClient(executor: Executor, client: NewClient): Promise<ClientRow> {
  const m = client.metadata;
  const { rows } = await executor.query<ClientRow>(
    `INSERT INTO client AS c
       (client_id, name, secret_hash, secret_expires_at, registration_access_token_hash,
        registration_access_token_issued_at, client_name, grant_types, token_endpoint_auth_method,
        jwks, software_id, software_version, app_name, app_version, os_type, host_name,
        device_info_1, device_info_2, android_id, crt_id, crt_token_hash, registration_type,
        client_ip, created_at, created_by, modified_at, modified_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
             $20, $21, 'dynamic', $22, $6, $23, $6, $23)
     RETURNING ${CLIENT_COLUMNS}`,
    [
      client.clientId,
      client.name,
      client.secretHash,
      client.secretExpiresAt,
      client.registrationAccessTokenHash,
      client.now,
      m.clientName,
      m.grantTypes,
      m.tokenEndpointAuthMethod,
      m.jwks === null ? null : JSON.stringify(m.jwks),
      m.softwareId,
      m.softwareVersion,
      m.appName,
      m.appVersion,
      m.osType,
      m.hostName,
      m.deviceInfo1,
      m.deviceInfo2,
      m.androidId,
      client.crtId,
      client.crtTokenHash,
      client.clientIp,
      client.createdBy,
    ],
  );
  await grantScopes(executor, client.clientId, m.scopes, client.now);
  // The scopes subquery of the select list ran before the grants existed.
  return { ...(rows[0] as ClientRow), scopes: [...m.scopes] };
}

async function grantScopes(
  executor: Executor,
  clientId: string,
  scopes: readonly AppScope[],
  now: Date,
): Promise<void> {
  await executor.query(
    `INSERT INTO client_app_permission (client_id, scope, granted_at)
     SELECT $1, unnest($2::text[]), $3`,
    [clientId, scopes, now],
  );
}

/**
 * A client by id (a UUID: check the format before calling); deleted ones
 * only with `includeDeleted`; `forUpdate` locks the row.
 */
export async function findClient(
  executor: Executor,
  clientId: string,
  options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
): Promise<ClientRow | undefined> {
  const { rows } = await executor.query<ClientRow>(
    `SELECT ${CLIENT_COLUMNS} FROM client c
      WHERE c.client_id = $1 ${options.includeDeleted ? '' : 'AND c.deleted_at IS NULL'}
      ${options.forUpdate ? 'FOR UPDATE OF c' : ''}`,
    [clientId],
  );
  return rows[0];
}

/** One page of listed (not deleted) clients, newest first; optionally those of one CRT. */
export async function listClients(
  executor: Executor,
  query: { afterSeq?: string; limit: number; crtId?: string },
): Promise<ClientRow[]> {
  const { rows } = await executor.query<ClientRow>(
    `SELECT ${CLIENT_COLUMNS} FROM client c
      WHERE c.deleted_at IS NULL
        AND ($1::bigint IS NULL OR c.seq < $1::bigint)
        AND ($2::uuid IS NULL OR c.crt_id = $2::uuid)
      ORDER BY c.seq DESC LIMIT $3`,
    [query.afterSeq ?? null, query.crtId ?? null, query.limit],
  );
  return rows;
}

/** Renames a client. */
export async function renameClient(
  executor: Executor,
  clientId: string,
  name: string,
  actor: string,
  now: Date,
): Promise<ClientRow> {
  await executor.query(
    `UPDATE client SET name = $2, modified_at = $3, modified_by = $4 WHERE client_id = $1`,
    [clientId, name, now, actor],
  );
  return (await findClient(executor, clientId)) as ClientRow;
}

/**
 * Replaces a client's metadata (RFC 7592 update) and its registration access
 * token hash (rotated on every update).
 */
export async function updateClientMetadata(
  executor: Executor,
  clientId: string,
  update: { metadata: ClientMetadata; registrationAccessTokenHash: string },
  actor: string,
  now: Date,
): Promise<ClientRow> {
  const m = update.metadata;
  await executor.query(
    `UPDATE client
        SET client_name = $2, jwks = $3, software_version = $4, app_name = $5, app_version = $6,
            os_type = $7, host_name = $8, device_info_1 = $9, device_info_2 = $10,
            registration_access_token_hash = $11, registration_access_token_issued_at = $12,
            modified_at = $12, modified_by = $13
      WHERE client_id = $1`,
    [
      clientId,
      m.clientName,
      m.jwks === null ? null : JSON.stringify(m.jwks),
      m.softwareVersion,
      m.appName,
      m.appVersion,
      m.osType,
      m.hostName,
      m.deviceInfo1,
      m.deviceInfo2,
      update.registrationAccessTokenHash,
      now,
      actor,
    ],
  );
  return (await findClient(executor, clientId)) as ClientRow;
}

/** Soft-deletes a client: kept for audit, refused everywhere. */
export async function deleteClient(
  executor: Executor,
  clientId: string,
  actor: string,
  now: Date,
): Promise<ClientRow> {
  await executor.query(
    `UPDATE client SET deleted_at = $2, deleted_by = $3, modified_at = $2, modified_by = $3
      WHERE client_id = $1`,
    [clientId, now, actor],
  );
  return (await findClient(executor, clientId, { includeDeleted: true })) as ClientRow;
}
