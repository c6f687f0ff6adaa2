import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Lifecycle, Logger } from '@nes/kit';
import type { Config } from './config.js';
import { becomesReady, ensureDemoCrt } from './demo-crt.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { startRedis } from './redis-server.js';
import { type PlatformEndpoints, services } from './services.js';
import { Supervisor } from './supervisor.js';

/**
 * Brings NES up on one machine: embedded PostgreSQL (also carrying the
 * Postgres-backed event bus), a local Redis, then every service as its own
 * process. Registers the reverse sequence with the lifecycle.
 */
export async function startAllInOne(
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
  /** The runner's own environment, which each service inherits under its own variables. */
  baseEnv: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const home = resolve(config.home);
  // The postgres OS user must be able to reach its data dir below this one.
  mkdirSync(home, { recursive: true, mode: 0o755 });

  const [database, redis] = await startedTogether(
    startEmbeddedPostgres({
      dir: join(home, 'postgres'),
      port: config.postgres.port,
      password: localSecret(home, 'postgres-password'),
      database: 'nes',
      logger,
    }),
    startRedis({ dir: join(home, 'redis'), port: config.redis.port, logger }),
  );
  lifecycle.onStop('postgres', () => database.stop());
  lifecycle.onStop('redis', () => redis.stop());

  const adminApiKey = localSecret(home, 'admin-api-key', 'nesadm_');
  const endpoints: PlatformEndpoints = {
    databaseUrl: database.url,
    redisUrl: redis.url,
    publicHost: config.publicHost,
    adminApiKeySha256: createHash('sha256').update(adminApiKey).digest('hex'),
    secret: (name) => localSecret(home, name),
  };
  const supervisor = new Supervisor(logger, config.serviceGraceMs, baseEnv);
  const require = createRequire(import.meta.url);
  for (const spec of services) {
    supervisor.start({
      name: spec.name,
      script: require.resolve(spec.entry),
      env: spec.env(endpoints),
    });
  }
  lifecycle.onStop('services', () => supervisor.stop());

  const registration = services.find((s) => s.name === 'registration');
  const demoCrt = registration?.httpPort
    ? await ensureDemoCrt({
        home,
        registrationUrl: `http://127.0.0.1:${registration.httpPort}`,
        adminApiKey,
        logger,
      })
    : undefined;
  // "Up" means ready: each service's /readyz, waited for together.
  const readiness = await Promise.all(
    services.map(async (s) =>
      s.httpPort === undefined
        ? true
        : becomesReady(`http://127.0.0.1:${s.httpPort}/readyz`, READY_TIMEOUT_MS),
    ),
  );
  const notReady = services.filter((_, i) => readiness[i] === false).map((s) => s.name);
  if (notReady.length > 0) {
    logger.warn({ services: notReady }, 'not ready yet; their logs above say why');
  }
  printSummary(config, endpoints, join(home, 'admin-api-key'), demoCrt, new Set(notReady));
}

/** How long the runner waits for every service's /readyz before printing the summary. */
const READY_TIMEOUT_MS = 90_000;

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts two servers in parallel; if one fails, stops the other before
 * rethrowing, so that a failed start leaves no orphan server behind.
 */
async function startedTogether<A extends Stoppable, B extends Stoppable>(
  a: Promise<A>,
  b: Promise<B>,
): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'fulfilled' && rb.status === 'fulfilled') return [ra.value, rb.value];
  await Promise.allSettled(
    [ra, rb].flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])),
  );
  throw ra.status === 'rejected' ? ra.reason : (rb as PromiseRejectedResult).reason;
}

/** A 256-bit secret generated on first start and kept (0600) under the runner's home. */
function localSecret(home: string, name: string, prefix = ''): string {
  const path = join(home, name);
  if (!existsSync(path)) {
    writeFileSync(path, `${prefix}${randomBytes(32).toString('base64url')}`, { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

function printSummary(
  config: Config,
  endpoints: PlatformEndpoints,
  adminKeyFile: string,
  demoCrt: string | undefined,
  notReady: ReadonlySet<string>,
): void {
  const host = config.publicHost;
  const rows: [string, string][] = [
    ['postgres', endpoints.databaseUrl.replace(/:[^:@/]+@/, ':***@')],
    ['redis', endpoints.redisUrl],
    ...services.flatMap((s): [string, string][] => [
      ...(s.httpPort
        ? [
            [
              s.name,
              `http://${host}:${s.httpPort}${notReady.has(s.name) ? '  (NOT READY)' : ''}`,
            ] as [string, string],
          ]
        : []),
      ...(s.grpcPort ? [[`${s.name} (gRPC)`, `${host}:${s.grpcPort}`] as [string, string]] : []),
    ]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, url]) => `  ${name.padEnd(width)}  ${url}`);
  if (services.length === 0) lines.push('  (no NES service has landed yet; the platform is up)');
  lines.push('', `  admin API key: ${adminKeyFile}  (send as "Authorization: Bearer <key>")`);
  if (demoCrt) lines.push(`  demo CRT for an MDM: ${demoCrt}`);
  process.stdout.write(
    `\nNES is ${notReady.size === 0 ? 'up' : 'partly up'} (data in ${resolve(config.home)}). Ctrl-C stops everything.\n${lines.join('\n')}\n\n`,
  );
}
