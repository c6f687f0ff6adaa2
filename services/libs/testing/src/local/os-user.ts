import { spawnSync } from 'node:child_process';
import { InfraError } from '../errors.js';
import { requireCommand } from '../process.js';

/** A numeric OS identity to run a server as. */
export interface OsUser {
  uid: number;
  gid: number;
}

/**
 * The identity Postgres runs as: the current user, or — when we are root,
 * which Postgres refuses — the `postgres` system user, created if missing.
 */
export function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookup('postgres');
  if (existing) return existing;
  const useradd = requireCommand('useradd', 'install Debian passwd (or run as a non-root user)');
  const made = spawnSync(
    useradd,
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
  // Another run may have created it at the same moment: look again either way.
  const created = lookup('postgres');
  if (!created) {
    throw new InfraError(
      `cannot create the 'postgres' OS user for Postgres: ${made.stderr.trim()}`,
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
