/**
 * Telemetry ingest, end to end: HTTP batches → validation, identity, receipts
 * and outbox in one transaction → relay → Kafka (nes.audit.v1) → projector
 * (a separate process, as deployed) → committed telemetry.log rows. Side by
 * side in the same run: raw COPY of the same rows into the same table (same
 * indexes) — the ceiling of "rows into telemetry.log". Then the projection
 * lag (row committed minus event recorded) under a steady 5,000 events/s.
 *
 * Loopback only, bounded (~90 s with start-up): the real registration and
 * token services issue the devices' credentials; a private Kafka mock with 32
 * partitions, one device (key) per partition. The load runs in a worker
 * thread. Prints a table, then one JSON line {"bench":"telemetry", ...}.
 *
 *   pnpm bench ingest
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createLogger } from '@nes/kit';
import { telemetryV1 } from '@nes/proto';
import { loadConfig as loadRegistrationConfig, startRegistrationService } from '@nes/registration';
import {
  createTestDatabase,
  metricValue,
  parseInfraConfig,
  startInfra,
  startKafkaMock,
  stopInfra,
} from '@nes/testing';
import { createTokenService, loadConfig as loadTokenConfig } from '@nes/token';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadApiConfig } from '../src/config.js';
import { startTelemetryService } from '../src/create-service.js';
import { toLogRow } from '../src/domain/log-row.js';
import { androidIdsOnePerPartition } from '../test/support/partitions.js';

const PARTITIONS = 32;
const BATCH = 500;
const CONCURRENCY = 8;
const WARMUP_MS = 3_000;
const MEASURE_MS = 15_000;
const LAG_RATE = 5_000;
const LAG_MS = 10_000;

const quiet = createLogger({ service: 'bench', level: 'silent' });

/** The projector's count of telemetry.log rows it wrote (redeliveries not counted). */
const projectedRows = (url: string) =>
  metricValue(url, 'nes_telemetry_projected_rows_total', { table: 'log' });

/** What the projector child inherits: this run's PATH (and a profiler's NODE_OPTIONS). */
function toolchainEnv(): Record<string, string> {
  // eslint-disable-next-line no-restricted-syntax -- benchmark tooling, not a service
  const { PATH = '', NODE_OPTIONS } = process.env;
  return NODE_OPTIONS === undefined ? { PATH } : { PATH, NODE_OPTIONS };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The load generator (plain JS in a worker thread): batches of events, as devices send them. */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { randomUUID } = require('node:crypto');
const { url, devices, batch, concurrency, warmupMs, measureMs, ratePerSecond } = workerData;
let n = 0;
// Each event written straight as JSON text around the few fields that vary:
// building objects and JSON.stringify-ing them cost the generator a third of a
// core, which it took from the system it measures on this 2-core machine.
const field = (name, value) => JSON.stringify(name) + ':' + JSON.stringify(value);
const fixed = [
  field('eventType', 'TapAuthentication'), field('category', 'Audit'),
  field('subCategory', 'Authentication'), field('producer', 'NCA'), field('producerVersion', '3.0.1'),
  field('appProcessName', 'chrome.exe'), field('appUrl', 'https://intranet.example.com/login'),
  field('appWindowTitle', 'Sign in - Intranet'), field('details', 'autofill'),
  field('severity', 'Information'), field('message', 'User authenticated with a tap'),
  field('source', 'TapService'),
].join(',');
const users = Array.from({ length: 500 }, (_, i) => field('userId', 'EXAMPLE\\\\user' + i));
const bands = Array.from({ length: 90 }, (_, i) => field('authenticatorId', 'BLE_MAC_00:1A:7D:DA:' + String(i + 10) + ':13'));
function body() {
  const eventTime = field('eventTime', new Date().toISOString());
  const events = new Array(batch);
  for (let i = 0; i < batch; i++) {
    n += 1;
    events[i] = '{"eventId":"' + randomUUID() + '",' + eventTime + ',' + fixed + ',' + users[n % 500] +
      ',' + bands[n % 90] + ',"totalElapsedMs":' + (800 + (n % 400)) + '}';
  }
  return '{"events":[' + events.join(',') + ']}';
}
(async () => {
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + measureMs;
  let accepted = 0, measured = 0, failed = 0, k = 0;
  const interval = ratePerSecond ? (batch / ratePerSecond) * 1000 : 0;
  async function loop(worker) {
    let next = performance.now() + worker * (interval / concurrency);
    while (performance.now() < end) {
      if (interval) { const wait = next - performance.now(); if (wait > 0) await new Promise((r) => setTimeout(r, wait)); next += interval * concurrency; }
      const device = devices[k++ % devices.length];
      const t0 = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + device }, body: body() });
      const text = await response.text();
      if (response.status === 202) { const r = JSON.parse(text); accepted += r.accepted; if (t0 >= measureFrom) measured += r.accepted; } else { failed += 1; }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
  parentPort.postMessage({ accepted, measured, failed });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

interface LoadResult {
  readonly accepted: number;
  readonly measured: number;
  readonly failed: number;
}

function runLoad(data: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: data });
    worker.once('message', (message: LoadResult & { error?: string }) => {
      void worker.terminate();
      if (message.error) reject(new Error(message.error));
      else resolve(message);
    });
    worker.once('error', reject);
  });
}

async function rowCount(sql: pg.Pool): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM telemetry.log`);
  return Number(rows[0]?.n ?? 0);
}

async function waitForReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(url).then(
      (reply) => reply.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready`);
    await sleep(200);
  }
}

/**
 * Waits until the projector has written `target` new log rows, watching its
 * own counter: polling count(*) of a table of 100,000s of rows every 100 ms
 * took a fifth of Postgres' time in this bench (pg_stat_statements) — the
 * time the projector needed.
 */
async function waitForProjected(metricsUrl: string, target: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let projected = await projectedRows(metricsUrl);
  while (projected < target && Date.now() < deadline) {
    await sleep(100);
    projected = await projectedRows(metricsUrl);
  }
  return projected;
}

/** The ceiling: COPY of `count` rows shaped exactly like projected ones into telemetry.log. */
async function copyCeiling(sql: pg.Pool, count: number): Promise<number> {
  const client = await sql.connect();
  try {
    const started = performance.now();
    const stream = client.query(
      copyFrom(
        `COPY telemetry.log (event_id, "timestamp", severity, level, message, exception, trace_id,
           span_id, source, service_name, attributes, client_ip, event_type, event_time, user_id,
           authenticator_id, secondary_authenticator_id, host_id, client_id) FROM STDIN`,
      ),
    );
    const escape = (value: string | number | Date | null): string =>
      value === null || value === undefined
        ? '\\N'
        : (value instanceof Date ? value.toISOString() : `${value}`)
            .replaceAll('\\', '\\\\')
            .replaceAll('\t', '\\t')
            .replaceAll('\n', '\\n');
    const now = new Date();
    let chunk = '';
    for (let i = 0; i < count; i += 1) {
      const payload = telemetryV1.TelemetryEvent.fromPartial({
        eventType: 'TapAuthentication',
        eventTime: now,
        category: 'Audit',
        subCategory: 'Authentication',
        producer: 'NCA',
        producerVersion: '3.0.1',
        osType: 'Android 14',
        hostId: `copyhost${i % PARTITIONS}`,
        userId: `EXAMPLE\\user${i % 500}`,
        authenticatorId: `BLE_MAC_00:1A:7D:DA:${(i % 90) + 10}:13`,
        appProcessName: 'chrome.exe',
        appUrl: 'https://intranet.example.com/login',
        appWindowTitle: 'Sign in - Intranet',
        totalElapsedMs: 800 + (i % 400),
        details: 'autofill',
        severity: telemetryV1.LogLevel.INFORMATION,
        level: telemetryV1.LogLevel.INFORMATION,
        message: 'User authenticated with a tap',
        source: 'TapService',
        clientIp: '127.0.0.1',
        clientId: 'copy-client',
        clientName: 'SN1-mdm-1',
        appName: 'Nymi Connect',
        hostName: 'SM-M315F',
        receivedAt: now,
        clientEventId: randomBytes(16).toString('hex'),
      });
      const row = toLogRow({ id: crypto.randomUUID(), source: 'nes/telemetry' }, payload);
      chunk += `${[
        row.eventId,
        row.timestamp,
        row.severity,
        row.level,
        row.message,
        row.exception,
        row.traceId,
        row.spanId,
        row.source,
        row.serviceName,
        JSON.stringify(row.attributes),
        row.clientIp,
        row.eventType,
        row.eventTime,
        row.userId,
        row.authenticatorId,
        row.secondaryAuthenticatorId,
        row.hostId,
        row.clientId,
      ]
        .map(escape)
        .join('\t')}\n`;
      if (chunk.length > 1 << 20) {
        if (!stream.write(chunk)) await once(stream, 'drain');
        chunk = '';
      }
    }
    stream.end(chunk);
    await once(stream, 'finish');
    return count / ((performance.now() - started) / 1000);
  } finally {
    client.release();
  }
}

async function lagPercentiles(sql: pg.Pool, since: Date): Promise<Record<string, number>> {
  const { rows } = await sql.query<Record<string, string>>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY lag) AS p95,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99,
            max(lag) AS max, count(*) AS n
       FROM (SELECT extract(epoch FROM created_at - "timestamp") * 1000 AS lag
               FROM telemetry.log WHERE "timestamp" >= $1 AND client_id <> 'copy-client') l`,
    [since],
  );
  const row = rows[0] ?? {};
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Math.round(Number(v))]));
}

async function main(): Promise<void> {
  const machine = `${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores`;
  const infra = await startInfra({
    config: parseInfraConfig({ NES_TEST_INFRA: 'local', NES_TEST_COMPONENTS: 'postgres,redis' }),
    log: () => undefined,
  });
  const postgresUrl = infra.postgres?.url ?? '';
  const redisUrl = infra.redis?.url ?? '';
  const kafka = await startKafkaMock({
    topics: [{ name: 'nes.audit.v1', partitions: PARTITIONS }],
    log: () => undefined,
  });
  const children: ChildProcess[] = [];
  try {
    const db = await createTestDatabase('bench_tel', postgresUrl);
    const busEnv = (prefix: string) => ({
      [`${prefix}BUS_KIND`]: 'kafka',
      [`${prefix}BUS_BROKERS`]: kafka.brokers.join(','),
    });
    const regPort = await freePort();
    const adminKey = `nesadm_${randomBytes(32).toString('base64url')}`;
    const registration = await startRegistrationService(
      {
        ...loadRegistrationConfig({
          NES_REG_HTTP_HOST: '127.0.0.1',
          NES_REG_HTTP_PORT: String(regPort),
          NES_REG_GRPC_HOST: '127.0.0.1',
          NES_REG_DATABASE_URL: db.url,
          NES_REG_REDIS_URL: redisUrl,
          NES_REG_REDIS_KEY_PREFIX: 'bench-reg:',
          NES_REG_PUBLIC_URL: `http://127.0.0.1:${regPort}`,
          NES_REG_CRT_SIGNING_KEY: `k1:${randomBytes(32).toString('base64url')}`,
          NES_REG_ADMIN_API_KEYS: `bench:${createHash('sha256').update(adminKey).digest('hex')}`,
          NES_REG_RATE_LIMIT_REGISTER_PER_IP: '1000000',
          ...busEnv('NES_REG_'),
        }),
        grpc: { host: '127.0.0.1', port: 0 },
      },
      { logger: quiet },
    );
    const grpcTarget = `127.0.0.1:${registration.grpcPort}`;
    const tokenPort = await freePort();
    const token = await createTokenService(
      loadTokenConfig({
        NES_TOKEN_HTTP_HOST: '127.0.0.1',
        NES_TOKEN_HTTP_PORT: String(tokenPort),
        NES_TOKEN_DATABASE_URL: db.url,
        NES_TOKEN_REDIS_URL: redisUrl,
        NES_TOKEN_REDIS_KEY_PREFIX: 'bench-tok:',
        NES_TOKEN_ISSUER: `http://127.0.0.1:${tokenPort}`,
        NES_TOKEN_REGISTRATION_GRPC_TARGET: grpcTarget,
        NES_TOKEN_KEYS_ENCRYPTION_KEY: `kek-1:${randomBytes(32).toString('base64')}`,
        NES_TOKEN_TOKEN_LIFETIME_SECONDS: '3600',
        ...busEnv('NES_TOKEN_'),
      }),
      { logger: quiet },
    );
    const projectorPort = await freePort();
    const env: Record<string, string> = {
      NES_TEL_HTTP_HOST: '127.0.0.1',
      NES_TEL_HTTP_PORT: String(await freePort()),
      NES_TEL_DATABASE_URL: db.url,
      NES_TEL_DATABASE_POOL_SIZE: '16',
      NES_TEL_REDIS_URL: redisUrl,
      NES_TEL_REDIS_KEY_PREFIX: 'bench-tel:',
      NES_TEL_AUTH_ISSUER: token.url,
      NES_TEL_AUTH_REVOCATION_KEY_PREFIX: 'bench-tok:',
      NES_TEL_REGISTRATION_GRPC_TARGET: grpcTarget,
      NES_TEL_LOG_LEVEL: 'warn',
      NES_TEL_PROJECTOR_HTTP_HOST: '127.0.0.1',
      NES_TEL_PROJECTOR_HTTP_PORT: String(projectorPort),
      NES_TEL_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      NES_TEL_CONSUMER_HEARTBEAT_INTERVAL_MS: '500',
      NES_TEL_CONSUMER_MAX_WAIT_MS: '50',
      ...busEnv('NES_TEL_'),
    };
    const telemetry = await startTelemetryService(loadApiConfig(env), {
      logger: createLogger({ service: 'telemetry', level: 'warn' }),
    });
    const projector = spawn(
      process.execPath,
      [
        '--conditions=@nes/source',
        '--experimental-transform-types',
        '--no-warnings',
        '--import',
        fileURLToPath(new URL('../test/support/ts-resolve.mjs', import.meta.url)),
        fileURLToPath(new URL('../src/projector/main.ts', import.meta.url)),
      ],
      {
        env: { ...toolchainEnv(), ...env },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    children.push(projector);

    // 32 devices, one per partition: registration (RFC 7591) and a token each.
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const regBase = `http://127.0.0.1:${registration.httpPort}`;
    const crt = (await (
      await fetch(`${regBase}/admin/v1/crts`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          title: 'bench',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          scope: 'nymi-connect',
          details: '',
          maxClients: 0,
        }),
      })
    ).json()) as { token: string };
    const devices: string[] = [];
    for (const androidId of androidIdsOnePerPartition(PARTITIONS)) {
      const client = (await (
        await fetch(`${regBase}/oauth2/register`, {
          method: 'POST',
          headers: { authorization: `Bearer ${crt.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            app_name: 'Nymi Connect',
            os_type: 'Android 14',
            host_name: 'SM-M315F',
            android_id: androidId,
          }),
        })
      ).json()) as { client_id: string; client_secret: string };
      const basic = Buffer.from(
        `${client.client_id}:${encodeURIComponent(client.client_secret)}`,
      ).toString('base64');
      const issued = (await (
        await fetch(`${token.url}/oauth2/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        })
      ).json()) as { access_token: string };
      devices.push(issued.access_token);
    }
    const sql = new pg.Pool({ connectionString: db.url, max: 4 });
    // Idle connections die when the infrastructure stops at the end.
    sql.on('error', () => undefined);
    const url = `http://127.0.0.1:${telemetry.httpPort}/telemetry/v1/events`;

    // Phase 1: sustained throughput, ingest to committed rows.
    const projectorMetrics = `http://127.0.0.1:${projectorPort}/metrics`;
    const apiMetrics = `http://127.0.0.1:${telemetry.httpPort}/metrics`;
    await waitForReady(`http://127.0.0.1:${projectorPort}/readyz`);
    const before = await rowCount(sql);
    const projectedBefore = await projectedRows(projectorMetrics);
    const started = performance.now();
    const trace = setInterval(() => {
      void Promise.all([
        metricValue(apiMetrics, 'nes_telemetry_outbox_backlog'),
        projectedRows(projectorMetrics),
      ])
        .then(([backlog, projected]) => {
          const t = ((performance.now() - started) / 1000).toFixed(0);
          process.stderr.write(`  t=${t}s outbox backlog ~${backlog}, projected ${projected}\n`);
        })
        .catch(() => undefined);
    }, 2_000);
    const load = await runLoad({
      url,
      devices,
      batch: BATCH,
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_MS,
      measureMs: MEASURE_MS,
      ratePerSecond: 0,
    });
    const loadEnded = performance.now();
    const projected =
      (await waitForProjected(projectorMetrics, projectedBefore + load.accepted, 60_000)) -
      projectedBefore;
    const drained = performance.now();
    clearInterval(trace);
    // The projector's counter, checked against the table once.
    const rows = (await rowCount(sql)) - before;
    if (rows !== projected)
      throw new Error(`projector counted ${projected} rows, table has ${rows}`);
    const endToEnd = projected / ((drained - started) / 1000);
    const ingestRate = load.measured / (MEASURE_MS / 1000);
    const drainSeconds = (drained - loadEnded) / 1000;

    // Phase 2: the ceiling, raw COPY of as many rows into the same table.
    const copyRate = await copyCeiling(sql, Math.min(200_000, Math.max(50_000, load.accepted)));

    // Phase 3: projection lag at a steady 5,000 events/s.
    const lagFrom = new Date();
    const paced = await runLoad({
      url,
      devices,
      batch: BATCH,
      concurrency: CONCURRENCY,
      warmupMs: 0,
      measureMs: LAG_MS,
      ratePerSecond: LAG_RATE,
    });
    await sleep(2_000);
    const lag = await lagPercentiles(sql, lagFrom);

    const ratio = endToEnd / copyRate;
    const figures = {
      bench: 'telemetry',
      machine,
      eventsPerSecondEndToEnd: Math.round(endToEnd),
      ingestAcceptedPerSecond: Math.round(ingestRate),
      copyCeilingRowsPerSecond: Math.round(copyRate),
      ratioToCeiling: Math.round(ratio * 1000) / 1000,
      drainAfterLoadSeconds: Math.round(drainSeconds * 10) / 10,
      acceptedEvents: load.accepted,
      failedBatches: load.failed + paced.failed,
      lagAt5kPerSecondMs: lag,
      pacedAcceptedPerSecond: Math.round(paced.accepted / (LAG_MS / 1000)),
      targets: { eventsPerSecond: 20_000, ratioToCeiling: 0.5, lagP99Ms: 1000 },
    };
    console.log(`machine: ${machine}`);
    console.log('');
    console.log('| measure                                           | value |');
    console.log('| ------------------------------------------------- | ----- |');
    console.log(
      `| end to end: HTTP ingest → committed rows (ev/s)   | ${figures.eventsPerSecondEndToEnd} |`,
    );
    console.log(
      `| ingest accepted (202, durable in the outbox, ev/s) | ${figures.ingestAcceptedPerSecond} |`,
    );
    console.log(
      `| ceiling: raw COPY into telemetry.log (rows/s)     | ${figures.copyCeilingRowsPerSecond} |`,
    );
    console.log(
      `| end to end / ceiling                              | ${figures.ratioToCeiling} |`,
    );
    console.log(
      `| projection drained after the load stopped (s)     | ${figures.drainAfterLoadSeconds} |`,
    );
    console.log(
      `| lag at ${LAG_RATE} ev/s: p50 / p95 / p99 / max (ms)  | ${lag.p50} / ${lag.p95} / ${lag.p99} / ${lag.max} |`,
    );
    console.log(`| failed batches                                    | ${figures.failedBatches} |`);
    console.log(JSON.stringify(figures));
    await sql.end();
    projector.kill('SIGTERM');
    await once(projector, 'exit');
    await telemetry.lifecycle.stop('bench done');
    await token.lifecycle.stop('bench done');
    await registration.lifecycle.stop('bench done');
    await db.drop();
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await kafka.stop();
    await stopInfra();
  }
}

await main();
