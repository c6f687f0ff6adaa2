import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createKafkaBus, type EventBus } from '@nes/bus';
import { createLogger, type Logger } from '@nes/kit';
import {
  loadConfig as loadRegistrationConfig,
  startRegistrationService,
  type RunningRegistrationService,
} from '@nes/registration';
import {
  createTestDatabase,
  freePort,
  getInfra,
  startUrlProxy,
  uniqueName,
  withFreePort,
  type TcpProxy,
  type TestDatabase,
} from '@nes/testing';
import { createTokenService, loadConfig as loadTokenConfig, type TokenService } from '@nes/token';
import pg from 'pg';
import { expect } from 'vitest';
import { generateAnalystKey } from '../../src/domain/analyst-keys.js';
import { loadApiConfig, loadConfig, type ApiConfig } from '../../src/config.js';
import { startProjector, type RunningProjector } from '../../src/create-projector.js';
import { startTelemetryService, type RunningTelemetryService } from '../../src/create-service.js';

/** A port that was free a moment ago (issuer URLs must name the real port). */
export { freePort } from '@nes/testing';

/** Log lines written to an array (and the logger writing them). */
export function captureLogs(service: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ service, level: 'debug', destination }), lines };
}

/** Kafka consumer timings fit for tests (INFRA.md). */
export const TEST_CONSUMER_ENV = {
  NES_TEL_CONSUMER_SESSION_TIMEOUT_MS: '3000',
  NES_TEL_CONSUMER_HEARTBEAT_INTERVAL_MS: '300',
  NES_TEL_CONSUMER_MAX_WAIT_MS: '100',
};

/** A registered device with an access token from the real token service. */
export interface TestDevice {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly androidId: string;
  readonly metadata: Record<string, unknown>;
  readonly accessToken: string;
}

/** Registration, token, telemetry API and (optionally) projector on one database and bus. */
export interface TelemetryStack {
  readonly db: TestDatabase;
  readonly registration: RunningRegistrationService;
  readonly registrationBase: string;
  readonly token: TokenService;
  readonly telemetry: RunningTelemetryService;
  readonly base: string;
  /** NES_TEL_* of the telemetry processes (for a projector child process). */
  readonly env: Record<string, string>;
  readonly config: ApiConfig;
  readonly projector: RunningProjector | undefined;
  /** The proxy between telemetry and Postgres, with `proxyDatabase`. */
  readonly databaseProxy: TcpProxy | undefined;
  /** The proxy between telemetry and Redis, with `proxyRedis`. */
  readonly redisProxy: TcpProxy | undefined;
  readonly analystKey: string;
  readonly adminKey: string;
  readonly telemetryLogs: string[];
  /** A pool on the test database (search_path telemetry, audit). */
  readonly sql: pg.Pool;
  registerDevice(metadata?: Record<string, unknown>): Promise<TestDevice>;
  startProjector(): Promise<RunningProjector>;
  stop(): Promise<void>;
}

/** Options of {@link startStack}. */
export interface StackOptions {
  /** Kafka brokers (a private mock of the test file), or the Postgres bus when absent. */
  readonly brokers?: readonly string[];
  /** Start an in-process projector too (default true). */
  readonly projector?: boolean;
  readonly telemetryEnv?: Record<string, string>;
  /**
   * Connect the telemetry API and projector to Postgres through a TCP proxy
   * the test can take down (`databaseProxy`); registration and token connect
   * directly.
   */
  readonly proxyDatabase?: boolean;
  /** The same for their Redis (`redisProxy`). */
  readonly proxyRedis?: boolean;
}

let deviceCounter = 0;

/** Starts the real registration and token services and the telemetry service against them. */
export async function startStack(options: StackOptions = {}): Promise<TelemetryStack> {
  const infra = getInfra();
  const db = await createTestDatabase('tel');
  const kafka = options.brokers;
  const busEnv = (prefix: string): Record<string, string> =>
    kafka === undefined
      ? {}
      : { [`${prefix}BUS_KIND`]: 'kafka', [`${prefix}BUS_BROKERS`]: kafka.join(',') };
  const quiet = createLogger({ service: 'test', level: 'silent' });

  // Each service listens on a port that was free a moment ago; another may take
  // it first (any outgoing connection's ephemeral port can), so a clash retries.
  const adminKey = `nesadm_${randomBytes(32).toString('base64url')}`;
  const registration = await withFreePort(async (regPort) => {
    const regConfig = loadRegistrationConfig({
      NES_REG_HTTP_HOST: '127.0.0.1',
      NES_REG_HTTP_PORT: String(regPort),
      NES_REG_GRPC_HOST: '127.0.0.1',
      NES_REG_DATABASE_URL: db.url,
      NES_REG_REDIS_URL: infra.redis.url,
      NES_REG_REDIS_KEY_PREFIX: `${uniqueName('reg')}:`,
      NES_REG_PUBLIC_URL: `http://127.0.0.1:${regPort}`,
      NES_REG_CRT_SIGNING_KEY: `k1:${randomBytes(32).toString('base64url')}`,
      NES_REG_ADMIN_API_KEYS: `auditor:${createHash('sha256').update(adminKey).digest('hex')}`,
      NES_REG_SERVER_HOST: 'nes-test-host',
      NES_REG_RATE_LIMIT_REGISTER_PER_IP: '1000000',
      ...busEnv('NES_REG_'),
    });
    return startRegistrationService(
      { ...regConfig, grpc: { ...regConfig.grpc, port: 0 } },
      { logger: quiet },
    );
  });
  const registrationBase = `http://127.0.0.1:${registration.httpPort}`;
  const grpcTarget = `127.0.0.1:${registration.grpcPort}`;

  const tokenPrefix = `${uniqueName('tok')}:`;
  const tokenBus: EventBus | undefined =
    kafka === undefined
      ? undefined
      : createKafkaBus({
          brokers: kafka,
          clientId: 'test-token',
          logger: quiet,
          consumer: { sessionTimeoutMs: 3000, heartbeatIntervalMs: 300, maxWaitTimeMs: 100 },
        });
  const token = await withFreePort(async (tokenPort) => {
    const tokenConfig = loadTokenConfig({
      NES_TOKEN_HTTP_HOST: '127.0.0.1',
      NES_TOKEN_HTTP_PORT: String(tokenPort),
      NES_TOKEN_DATABASE_URL: db.url,
      NES_TOKEN_REDIS_URL: infra.redis.url,
      NES_TOKEN_REDIS_KEY_PREFIX: tokenPrefix,
      NES_TOKEN_ISSUER: `http://127.0.0.1:${tokenPort}`,
      NES_TOKEN_REGISTRATION_GRPC_TARGET: grpcTarget,
      NES_TOKEN_KEYS_ENCRYPTION_KEY: `kek-1:${randomBytes(32).toString('base64')}`,
      ...busEnv('NES_TOKEN_'),
    });
    return createTokenService(tokenConfig, {
      logger: quiet,
      ...(tokenBus === undefined ? {} : { bus: tokenBus }),
    });
  });

  const databaseProxy = options.proxyDatabase ? await startUrlProxy(db.url) : undefined;
  const redisProxy = options.proxyRedis ? await startUrlProxy(infra.redis.url) : undefined;
  const analyst = generateAnalystKey('alice');
  const env: Record<string, string> = {
    NES_TEL_HTTP_HOST: '127.0.0.1',
    NES_TEL_HTTP_PORT: String(await freePort()),
    NES_TEL_DATABASE_URL: databaseProxy?.url ?? db.url,
    NES_TEL_DATABASE_POOL_SIZE: '12',
    NES_TEL_REDIS_URL: redisProxy?.url ?? infra.redis.url,
    NES_TEL_REDIS_KEY_PREFIX: `${uniqueName('tel')}:`,
    NES_TEL_AUTH_ISSUER: token.url,
    NES_TEL_AUTH_REVOCATION_KEY_PREFIX: tokenPrefix,
    NES_TEL_REGISTRATION_GRPC_TARGET: grpcTarget,
    NES_TEL_ANALYSTS_API_KEYS: analyst.entry,
    NES_TEL_LOG_LEVEL: 'debug',
    NES_TEL_SHUTDOWN_TIMEOUT_MS: '10000',
    NES_TEL_PROJECTOR_HTTP_HOST: '127.0.0.1',
    NES_TEL_PROJECTOR_HTTP_PORT: String(await freePort()),
    NES_TEL_QUERY_STREAM_POLL_MS: '100',
    ...TEST_CONSUMER_ENV,
    ...busEnv('NES_TEL_'),
    ...options.telemetryEnv,
  };
  const { logger, lines: telemetryLogs } = captureLogs('telemetry');
  let config = loadApiConfig(env);
  const telemetry = await withFreePort((port) => {
    env.NES_TEL_HTTP_PORT = String(port);
    config = loadApiConfig(env);
    return startTelemetryService(config, { logger });
  });
  const base = `http://127.0.0.1:${telemetry.httpPort}`;
  const projectors: RunningProjector[] = [];
  const launchProjector = async () => {
    const projector = await withFreePort((port) =>
      startProjector(loadConfig({ ...env, NES_TEL_PROJECTOR_HTTP_PORT: String(port) }), {
        logger: logger.child({ test: 'projector' }),
      }),
    );
    projectors.push(projector);
    return projector;
  };
  const projector = options.projector === false ? undefined : await launchProjector();
  const sql = new pg.Pool({
    connectionString: db.url,
    max: 4,
    options: '-c search_path=telemetry,audit',
  });

  async function registerDevice(overrides: Record<string, unknown> = {}): Promise<TestDevice> {
    deviceCounter += 1;
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const crtReply = await fetch(`${registrationBase}/admin/v1/crts`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        title: `telemetry ${deviceCounter} ${Date.now()} ${randomBytes(3).toString('hex')}`,
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        scope: 'nymi-connect',
        details: 'telemetry test',
        maxClients: 0,
      }),
    });
    const crt = (await crtReply.json()) as { token: string };
    expect(crtReply.status).toBe(201);
    const androidId = `a${randomBytes(7).toString('hex')}`;
    const metadata = {
      client_name: 'Nymi Connect',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'nymi-connect',
      app_name: 'Nymi Connect',
      app_version: '3.0.1',
      os_type: 'Android 14',
      host_name: 'SM-M315F',
      device_info_1: `SN${deviceCounter}`,
      device_info_2: `mdm-${deviceCounter}`,
      android_id: androidId,
      ...overrides,
    };
    const registered = await fetch(`${registrationBase}/oauth2/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${crt.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
    });
    const client = (await registered.json()) as { client_id: string; client_secret: string };
    expect(registered.status).toBe(201);
    const basic = Buffer.from(
      `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
    ).toString('base64');
    const tokenReply = await fetch(`${token.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const tokenBody = (await tokenReply.json()) as { access_token: string };
    expect(tokenReply.status, JSON.stringify(tokenBody)).toBe(200);
    return {
      clientId: client.client_id,
      clientSecret: client.client_secret,
      androidId: String(metadata.android_id),
      metadata,
      accessToken: tokenBody.access_token,
    };
  }

  return {
    db,
    registration,
    registrationBase,
    token,
    telemetry,
    base,
    env,
    config,
    projector,
    databaseProxy: databaseProxy?.proxy,
    redisProxy: redisProxy?.proxy,
    analystKey: analyst.key,
    adminKey,
    telemetryLogs,
    sql,
    registerDevice,
    startProjector: launchProjector,
    async stop() {
      for (const p of projectors) await p.lifecycle.stop('test done');
      await telemetry.lifecycle.stop('test done');
      await token.lifecycle.stop('test done');
      await tokenBus?.close();
      await registration.lifecycle.stop('test done');
      await sql.end();
      await databaseProxy?.proxy.close();
      await redisProxy?.proxy.close();
      await db.drop();
    },
  };
}

/** Polls `check` until it stops throwing (or rethrows after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
