import { ConflictError, type Executor } from '@nes/kit';
import { titleKey } from '../domain/crt-rules.js';
import type { CrtStatus } from '../domain/crt-status.js';
import type { AppScope } from '../domain/scopes.js';
import { CRT_COLUMNS, isUniqueViolation, type CrtRow } from './rows.js';

/** A new CRT row. */
export interface NewCrt {
  readonly id: string;
  readonly title: string;
  readonly tokenHash: string;
  readonly signingKid: string;
  readonly scope: AppScope;
  readonly details: string;
  readonly expiresAt: Date;
  readonly maxClients: number;
  readonly actor: string;
  readonly now: Date;
}

/** The partial unique index on title_key among listed CRTs. */
const TITLE_CONSTRAINT = 'initial_access_token_title_key';

function titleTaken(title: string, cause: unknown): ConflictError {
  return new ConflictError(`A client registration token titled '${title}' already exists.`, {
    code: 'crt_title_taken',
    cause,
  });
}

/** Inserts a CRT. @throws ConflictError `crt_title_taken` when a listed CRT has the title (any case). */
export async function insertCrt(executor: Executor, crt: NewCrt): Promise<CrtRow> {
  try {
    const { rows } = await executor.query<CrtRow>(
      `INSERT INTO initial_access_token
         (id, title, title_key, token_hash, signing_kid, scope, details, expires_at, max_clients,
          created_at, created_by, modified_at, modified_by)
       VALUES ($1, $2, $11, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10)
       RETURNING ${CRT_COLUMNS}`,
      [
        crt.id,
        crt.title,
        crt.tokenHash,
        crt.signingKid,
        crt.scope,
        crt.details,
        crt.expiresAt,
        crt.maxClients,
        crt.now,
        crt.actor,
        titleKey(crt.title),
      ],
    );
    return rows[0] as CrtRow;
  } catch (error) {
    if (isUniqueViolation(error, TITLE_CONSTRAINT)) throw titleTaken(crt.title, error);
    throw error;
  }
}

/**
 * A CRT by id; deleted ones only with `includeDeleted`. `forUpdate` locks the
 * row until the transaction ends (use inside one).
 */
export async function findCrt(
  executor: Executor,
  id: string,
  options: { includeDeleted?: boolean; forUpdate?: boolean } = {},
): Promise<CrtRow | undefined> {
  const { rows } = await executor.query<CrtRow>(
    `SELECT ${CRT_COLUMNS} FROM initial_access_token
      WHERE id = $1 ${options.includeDeleted ? '' : 'AND deleted_at IS NULL'}
      ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** SQL for each status at the time in parameter `$1`; mirrors `crtStatus`. */
const STATUS_CONDITION: Record<CrtStatus, string> = {
  // Every condition names $1 so that Postgres can type it.
  revoked: 'revoked_at IS NOT NULL AND $1::timestamptz IS NOT NULL',
  expired: 'revoked_at IS NULL AND expires_at <= $1::timestamptz',
  active: 'revoked_at IS NULL AND expires_at > $1::timestamptz',
};

/** One page of listed (not deleted) CRTs, newest first. */
export async function listCrts(
  executor: Executor,
  query: { now: Date; status?: CrtStatus; afterSeq?: string; limit: number },
): Promise<CrtRow[]> {
  const status = query.status ? STATUS_CONDITION[query.status] : '$1::timestamptz IS NOT NULL';
  const { rows } = await executor.query<CrtRow>(
    `SELECT ${CRT_COLUMNS} FROM initial_access_token
      WHERE deleted_at IS NULL AND ${status}
        AND ($2::bigint IS NULL OR seq < $2::bigint)
      ORDER BY seq DESC LIMIT $3`,
    [query.now, query.afterSeq ?? null, query.limit],
  );
  return rows;
}

/** Changes an administrator may make to a CRT. */
export interface CrtUpdate {
  readonly title?: string;
  readonly details?: string;
  readonly expiresAt?: Date;
  readonly maxClients?: number;
}

/** Applies an edit. @throws ConflictError `crt_title_taken`. */
export async function updateCrt(
  executor: Executor,
  id: string,
  update: CrtUpdate,
  actor: string,
  now: Date,
): Promise<CrtRow> {
  try {
    const { rows } = await executor.query<CrtRow>(
      `UPDATE initial_access_token
          SET title = coalesce($2, title), title_key = coalesce($8, title_key),
              details = coalesce($3, details),
              expires_at = coalesce($4, expires_at), max_clients = coalesce($5, max_clients),
              modified_at = $6, modified_by = $7
        WHERE id = $1
        RETURNING ${CRT_COLUMNS}`,
      [
        id,
        update.title ?? null,
        update.details ?? null,
        update.expiresAt ?? null,
        update.maxClients ?? null,
        now,
        actor,
        update.title === undefined ? null : titleKey(update.title),
      ],
    );
    return rows[0] as CrtRow;
  } catch (error) {
    if (isUniqueViolation(error, TITLE_CONSTRAINT)) {
      throw titleTaken(update.title ?? '', error);
    }
    throw error;
  }
}

/** Marks a CRT revoked (the caller checked it is active). */
export async function revokeCrt(
  executor: Executor,
  id: string,
  actor: string,
  now: Date,
): Promise<CrtRow> {
  const { rows } = await executor.query<CrtRow>(
    `UPDATE initial_access_token
        SET revoked_at = $2, revoked_by = $3, modified_at = $2, modified_by = $3
      WHERE id = $1
      RETURNING ${CRT_COLUMNS}`,
    [id, now, actor],
  );
  return rows[0] as CrtRow;
}

/** Hides a CRT (the caller checked it is no longer usable); the row stays. */
export async function deleteCrt(
  executor: Executor,
  id: string,
  actor: string,
  now: Date,
): Promise<CrtRow> {
  const { rows } = await executor.query<CrtRow>(
    `UPDATE initial_access_token
        SET deleted_at = $2, deleted_by = $3, modified_at = $2, modified_by = $3
      WHERE id = $1
      RETURNING ${CRT_COLUMNS}`,
    [id, now, actor],
  );
  return rows[0] as CrtRow;
}

/**
 * Takes one registration slot of a CRT, atomically: counts the client and
 * records the use, but only while the CRT is unrevoked, undeleted, unexpired
 * at `now` and below its client limit. Concurrent registrations serialise on
 * the row lock and each re-checks the condition against the committed count,
 * so the limit holds exactly. Returns undefined when no slot was taken (the
 * caller reads the row to say why).
 */
export async function claimCrtSlot(
  executor: Executor,
  id: string,
  now: Date,
): Promise<CrtRow | undefined> {
  const { rows } = await executor.query<CrtRow>(
    `UPDATE initial_access_token
        SET client_count = client_count + 1, last_used_at = $2
      WHERE id = $1 AND revoked_at IS NULL AND deleted_at IS NULL AND expires_at > $2
        AND (max_clients = 0 OR client_count < max_clients)
      RETURNING ${CRT_COLUMNS}`,
    [id, now],
  );
  return rows[0];
}
