import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createGrpcClient, createLogger, type GrpcClient, type Logger } from '@nes/kit';
import { directoryV1 } from '@nes/proto';
import {
  createAdOu,
  createTestDatabase,
  getAdInfra,
  withAdAdmin,
  type AdInfra,
  type TestDatabase,
} from '@nes/testing';
import { Attribute, Change } from 'ldapts';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { createService, type DirectorySyncService } from '../../src/create-service.js';

/** A port the kernel just handed out (the service's config refuses port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Log lines written by a service, parsed, plus the raw text (for "never contains" checks). */
export interface CapturedLogs {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
  text(): string;
}

/** A debug-level logger whose output is kept in memory. */
export function captureLogs(service = 'directory-sync'): CapturedLogs {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return {
    logger: createLogger({ service, level: 'debug', destination }),
    lines,
    text: () => raw.join('\n'),
  };
}

/** One DC entry of NES_DIR_AD_SITES. */
export interface DcEntry {
  url: string;
  servername?: string;
  name?: string;
  security?: 'ldaps' | 'starttls' | 'none';
}

/** Options of {@link startDirectorySync}. */
export interface StartOptions {
  /** The directory; default the harness DC. */
  ad?: AdInfra;
  /** Sites for NES_DIR_AD_SITES; default one site "main" with the harness DC over LDAPS. */
  sites?: { name: string; dcs: DcEntry[] }[];
  /** The OU that scopes the sync (NES_DIR_AD_BASE_DNS). */
  baseDn: string;
  /** Extra NES_DIR_* variables. */
  env?: Record<string, string>;
  logs?: CapturedLogs;
  clock?: () => Date;
}

/** A started service with its database and a gRPC client. */
export interface Started {
  readonly service: DirectorySyncService;
  readonly config: Config;
  readonly client: GrpcClient<typeof directoryV1.DirectoryServiceService>;
  /** A pool on the test database (search_path: directory). */
  readonly db: pg.Pool;
  readonly logs: CapturedLogs;
  stop(): Promise<void>;
}

/** The harness DC as one LDAPS entry verified by its CA and host name. */
export function harnessDc(ad: AdInfra, extra: Partial<DcEntry> = {}): DcEntry {
  return { url: ad.ldapsUrl, servername: ad.servername, ...extra };
}

const caFiles = new Map<string, Promise<string>>();

/** A DC's CA written to a file (NES_DIR_AD_CA_FILE), once per worker and CA. */
export function caFileFor(ad: AdInfra): Promise<string> {
  let file = caFiles.get(ad.caCertPem);
  if (!file) {
    file = (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'nes-dir-ca-'));
      await writeFile(join(dir, 'ca.pem'), ad.caCertPem);
      return join(dir, 'ca.pem');
    })();
    caFiles.set(ad.caCertPem, file);
  }
  return file;
}

/**
 * Starts directory-sync against the harness DC and a fresh database, with
 * the sync loops off (tests run rounds with `service.scheduler.runOnce()`).
 */
export async function startDirectorySync(
  database: TestDatabase,
  options: StartOptions,
): Promise<Started> {
  const ad = options.ad ?? getAdInfra();
  const logs = options.logs ?? captureLogs();
  const env: Record<string, string> = {
    NES_DIR_DATABASE_URL: database.url,
    NES_DIR_DIRECTORY_KIND: 'ad',
    NES_DIR_AD_SITES: JSON.stringify(options.sites ?? [{ name: 'main', dcs: [harnessDc(ad)] }]),
    NES_DIR_AD_DOMAIN: ad.domain,
    NES_DIR_AD_BIND_DN: ad.adminDn,
    NES_DIR_AD_BIND_PASSWORD: ad.adminPassword,
    NES_DIR_AD_CA_FILE: await caFileFor(ad),
    NES_DIR_AD_BASE_DNS: options.baseDn,
    NES_DIR_AD_CONNECT_TIMEOUT_MS: '2000',
    NES_DIR_AD_OPERATION_TIMEOUT_MS: '10000',
    NES_DIR_HTTP_PORT: String(await freePort()),
    NES_DIR_HTTP_HOST: '127.0.0.1',
    NES_DIR_GRPC_PORT: String(await freePort()),
    NES_DIR_GRPC_HOST: '127.0.0.1',
    NES_DIR_SYNC_ENABLED: 'false',
    NES_DIR_SHUTDOWN_TIMEOUT_MS: '5000',
    ...options.env,
  };
  const config = loadConfig(env);
  const service = await createService({
    config,
    logger: logs.logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const client = await createGrpcClient(
    directoryV1.DirectoryServiceClient,
    `127.0.0.1:${service.grpcPort}`,
    { deadlineMs: 30_000 },
  );
  const db = new pg.Pool({
    connectionString: database.url,
    max: 3,
    options: '-c search_path=directory',
  });
  return {
    service,
    config,
    client,
    db,
    logs,
    async stop() {
      client.close();
      await service.lifecycle.stop('test done');
      await db.end();
    },
  };
}

/** A fresh database and OU for one test file. */
export async function isolate(
  prefix: string,
): Promise<{ database: TestDatabase; ou: string; cleanup(): Promise<void> }> {
  const ad = getAdInfra();
  const [database, ou] = await Promise.all([createTestDatabase(prefix), createAdOu(ad)]);
  return {
    database,
    ou,
    async cleanup() {
      await database.drop();
      await removeCaFiles();
    },
  };
}

/** Deletes the CA files this worker wrote. */
export async function removeCaFiles(): Promise<void> {
  const files = await Promise.all(caFiles.values());
  caFiles.clear();
  await Promise.all(files.map((file) => rm(join(file, '..'), { recursive: true, force: true })));
}

/** Every event in the service's outbox, oldest first. */
export async function outboxEvents(
  db: pg.Pool,
): Promise<{ type: string; subject: string; data: Record<string, unknown> }[]> {
  const { rows } = await db.query<{
    event: { type: string; subject: string; data: Record<string, unknown> };
  }>('SELECT event::jsonb AS event FROM outbox ORDER BY seq');
  return rows.map((r) => r.event);
}

/** The raw text of the outbox and every projection table (for "never contains" checks). */
export async function storedText(db: pg.Pool): Promise<string> {
  const tables = ['outbox', 'user_observation', 'directory_user', 'directory_group', 'sync_cursor'];
  const parts = await Promise.all(
    tables.map(async (table) => JSON.stringify((await db.query(`SELECT * FROM ${table}`)).rows)),
  );
  return parts.join('\n');
}

/** badPwdCount of a user at the harness DC (not replicated: per DC). */
export async function badPwdCount(ad: AdInfra, dn: string): Promise<number> {
  return withAdAdmin(ad, async (client) => {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      attributes: ['badPwdCount'],
    });
    return Number(searchEntries[0]?.['badPwdCount'] ?? 0);
  });
}

/** Replaces attributes of an entry as the administrator. */
export async function modifyEntry(
  ad: AdInfra,
  dn: string,
  values: Record<string, string>,
): Promise<void> {
  await withAdAdmin(ad, (client) =>
    client.modify(
      dn,
      Object.entries(values).map(
        ([type, value]) =>
          new Change({
            operation: 'replace',
            modification: new Attribute({ type, values: [value] }),
          }),
      ),
    ),
  );
}

/** Removes a member from a group as the administrator. */
export async function removeGroupMember(
  ad: AdInfra,
  groupDn: string,
  memberDn: string,
): Promise<void> {
  await withAdAdmin(ad, (client) =>
    client.modify(
      groupDn,
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [memberDn] }),
      }),
    ),
  );
}

/** Deletes an entry as the administrator. */
export async function deleteEntry(ad: AdInfra, dn: string): Promise<void> {
  await withAdAdmin(ad, (client) => client.del(dn));
}
