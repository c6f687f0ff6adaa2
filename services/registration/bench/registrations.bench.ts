/**
 * Registrations per second through the real POST /oauth2/register (CRT
 * check, rate limits in Redis, metadata validation, the transaction with
 * the CRT slot, client row, scope grant and two outbox events, the relay
 * publishing to the Postgres bus) next to a baseline: a plain fastify
 * endpoint doing one INSERT of a row of the same width on the same Postgres
 * — the ceiling for "one HTTP request, one durable write".
 *
 * Loopback only, bounded (two 12 s phases after 2 s warm-ups, under 60 s
 * with start-up). The load runs in a worker thread so it gets its own event
 * loop. Prints a table, then one JSON line `{"bench":"registration", ...}`.
 *
 *   pnpm bench registrations
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createLogger } from '@nes/kit';
import { createTestDatabase, parseInfraConfig, startInfra, stopInfra } from '@nes/testing';
import Fastify from 'fastify';
import pg from 'pg';
import { generateAdminKey } from '../src/admin-key.js';
import { loadConfig } from '../src/config.js';
import { startRegistrationService } from '../src/create-service.js';

const CONCURRENCY = 16;
const WARMUP_MS = 2_000;
const MEASURE_MS = 12_000;

/** The load generator, run in a worker thread (plain JS: no loader needed there). */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, authorization, concurrency, warmupMs, measureMs } = workerData;
let n = 0;
function body() {
  n += 1;
  return JSON.stringify({
    grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic',
    app_name: 'Nymi Connect', app_version: '3.0.1', os_type: 'Android 14', host_name: 'SM-M315F',
    device_info_1: 'SN' + n, device_info_2: 'mdm-' + n, android_id: 'bf75d75e' + String(n).padStart(8, '0'),
  });
}
(async () => {
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + measureMs;
  const latencies = [];
  let ok = 0, failed = 0;
  async function loop() {
    while (performance.now() < end) {
      const t0 = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: body() });
      await response.arrayBuffer();
      const t1 = performance.now();
      if (t0 < measureFrom) continue;
      if (response.status === 201) { ok += 1; latencies.push(t1 - t0); } else failed += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  parentPort.postMessage({ ok, failed, latencies });
})().catch((error) => { parentPort.postMessage({ error: String(error) }); });
`;

interface PhaseResult {
  readonly name: string;
  readonly perSecond: number;
  readonly ok: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return (
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) /
    100
  );
}

function runLoad(name: string, url: string, authorization: string): Promise<PhaseResult> {
  const worker = new Worker(LOAD_WORKER, {
    eval: true,
    workerData: {
      url,
      authorization,
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_MS,
      measureMs: MEASURE_MS,
    },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once(
      'message',
      (message: { ok: number; failed: number; latencies: number[]; error?: string }) => {
        void worker.terminate();
        if (message.error) {
          reject(new Error(message.error));
          return;
        }
        const sorted = [...message.latencies].sort((a, b) => a - b);
        resolve({
          name,
          perSecond: Math.round((message.ok / (MEASURE_MS / 1000)) * 10) / 10,
          ok: message.ok,
          failed: message.failed,
          p50Ms: percentile(sorted, 0.5),
          p95Ms: percentile(sorted, 0.95),
          p99Ms: percentile(sorted, 0.99),
        });
      },
    );
  });
}

/** The ceiling: one INSERT of a client-sized row per request, same pool size, same database. */
async function startBaseline(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(`CREATE TABLE baseline_client (
    client_id uuid PRIMARY KEY, name text, secret_hash text, rat_hash text, app_name text,
    os_type text, host_name text, device_info_1 text, device_info_2 text, android_id text,
    created_at timestamptz)`);
  const app = Fastify();
  app.post('/baseline', async (request, reply) => {
    const body = request.body as Record<string, string>;
    const id = crypto.randomUUID();
    await pool.query(
      `INSERT INTO baseline_client VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())`,
      [
        id,
        `${body.device_info_1}-${body.device_info_2}`,
        randomBytes(32).toString('hex'),
        randomBytes(32).toString('hex'),
        body.app_name,
        body.os_type,
        body.host_name,
        body.device_info_1,
        body.device_info_2,
        body.android_id,
      ],
    );
    return reply.code(201).send({ client_id: id });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/baseline`,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function main(): Promise<void> {
  const started = performance.now();
  const infra = await startInfra({
    config: parseInfraConfig({ NES_TEST_INFRA: 'local', NES_TEST_COMPONENTS: 'postgres,redis' }),
    log: () => undefined,
  });
  try {
    const postgresUrl = infra.postgres?.url ?? '';
    const redisUrl = infra.redis?.url ?? '';
    const db = await createTestDatabase('bench_reg', postgresUrl);
    const admin = generateAdminKey('bench');
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const config = loadConfig({
      NES_REG_HTTP_HOST: '127.0.0.1',
      NES_REG_HTTP_PORT: String(httpPort),
      NES_REG_GRPC_HOST: '127.0.0.1',
      NES_REG_GRPC_PORT: String(grpcPort),
      NES_REG_DATABASE_URL: db.url,
      NES_REG_REDIS_URL: redisUrl,
      NES_REG_PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
      NES_REG_CRT_SIGNING_KEY: `bench:${randomBytes(32).toString('base64url')}`,
      NES_REG_ADMIN_API_KEYS: admin.entry,
      NES_REG_RATE_LIMIT_REGISTER_PER_IP: '1000000',
      NES_REG_RATE_LIMIT_REGISTER_PER_CRT: '1000000',
      NES_REG_LOG_LEVEL: 'warn',
    });
    const service = await startRegistrationService(config, {
      logger: createLogger({ service: 'registration', level: 'warn' }),
    });
    const baseline = await startBaseline(db.url);
    try {
      const base = `http://127.0.0.1:${service.httpPort}`;
      const created = await fetch(`${base}/admin/v1/crts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          title: 'bench',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          maxClients: 0,
        }),
      });
      const { token } = (await created.json()) as { token: string };

      const registration = await runLoad(
        'POST /oauth2/register',
        `${base}/oauth2/register`,
        `Bearer ${token}`,
      );
      const ceiling = await runLoad('baseline INSERT', baseline.url, 'Bearer none');
      const backlog = await service.context.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );

      const rows = [registration, ceiling];
      const line = (cells: string[]) =>
        cells.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(10))).join(' ');
      console.log(line(['endpoint', 'req/s', 'ok', 'failed', 'p50 ms', 'p95 ms', 'p99 ms']));
      for (const r of rows) {
        console.log(
          line([
            r.name,
            String(r.perSecond),
            String(r.ok),
            String(r.failed),
            String(r.p50Ms),
            String(r.p95Ms),
            String(r.p99Ms),
          ]),
        );
      }
      const ratio =
        Math.round((registration.perSecond / Math.max(ceiling.perSecond, 1)) * 1000) / 1000;
      console.log(
        `registration reaches ${Math.round(ratio * 100)}% of the single-INSERT ceiling; ` +
          `outbox rows still unpublished at the end: ${backlog.rows[0]?.n ?? 0}`,
      );
      console.log(
        JSON.stringify({
          bench: 'registration',
          machine: {
            cpu: cpus()[0]?.model ?? 'unknown',
            cores: cpus().length,
            node: process.version,
          },
          concurrency: CONCURRENCY,
          measureSeconds: MEASURE_MS / 1000,
          registrationsPerSecond: registration.perSecond,
          registrationP50Ms: registration.p50Ms,
          registrationP95Ms: registration.p95Ms,
          registrationP99Ms: registration.p99Ms,
          registrationFailures: registration.failed,
          baselinePerSecond: ceiling.perSecond,
          baselineP50Ms: ceiling.p50Ms,
          baselineP99Ms: ceiling.p99Ms,
          ratioToBaseline: ratio,
          outboxBacklogAtEnd: backlog.rows[0]?.n ?? 0,
          totalSeconds: Math.round((performance.now() - started) / 100) / 10,
        }),
      );
    } finally {
      await baseline.close();
      await service.lifecycle.stop('bench done');
      await db.drop();
    }
  } finally {
    await stopInfra();
  }
}

await main();
