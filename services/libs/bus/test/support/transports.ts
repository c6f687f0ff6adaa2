import {
  createTestDatabase,
  getInfra,
  startKafkaMock,
  uniqueName,
  type TestDatabase,
} from '@nes/testing';
import kafkajs from 'kafkajs';
import pg from 'pg';

import { LogStore } from '../../src/postgres/pg-log-store.js';
import { TEST_PARTITIONS, type BusConfig } from './test-bus.js';

/** The transports every contract test runs against. */
export const TRANSPORTS = ['kafka', 'postgres'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** A transport instance private to one test file, with the controls the contract needs. */
export interface TransportUnderTest {
  readonly name: TransportName;
  readonly config: BusConfig;
  /** Writes raw bytes to a topic, bypassing every check (poison records). */
  produceRaw(topic: string, key: string, value: Buffer): Promise<void>;
  /** Makes the transport unreachable (connections cut, new ones refused)… */
  goDown(): Promise<void>;
  /** …and reachable again, with its data intact. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a private instance of `name`. */
export function openTransport(name: TransportName): Promise<TransportUnderTest> {
  return name === 'kafka' ? openKafka() : openPostgres();
}

/**
 * Kafka: a mock cluster of its own (~10 ms to start), so pausing it cannot
 * disturb other test files using the run's shared broker.
 */
async function openKafka(): Promise<TransportUnderTest> {
  const mock = await startKafkaMock({ partitions: TEST_PARTITIONS });
  const kafka = new kafkajs.Kafka({ brokers: mock.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  let connected = false;
  return {
    name: 'kafka',
    config: { transport: 'kafka', brokers: mock.brokers },
    async produceRaw(topic, key, value) {
      if (!connected) await producer.connect();
      connected = true;
      await producer.send({ topic, acks: -1, messages: [{ key, value }] });
    },
    goDown: () => mock.pause(),
    comeBack: () => mock.resume(),
    async close() {
      if (connected) await producer.disconnect();
      await mock.stop();
    },
  };
}

/**
 * Postgres: a database of its own, used by the bus through a login role of
 * its own. "Down" = the role may not log in and its sessions are killed,
 * which the bus sees exactly like an unreachable server; the service
 * database (other role) stays up, as it would when only the bus host fails.
 */
async function openPostgres(): Promise<TransportUnderTest> {
  const db: TestDatabase = await createTestDatabase('bus_log');
  const role = uniqueName('bus_role');
  // Connected to the server's own database: dropping ours at the end must not cut this session.
  const admin = new pg.Client({ connectionString: getInfra().postgres.url });
  await admin.connect();
  await admin.query(`CREATE ROLE ${role} LOGIN`);
  await admin.query(`ALTER DATABASE "${db.name}" OWNER TO ${role}`);
  const busUrl = new URL(db.url);
  busUrl.username = role;
  const connectionString = busUrl.toString();
  let rawPool: pg.Pool | undefined;
  return {
    name: 'postgres',
    config: { transport: 'postgres', connectionString },
    async produceRaw(topic, key, value) {
      if (rawPool === undefined) {
        rawPool = new pg.Pool({ connectionString, max: 1 });
        // goDown() terminates this pool's idle session too; that is expected.
        rawPool.on('error', () => undefined);
      }
      const log = new LogStore(rawPool, 'nes_bus', TEST_PARTITIONS);
      await log.append([{ topic, key, value, contentType: 'application/octet-stream' }]);
    },
    async goDown() {
      await admin.query(`ALTER ROLE ${role} NOLOGIN`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1',
        [role],
      );
    },
    async comeBack() {
      await admin.query(`ALTER ROLE ${role} LOGIN`);
    },
    async close() {
      await rawPool?.end();
      await db.drop();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    },
  };
}
