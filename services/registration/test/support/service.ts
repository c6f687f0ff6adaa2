import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '@nes/kit';
import {
  createTestDatabase,
  getInfra,
  uniqueName,
  withFreePort,
  type TestDatabase,
} from '@nes/testing';
import pg from 'pg';
import { generateAdminKey } from '../../src/admin-key.js';
import { loadConfig, type RegistrationConfig } from '../../src/config.js';
import type { Clock } from '../../src/context.js';
import {
  startRegistrationService,
  type RunningRegistrationService,
} from '../../src/create-service.js';

/** A port that was free a moment ago (the public URL must name the real port). */
export { freePort } from '@nes/testing';

/** A fresh signing key entry `kid:secret`. */
export function signingKeyEntry(kid = 'k1'): string {
  return `${kid}:${randomBytes(32).toString('base64url')}`;
}

/** A running service on its own database and Redis key prefix, with its log lines captured. */
export interface TestService {
  readonly base: string;
  readonly grpcAddress: string;
  readonly service: RunningRegistrationService;
  readonly config: RegistrationConfig;
  readonly env: Record<string, string>;
  readonly db: TestDatabase;
  /** A pool on the test database with search_path oauth, for assertions. */
  readonly sql: pg.Pool;
  /** Every log line the service wrote, raw. */
  readonly logs: string[];
  /** An administrator API key (holder `alice`). */
  readonly adminKey: string;
  stop(): Promise<void>;
}

/** Options of {@link startTestService}. */
export interface TestServiceOptions {
  /** Extra or replaced NES_REG_* variables. */
  readonly env?: Record<string, string>;
  /** An existing database to reuse (e.g. to restart a service on the same data). */
  readonly db?: TestDatabase;
  readonly clock?: Clock;
}

/** Starts the registration service as production would, on a database of its own. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const infra = getInfra();
  const db = options.db ?? (await createTestDatabase('reg'));
  const admin = generateAdminKey('alice');
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ service: 'registration', level: 'debug', destination });
  // The public URL names the HTTP port, so the port is picked first and the
  // start is retried should another process take it meanwhile.
  const { env, config, service } = await withFreePort(async (port) => {
    const env: Record<string, string> = {
      NES_REG_HTTP_HOST: '127.0.0.1',
      NES_REG_HTTP_PORT: String(port),
      NES_REG_GRPC_HOST: '127.0.0.1',
      NES_REG_DATABASE_URL: db.url,
      NES_REG_DATABASE_POOL_SIZE: '12',
      NES_REG_REDIS_URL: infra.redis.url,
      NES_REG_REDIS_KEY_PREFIX: `${uniqueName('reg')}:`,
      NES_REG_PUBLIC_URL: `http://127.0.0.1:${port}`,
      NES_REG_SERVER_HOST: 'nes-test-host',
      NES_REG_CRT_SIGNING_KEY: signingKeyEntry(),
      NES_REG_ADMIN_API_KEYS: admin.entry,
      NES_REG_LOG_LEVEL: 'debug',
      NES_REG_SHUTDOWN_TIMEOUT_MS: '10000',
      // Tests register many clients from one address; the rate limit test lowers these.
      NES_REG_RATE_LIMIT_REGISTER_PER_IP: '1000000',
      NES_REG_RATE_LIMIT_REGISTER_PER_CRT: '1000000',
      ...options.env,
    };
    const parsed = loadConfig(env);
    // gRPC on any free port (the env schema requires a real port number).
    const config: RegistrationConfig = { ...parsed, grpc: { ...parsed.grpc, port: 0 } };
    const service = await startRegistrationService(config, {
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return { env, config, service };
  });
  const sql = new pg.Pool({ connectionString: db.url, max: 4, options: '-c search_path=oauth' });
  return {
    base: `http://127.0.0.1:${service.httpPort}`,
    grpcAddress: `127.0.0.1:${service.grpcPort}`,
    service,
    config,
    env,
    db,
    sql,
    logs,
    adminKey: admin.key,
    async stop() {
      await service.lifecycle.stop('test done');
      await sql.end();
      if (!options.db) await db.drop();
    },
  };
}
