import type { Executor } from '@nes/kit';
import type { AccountState } from '../domain/account-state.js';
import type { MergedUser, Removal } from '../domain/merge-observations.js';

/** A merged user as stored. */
interface UserRow {
  guid: string;
  sid: string;
  domain: string;
  sam_account_name: string;
  upn: string;
  display_name: string;
  distinguished_name: string;
  mail: string;
  group_dns: string[];
  site: string;
  dc: string;
  usn_changed: string;
  observed_at: Date;
  state: AccountState;
  state_changes_at: Date | null;
  removed: Removal | null;
  user_account_control: string;
  user_account_control_computed: string | null;
  account_expires: Date | null;
  lockout_time: Date | null;
  pwd_last_set: Date | null;
  password_expires_at: Date | null;
  password_expiry_known: boolean;
  pwd_last_set_max: Date | null;
  pwd_last_set_site: string | null;
}

const COLUMNS = `guid, sid, domain, sam_account_name, upn, display_name, distinguished_name, mail,
  group_dns, site, dc, usn_changed, observed_at, state, state_changes_at, removed,
  user_account_control, user_account_control_computed, account_expires, lockout_time,
  pwd_last_set, password_expires_at, password_expiry_known, pwd_last_set_max, pwd_last_set_site`;

function fromRow(row: UserRow): MergedUser {
  return {
    guid: row.guid,
    attributes: {
      sid: row.sid,
      domain: row.domain,
      samAccountName: row.sam_account_name,
      upn: row.upn,
      displayName: row.display_name,
      distinguishedName: row.distinguished_name,
      mail: row.mail,
      groupDns: row.group_dns,
      userAccountControl: Number(row.user_account_control),
      userAccountControlComputed:
        row.user_account_control_computed === null
          ? undefined
          : Number(row.user_account_control_computed),
      accountExpires: row.account_expires,
      lockoutTime: row.lockout_time,
      pwdLastSet: row.pwd_last_set,
      passwordExpiresAt: row.password_expiry_known ? row.password_expires_at : undefined,
      stamps: undefined,
    },
    site: row.site,
    dc: row.dc,
    usnChanged: BigInt(row.usn_changed),
    observedAt: row.observed_at,
    removed: row.removed,
    state: row.state,
    stateChangesAt: row.state_changes_at,
    pwdLastSetMax: row.pwd_last_set_max,
    pwdLastSetSite: row.pwd_last_set_site,
  };
}

/** Loads users and locks their rows until the transaction ends (serialises merges per user). */
export async function lockUsers(
  db: Executor,
  guids: readonly string[],
): Promise<Map<string, MergedUser>> {
  if (guids.length === 0) return new Map();
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM directory_user WHERE guid = ANY($1::uuid[]) ORDER BY guid FOR UPDATE`,
    [guids],
  );
  return new Map(rows.map((r) => [r.guid, fromRow(r)]));
}

/** Which of these users NES has (removed or not). */
export async function knownUsers(db: Executor, guids: readonly string[]): Promise<Set<string>> {
  if (guids.length === 0) return new Set();
  const { rows } = await db.query<{ guid: string }>(
    `SELECT guid FROM directory_user WHERE guid = ANY($1::uuid[])`,
    [guids],
  );
  return new Set(rows.map((r) => r.guid));
}

/** Inserts or replaces a merged user. */
export async function saveUser(db: Executor, u: MergedUser): Promise<void> {
  const a = u.attributes;
  await db.query(
    `INSERT INTO directory_user (${COLUMNS}, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
             $20, $21, $22, $23, $24, $25, now())
     ON CONFLICT (guid) DO UPDATE SET
       sid = EXCLUDED.sid, domain = EXCLUDED.domain, sam_account_name = EXCLUDED.sam_account_name,
       upn = EXCLUDED.upn, display_name = EXCLUDED.display_name,
       distinguished_name = EXCLUDED.distinguished_name, mail = EXCLUDED.mail,
       group_dns = EXCLUDED.group_dns, site = EXCLUDED.site, dc = EXCLUDED.dc,
       usn_changed = EXCLUDED.usn_changed, observed_at = EXCLUDED.observed_at,
       state = EXCLUDED.state, state_changes_at = EXCLUDED.state_changes_at,
       removed = EXCLUDED.removed, user_account_control = EXCLUDED.user_account_control,
       user_account_control_computed = EXCLUDED.user_account_control_computed,
       account_expires = EXCLUDED.account_expires, lockout_time = EXCLUDED.lockout_time,
       pwd_last_set = EXCLUDED.pwd_last_set, password_expires_at = EXCLUDED.password_expires_at,
       password_expiry_known = EXCLUDED.password_expiry_known,
       pwd_last_set_max = EXCLUDED.pwd_last_set_max, pwd_last_set_site = EXCLUDED.pwd_last_set_site,
       updated_at = now()`,
    [
      u.guid,
      a.sid,
      a.domain,
      a.samAccountName,
      a.upn,
      a.displayName,
      a.distinguishedName,
      a.mail,
      [...a.groupDns],
      u.site,
      u.dc,
      u.usnChanged.toString(),
      u.observedAt,
      u.state,
      u.stateChangesAt,
      u.removed,
      a.userAccountControl,
      a.userAccountControlComputed ?? null,
      a.accountExpires,
      a.lockoutTime,
      a.pwdLastSet,
      a.passwordExpiresAt ?? null,
      a.passwordExpiresAt !== undefined,
      u.pwdLastSetMax,
      u.pwdLastSetSite,
    ],
  );
}

/** Updates a user's state after a time-driven re-evaluation. */
export async function saveState(
  db: Executor,
  guid: string,
  state: AccountState,
  changesAt: Date | null,
): Promise<void> {
  await db.query(
    `UPDATE directory_user SET state = $2, state_changes_at = $3, updated_at = now() WHERE guid = $1`,
    [guid, state, changesAt],
  );
}

/**
 * Users whose state may have changed with time alone, locked (skipping rows
 * another replica holds) for this transaction.
 */
export async function lockDueForStateCheck(
  db: Executor,
  now: Date,
  limit: number,
): Promise<MergedUser[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM directory_user WHERE state_changes_at <= $1
      ORDER BY state_changes_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(fromRow);
}

/** A user by objectGUID. */
export async function findUserByGuid(db: Executor, guid: string): Promise<MergedUser | undefined> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM directory_user WHERE guid = $1`,
    [guid],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/**
 * A user by DOMAIN\sAMAccountName or by UPN (case-insensitive). A name can
 * outlive its user: a present user wins over removed ones, then the most
 * recently observed.
 */
export async function findUserByName(
  db: Executor,
  name: { domain: string; samAccountName: string } | { upn: string },
): Promise<MergedUser | undefined> {
  const [where, params] =
    'upn' in name
      ? ["lower(upn) = lower($1) AND upn <> ''", [name.upn]]
      : [
          'lower(domain) = lower($1) AND lower(sam_account_name) = lower($2)',
          [name.domain, name.samAccountName],
        ];
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM directory_user WHERE ${where}
      ORDER BY (removed IS NULL) DESC, observed_at DESC LIMIT 1`,
    params,
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Where a page of ListUsers starts: after this (account name, guid). */
export interface ListCursor {
  readonly name: string;
  readonly guid: string;
}

/**
 * Present users ordered by account name, optionally filtered by a
 * case-insensitive prefix of account name, UPN or display name.
 */
export async function listUsers(
  db: Executor,
  options: { query: string; after: ListCursor | undefined; limit: number },
): Promise<MergedUser[]> {
  const params: unknown[] = [options.limit];
  const where = ['removed IS NULL'];
  if (options.query !== '') {
    params.push(likePrefix(options.query.toLowerCase()));
    const p = `$${params.length}`;
    where.push(
      `(lower(sam_account_name) LIKE ${p} OR lower(upn) LIKE ${p} OR lower(display_name) LIKE ${p})`,
    );
  }
  if (options.after) {
    params.push(options.after.name, options.after.guid);
    where.push(
      `(lower(sam_account_name), guid) > ($${params.length - 1}, $${params.length}::uuid)`,
    );
  }
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM directory_user WHERE ${where.join(' AND ')}
      ORDER BY lower(sam_account_name), guid LIMIT $1`,
    params,
  );
  return rows.map(fromRow);
}

/** Present users listed as direct members of any of these groups. */
export async function membersOfGroups(
  db: Executor,
  groupDns: readonly string[],
): Promise<string[]> {
  if (groupDns.length === 0) return [];
  const { rows } = await db.query<{ guid: string }>(
    `SELECT guid FROM directory_user
      WHERE removed IS NULL
        AND EXISTS (SELECT 1 FROM unnest(group_dns) g WHERE lower(g) = ANY($1::text[]))`,
    [groupDns.map((dn) => dn.toLowerCase())],
  );
  return rows.map((r) => r.guid);
}
