import {
  busReadinessCheck,
  DEFAULT_MAX_EVENT_BYTES,
  idempotentHandler,
  nesCatalog,
  type EventBus,
  type Subscription,
} from '@nes/bus';
import {
  createHttpServer,
  createLifecycle,
  startOrUnwind,
  createMetrics,
  createReadiness,
  postgresReadinessCheck,
  withTransaction,
  type HttpServer,
  type Lifecycle,
  type Logger,
  type Metrics,
} from '@nes/kit';
import { topics } from '@nes/proto';
import type pg from 'pg';
import type { TelemetryConfig } from './config.js';
import { createBus, openDatabase } from './infrastructure.js';
import { createProjectorMetrics, type ProjectorMetrics } from './metrics.js';
import {
  startKafkaBatchConsumer,
  type KafkaBatchConsumer,
} from './projection/kafka-batch-consumer.js';
import { projectEvents, type ProjectionResult } from './projection/project-events.js';
import { readAuditEvent } from './projection/read-audit-event.js';

/** What the caller supplies besides the configuration. */
export interface ProjectorOptions {
  readonly logger: Logger;
  readonly metrics?: Metrics;
}

/** A running projector process. */
export interface RunningProjector {
  readonly lifecycle: Lifecycle;
  readonly http: HttpServer;
  readonly httpPort: number;
}

/**
 * Builds and starts the projection consumer: it reads nes.audit.v1 as the
 * consumer group `projector.group` and writes telemetry.log, audit.client
 * and audit.initial_access_token. On Kafka it projects whole batches (one
 * transaction per batch, exactly-once effect through each table's unique
 * event id, dead letters to nes.audit.v1.dlq); on the Postgres bus it uses the bus'
 * per-event consumer with `idempotentHandler`. Replicas share the work by
 * consumer group. Serves /healthz, /readyz and /metrics on its own port.
 */
export async function startProjector(
  config: TelemetryConfig,
  options: ProjectorOptions,
): Promise<RunningProjector> {
  const { logger } = options;
  const readiness = createReadiness();
  const lifecycle = createLifecycle({ logger, readiness, timeoutMs: config.shutdown.timeoutMs });
  return startOrUnwind(lifecycle, () => start(config, options, lifecycle, readiness));
}

async function start(
  config: TelemetryConfig,
  options: ProjectorOptions,
  lifecycle: Lifecycle,
  readiness: ReturnType<typeof createReadiness>,
): Promise<RunningProjector> {
  const logger = options.logger.child({ process: 'projector' });
  const metrics = options.metrics ?? createMetrics({ service: 'telemetry-projector' });
  const projectorMetrics = createProjectorMetrics(metrics);
  const pool = await openDatabase(config, logger, lifecycle, 'nes-telemetry-projector');
  readiness.register('postgres', postgresReadinessCheck(pool));

  const bus = await createBus(config, logger, 'nes-telemetry-projector');
  lifecycle.onStop('bus', () => bus.close());
  readiness.register('bus', busReadinessCheck(bus));

  const group = config.projector.group;
  const record = (result: ProjectionResult): void => {
    projectorMetrics.projected('log', result.logRows);
    projectorMetrics.projected('audit', result.auditRows);
    if (result.duplicates > 0) projectorMetrics.duplicates(result.duplicates);
    if (result.skipped > 0) projectorMetrics.skipped(result.skipped);
    if (result.oldestRecordedAt !== undefined) {
      projectorMetrics.lag(Math.max(0, Date.now() - result.oldestRecordedAt.getTime()) / 1000);
    }
  };

  if (config.bus.kind === 'kafka') {
    const consumer = await startBatchConsumer(config, pool, bus, logger, projectorMetrics, record);
    lifecycle.onStop('projection consumer', () => consumer.close());
    readiness.register('consumer', () => {
      const failure = consumer.failure();
      return failure === undefined ? Promise.resolve() : Promise.reject(new Error(failure));
    });
  } else {
    const subscription = await startPerEventConsumer(pool, bus, group, record);
    lifecycle.onStop('projection consumer', () => subscription.close());
  }

  const http = await createHttpServer({
    config: { bodyLimitBytes: 1024 },
    logger,
    metrics,
    readiness,
    openapi: { title: 'NES telemetry projector', version: '1.0.0' },
  });
  lifecycle.onStop('http', () => http.close());
  await http.listen({ host: config.projector.httpHost, port: config.projector.httpPort });
  const address = http.server.address();
  const httpPort =
    typeof address === 'object' && address !== null ? address.port : config.projector.httpPort;
  logger.info({ httpPort, bus: config.bus.kind, group }, 'telemetry projector started');
  return { lifecycle, http, httpPort };
}

function startBatchConsumer(
  config: TelemetryConfig,
  pool: pg.Pool,
  bus: EventBus,
  logger: Logger,
  metrics: ProjectorMetrics,
  record: (result: ProjectionResult) => void,
): Promise<KafkaBatchConsumer> {
  if (config.bus.kind !== 'kafka') throw new Error('the batch consumer needs Kafka');
  const group = config.projector.group;
  return startKafkaBatchConsumer({
    brokers: config.bus.brokers,
    clientId: 'nes-telemetry-projector',
    group,
    topic: topics.audit,
    logger,
    sessionTimeoutMs: config.consumer.sessionTimeoutMs,
    heartbeatIntervalMs: config.consumer.heartbeatIntervalMs,
    maxWaitMs: config.consumer.maxWaitMs,
    concurrency: config.projector.concurrency,
    batchSize: config.projector.batchSize,
    pipeline: {
      group,
      read: readAuditEvent,
      maxEventBytes: DEFAULT_MAX_EVENT_BYTES,
      maxAttempts: config.projector.maxAttempts,
      handle: async (events) => {
        const result = await withTransaction(pool, (tx) => projectEvents(tx, events), {
          retries: 0,
        });
        record(result);
      },
      deadLetter: (events) => bus.publish(events),
      onDeadLettered: (count, kind) => metrics.deadLettered(count, kind),
    },
  });
}

function startPerEventConsumer(
  pool: pg.Pool,
  bus: EventBus,
  group: string,
  record: (result: ProjectionResult) => void,
): Promise<Subscription> {
  return bus.subscribe({
    group,
    topics: [topics.audit],
    catalog: nesCatalog,
    handler: idempotentHandler({
      pool,
      handler: async (event, tx) => {
        // The bus dead-letters what the catalog refuses before the handler.
        const read = readAuditEvent(event);
        if ('rejection' in read) throw new Error(read.rejection);
        record(await projectEvents(tx, [read]));
      },
    }),
  });
}
