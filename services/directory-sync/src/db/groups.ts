import type { Executor } from '@nes/kit';
import type { GroupInfo } from '../domain/user-view.js';

/** Inserts or refreshes groups (by objectGUID: a renamed group keeps its row). */
export async function saveGroups(db: Executor, groups: readonly GroupInfo[]): Promise<void> {
  if (groups.length === 0) return;
  await db.query(
    `INSERT INTO directory_group (guid, distinguished_name, name)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
     ON CONFLICT (guid) DO UPDATE SET distinguished_name = EXCLUDED.distinguished_name,
       name = EXCLUDED.name, deleted = false, updated_at = now()`,
    [groups.map((g) => g.guid), groups.map((g) => g.distinguishedName), groups.map((g) => g.name)],
  );
}

/** DNs of groups by GUID (e.g. groups just deleted), marking them deleted. */
export async function markGroupsDeleted(db: Executor, guids: readonly string[]): Promise<string[]> {
  if (guids.length === 0) return [];
  const { rows } = await db.query<{ distinguished_name: string }>(
    `UPDATE directory_group SET deleted = true, updated_at = now()
      WHERE guid = ANY($1::uuid[]) RETURNING distinguished_name`,
    [guids],
  );
  return rows.map((r) => r.distinguished_name);
}

/**
 * Group references for these DNs, in the given order: guid and name from
 * the synced group, or empty guid and the RDN value as name when the group
 * was not synced.
 */
export async function resolveGroups(db: Executor, dns: readonly string[]): Promise<GroupInfo[]> {
  if (dns.length === 0) return [];
  const { rows } = await db.query<{ guid: string; distinguished_name: string; name: string }>(
    `SELECT DISTINCT ON (lower(distinguished_name)) guid, distinguished_name, name
       FROM directory_group WHERE lower(distinguished_name) = ANY($1::text[]) AND NOT deleted
      ORDER BY lower(distinguished_name), updated_at DESC`,
    [dns.map((dn) => dn.toLowerCase())],
  );
  const byDn = new Map(rows.map((r) => [r.distinguished_name.toLowerCase(), r]));
  return dns.map((dn) => {
    const row = byDn.get(dn.toLowerCase());
    return row
      ? { guid: row.guid, distinguishedName: dn, name: row.name }
      : { guid: '', distinguishedName: dn, name: rdnValue(dn) };
  });
}

/** The value of a DN's first RDN ("NES Users" of "CN=NES Users,OU=…"). */
function rdnValue(dn: string): string {
  const match = /^[^=]+=((?:\\.|[^,\\])*)/.exec(dn);
  return (match?.[1] ?? '').replace(/\\(.)/g, '$1');
}
