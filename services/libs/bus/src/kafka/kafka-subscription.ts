import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

import { backoffDelay, DEFAULT_OUTAGE_BACKOFF } from '../backoff.js';
import { deliverRecord, type DeliveryPipeline } from '../consumer/deliver-record.js';
import { deadLetterTopic } from '../envelope/cloud-event.js';
import type { SubscribeOptions, Subscription } from '../event-bus.js';
import type { KafkaPublisher } from './kafka-publisher.js';
import type { ResolvedKafkaOptions } from './kafka-options.js';

/**
 * One consumer group member. Offsets are resolved by hand, one message at a
 * time and only after its handler (and so the handler's own transaction) has
 * finished or the message has been dead-lettered; kafkajs commits resolved
 * offsets every `commitIntervalMs`, after each batch and when stopping. A
 * crash therefore redelivers at most the uncommitted tail, never skips.
 *
 * kafkajs restarts its consumer after retriable errors only; after any other
 * crash (seen: a coordinator answering a late SyncGroup with INVALID_REQUEST)
 * the member would stay dead while the service looks healthy. This class
 * starts a fresh consumer instead, with backoff, until it is closed.
 */
export class KafkaSubscription implements Subscription {
  private readonly abort = new AbortController();
  private crashed: string | undefined;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private consumer: Consumer;
  private readonly pipeline: DeliveryPipeline;
  private readonly kafka: Kafka;
  private readonly options: SubscribeOptions;
  private readonly publisher: KafkaPublisher;
  private readonly config: ResolvedKafkaOptions;
  private readonly logger: Logger;

  constructor(
    kafka: Kafka,
    publisher: KafkaPublisher,
    options: SubscribeOptions,
    config: ResolvedKafkaOptions,
    logger: Logger,
  ) {
    this.kafka = kafka;
    this.config = config;
    this.options = options;
    this.publisher = publisher;
    this.logger = logger.child({ group: options.group });
    this.pipeline = {
      group: options.group,
      handler: options.handler,
      retry: options.retry ?? config.retry,
      catalog: options.catalog,
      maxEventBytes: config.maxEventBytes,
      logger: this.logger,
      deadLetter: (event) => publisher.publish([event]),
    };
    this.consumer = this.createConsumer();
  }

  /** Joins the group and starts consuming (resolves once the consumer runs). */
  async start(): Promise<void> {
    const { topics } = this.options;
    await this.publisher.ensureTopics([...topics, ...topics.map(deadLetterTopic)]);
    await this.run(this.consumer);
  }

  /** Why the member is not consuming, if it is not (readiness). */
  failure(): string | undefined {
    return this.crashed;
  }

  async close(): Promise<void> {
    // Abort first: retry back-offs end at once; the handler running now finishes.
    this.abort.abort();
    clearTimeout(this.restartTimer);
    await this.consumer.disconnect();
  }

  private createConsumer(): Consumer {
    const timing = this.config.consumer;
    const consumer = this.kafka.consumer({
      groupId: this.options.group,
      sessionTimeout: timing.sessionTimeoutMs,
      heartbeatInterval: timing.heartbeatIntervalMs,
      rebalanceTimeout: timing.rebalanceTimeoutMs,
      maxWaitTimeInMs: timing.maxWaitTimeMs,
      allowAutoTopicCreation: true,
      // kafkajs' own retries (its default), and no restart of its own once the
      // subscription is closing: a connection error while disconnecting (seen:
      // "write after end") counts as retriable, and the consumer it restarted
      // 300 ms later reconnected after close() had returned, holding the
      // process open until the shutdown backstop.
      retry: { retries: 5, restartOnFailure: () => Promise.resolve(!this.abort.signal.aborted) },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.abort.signal.aborted) return;
      this.crashed = payload.error.message;
      this.scheduleRestart();
    });
    return consumer;
  }

  private async run(consumer: Consumer): Promise<void> {
    const timing = this.config.consumer;
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: timing.commitIntervalMs,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: timing.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  private scheduleRestart(): void {
    this.restarts += 1;
    const delay = backoffDelay(DEFAULT_OUTAGE_BACKOFF, this.restarts);
    this.logger.error(
      { reason: this.crashed, delay },
      'kafka consumer stopped; starting a new one',
    );
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.abort.signal.aborted) return;
    await this.consumer.disconnect().catch(() => undefined);
    this.consumer = this.createConsumer();
    try {
      await this.run(this.consumer);
      this.crashed = undefined;
      this.restarts = 0;
    } catch (error) {
      this.crashed = error instanceof Error ? error.message : String(error);
      if (!this.abort.signal.aborted) this.scheduleRestart();
    }
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const pipeline: DeliveryPipeline = { ...this.pipeline, keepAlive: () => payload.heartbeat() };
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale() || this.abort.signal.aborted) break;
      const record = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString('utf8'),
        value: message.value,
      };
      const outcome = await deliverRecord(record, pipeline, this.abort.signal);
      if (outcome === 'aborted') break;
      payload.resolveOffset(message.offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }
}
