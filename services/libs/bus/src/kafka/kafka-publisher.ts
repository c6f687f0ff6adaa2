import kafkajs, { type Admin, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';

import {
  CLOUDEVENTS_CONTENT_TYPE,
  type EncodedEvent,
  type OutgoingEvent,
} from '../envelope/cloud-event.js';
import { assertValidEvent } from '../envelope/parse-event.js';
import { kafkaRetry, type ResolvedKafkaOptions } from './kafka-options.js';

const { Partitioners } = kafkajs;

/**
 * The bus' producer side: one idempotent producer, acks from all in-sync
 * replicas, key → partition with Kafka's default (murmur2) partitioner so
 * other clients agree on placement. After a failed send the producer is
 * replaced: an idempotent producer whose broker forgot its producer id (a
 * broker restart, a mock broker) would otherwise fail every later send.
 */
export class KafkaPublisher {
  private producer: Promise<Producer> | undefined;
  private probe: Admin | undefined;
  private readonly ensured = new Set<string>();
  private readonly kafka: Kafka;
  private readonly options: ResolvedKafkaOptions;
  private readonly logger: Logger;

  constructor(kafka: Kafka, options: ResolvedKafkaOptions, logger: Logger) {
    this.kafka = kafka;
    this.options = options;
    this.logger = logger;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    await this.send(
      events.map(({ topic, event }) => ({
        topic,
        key: event.partitionkey,
        value: assertValidEvent(event, this.options.maxEventBytes),
      })),
    );
  }

  /** Sends envelopes validated and serialised already (outbox rows) as they are. */
  async publishEncoded(events: readonly EncodedEvent[]): Promise<void> {
    await this.send(events);
  }

  private async send(
    records: readonly { topic: string; key: string; value: Buffer | string }[],
  ): Promise<void> {
    if (records.length === 0) return;
    const byTopic = new Map<string, TopicMessages>();
    for (const { topic, key, value } of records) {
      let entry = byTopic.get(topic);
      if (entry === undefined) {
        entry = { topic, messages: [] };
        byTopic.set(topic, entry);
      }
      entry.messages.push({ key, value, headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE } });
    }
    await this.ensureTopics([...byTopic.keys()]);
    const current = this.connectedProducer();
    try {
      const producer = await current;
      await producer.sendBatch({
        topicMessages: [...byTopic.values()],
        acks: -1,
        timeout: this.options.requestTimeoutMs,
      });
    } catch (error) {
      this.discard(current);
      throw error;
    }
  }

  /**
   * Creates topics that this process has not seen yet. Brokers that refuse
   * admin writes (the test mock, clusters where only operators create topics)
   * are tolerated: auto-creation or the operator's topic then applies.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((topic) => !this.ensured.has(topic));
    if (missing.length === 0) return;
    const admin = this.kafka.admin();
    try {
      await admin.connect();
    } catch (error) {
      // Unreachable cluster: the send that follows reports it; try again next time.
      await admin.disconnect().catch(() => undefined);
      this.logger.debug({ err: error }, 'cannot reach the cluster to create topics');
      return;
    }
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.options.topicPartitions,
          replicationFactor: this.options.topicReplicationFactor,
        })),
      });
    } catch (error) {
      this.logger.debug(
        { err: error, topics: missing },
        'topic creation refused; relying on auto-creation',
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    for (const topic of missing) this.ensured.add(topic);
  }

  /** Checks that a broker answers metadata requests (readiness), on a connection kept between probes. */
  async ping(): Promise<void> {
    this.probe ??= this.kafka.admin();
    const admin = this.probe;
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (error) {
      this.probe = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.probe?.disconnect().catch(() => undefined);
    this.probe = undefined;
    const current = this.producer;
    this.producer = undefined;
    if (current !== undefined) await disconnect(current);
  }

  private connectedProducer(): Promise<Producer> {
    if (this.producer === undefined) {
      const producer = this.kafka.producer({
        idempotent: this.options.idempotent,
        // One request in flight per broker: retries can then never reorder a partition.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: kafkaRetry(this.options.clientRetry),
      });
      const connecting = producer.connect().then(() => producer);
      this.producer = connecting;
      // A failed connect is reported to the caller that awaits it; later callers start over.
      connecting.catch(() => this.discard(connecting));
    }
    return this.producer;
  }

  private discard(producer: Promise<Producer>): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    void disconnect(producer);
  }
}

async function disconnect(producer: Promise<Producer>): Promise<void> {
  try {
    await (await producer).disconnect();
  } catch {
    // Already broken; nothing left to release.
  }
}
