import { backoffDelay, DEFAULT_OUTAGE_BACKOFF } from '@nes/bus';
import type { Logger } from '@nes/kit';
import kafkajs, {
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type logCreator,
} from 'kafkajs';
import { deliverBatch, type BatchPipeline } from './deliver-batch.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** Options of {@link startKafkaBatchConsumer}. */
export interface KafkaBatchConsumerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly group: string;
  readonly topic: string;
  readonly logger: Logger;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxWaitMs: number;
  /** Partitions processed at once by this member. */
  readonly concurrency: number;
  /** Records per `deliverBatch` call (one transaction) at most. */
  readonly batchSize: number;
  /** The delivery pipeline, minus what the consumer supplies itself. */
  readonly pipeline: Omit<BatchPipeline, 'keepAlive' | 'logger'>;
  /** Called after each delivered batch: its size and the partition. */
  onBatch?(count: number, partition: number): void;
}

/** A running member of the projector's consumer group. */
export interface KafkaBatchConsumer {
  /** Why the member is not consuming, if it is not. */
  failure(): string | undefined;
  /** Lets the batch in flight finish, commits, leaves the group. */
  close(): Promise<void>;
}

function pinoLogCreator(logger: Logger): logCreator {
  const log = logger.child({ subsystem: 'kafka' });
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, ...extra } = entry;
      const fields = { namespace, ...extra };
      if (level === logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else log.debug(fields, message);
    };
}

/**
 * A Kafka consumer-group member that hands the projection whole batches:
 * kafkajs' `eachBatch`, cut into chunks of `batchSize`, each delivered by
 * {@link deliverBatch} (one transaction, dead letters through the bus) and
 * only then resolved; offsets are committed after each chunk. A crash
 * anywhere redelivers at most the uncommitted chunks, which the projection's
 * tables, unique on the event id, turn into no-ops. Like the bus' own consumer, a
 * member whose kafkajs consumer crashed for good is replaced with backoff.
 */
export async function startKafkaBatchConsumer(
  options: KafkaBatchConsumerOptions,
): Promise<KafkaBatchConsumer> {
  const logger = options.logger.child({ subsystem: 'projector-consumer', group: options.group });
  const kafka: Kafka = new KafkaClient({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  const abort = new AbortController();
  let crashed: string | undefined;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const pipeline: BatchPipeline = {
      ...options.pipeline,
      logger,
      keepAlive: () => payload.heartbeat(),
    };
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += options.batchSize) {
      if (!payload.isRunning() || payload.isStale() || abort.signal.aborted) return;
      const chunk = messages.slice(start, start + options.batchSize);
      const records = chunk.map((message) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString('utf8'),
        value: message.value,
      }));
      const outcome = await deliverBatch(records, pipeline, abort.signal);
      if (outcome === 'aborted') return;
      const last = chunk.at(-1);
      if (last !== undefined) payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
      options.onBatch?.(chunk.length, batch.partition);
    }
  }

  function createConsumer(): Consumer {
    const consumer = kafka.consumer({
      groupId: options.group,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(options.sessionTimeoutMs * 2, 10_000),
      maxWaitTimeInMs: options.maxWaitMs,
      // Room for a whole record batch of one busy device (all its events share
      // a key, so a relay batch can land in one partition as one record batch).
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      allowAutoTopicCreation: true,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || abort.signal.aborted) return;
      crashed = payload.error.message;
      restarts += 1;
      const delay = backoffDelay(DEFAULT_OUTAGE_BACKOFF, restarts);
      logger.error({ reason: crashed, delay }, 'kafka consumer stopped; starting a new one');
      restartTimer = setTimeout(() => void restart(), delay);
    });
    return consumer;
  }

  async function run(target: Consumer): Promise<void> {
    await target.connect();
    await target.subscribe({ topics: [options.topic], fromBeginning: true });
    await target.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: (payload) => processBatch(payload),
    });
  }

  let consumer = createConsumer();

  async function restart(): Promise<void> {
    if (abort.signal.aborted) return;
    await consumer.disconnect().catch(() => undefined);
    consumer = createConsumer();
    try {
      await run(consumer);
      crashed = undefined;
      restarts = 0;
    } catch (error) {
      crashed = error instanceof Error ? error.message : String(error);
      if (!abort.signal.aborted) {
        restarts += 1;
        restartTimer = setTimeout(
          () => void restart(),
          backoffDelay(DEFAULT_OUTAGE_BACKOFF, restarts),
        );
      }
    }
  }

  await run(consumer);
  return {
    failure: () => crashed,
    async close() {
      abort.abort();
      clearTimeout(restartTimer);
      await consumer.disconnect();
    },
  };
}
