import { spawnSync } from 'node:child_process';

/** A numeric OS identity to run a server as. */
export interface OsUser {
  uid: number;
  gid: number;
}

/**
 * The identity PostgreSQL runs as: the current user, or — when we are root,
 * which PostgreSQL refuses — the `postgres` system user, created if missing
 * (as Debian's package would).
 */
export function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookup('postgres');
  if (existing) return existing;
  const made = spawnSync(
    'useradd',
    [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ],
    { encoding: 'utf8' },
  );
  // Another process may have created it at the same moment: look again either way.
  const created = lookup('postgres');
  if (!created) {
    throw new Error(
      `cannot create the 'postgres' OS user for PostgreSQL: ${(made.stderr ?? String(made.error)).trim()}`,
    );
  }
  return created;
}

function lookup(name: string): OsUser | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
