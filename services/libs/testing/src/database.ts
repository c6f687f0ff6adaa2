import pg from 'pg';
import { getInfra } from './inject.js';
import { uniqueName } from './names.js';

/** A database made for one test file. */
export interface TestDatabase {
  /** Connection URL of the new database (same server and user as the run's). */
  url: string;
  name: string;
  /** Drops it, closing any connections still open. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty database on the run's Postgres: isolation per test
 * file (`beforeAll` create, `afterAll` drop). `serverUrl` defaults to the
 * run's `getInfra().postgres.url`.
 */
export async function createTestDatabase(
  prefix = 'test',
  serverUrl?: string,
): Promise<TestDatabase> {
  const adminUrl = serverUrl ?? getInfra().postgres.url;
  const name = uniqueName(prefix);
  // Safe to inline: uniqueName yields [a-z0-9_] only.
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () =>
      (dropped ??= withClient(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
