import { fileURLToPath } from 'node:url';
import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import type { InfraConfig } from './config.js';
import { InfraError } from './errors.js';
import { TEST_DOMAIN } from './local/samba-conf.js';
import type { ComponentStarters, StartedServer } from './server.js';

/** The DC image is built from this directory (Debian's Samba, provisioned at build time). */
const SAMBA_DOCKER_DIR = fileURLToPath(new URL('../docker/samba-dc', import.meta.url));
const SAMBA_IMAGE = 'nes-test-samba-dc:v1';
const SAMBA_DIR = '/var/lib/nes-dc';
/** Kafka's plaintext listener for clients outside the container (@testcontainers/kafka). */
const KAFKA_CLIENT_PORT = 9093;

/**
 * Starters for containers mode: real Apache Kafka (KRaft) and the same
 * Postgres, Redis and Samba AD as local mode, through testcontainers. Its
 * reaper removes the containers when the test run dies.
 */
export function containerStarters(config: InfraConfig): ComponentStarters {
  return {
    postgres: async () => {
      const container = await new PostgreSqlContainer(config.images.postgres)
        .withDatabase('postgres')
        .withUsername('postgres')
        .withPassword('postgres')
        .withCommand([
          'postgres',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'max_connections=300',
        ])
        .start();
      return stoppable(container, { url: container.getConnectionUri() });
    },
    redis: async () => {
      const container = await new RedisContainer(config.images.redis).start();
      return stoppable(container, { url: container.getConnectionUrl() });
    },
    kafka: async () => {
      const container = await new KafkaContainer(config.images.kafka).withKraft().start();
      return stoppable(container, {
        brokers: [`${container.getHost()}:${container.getMappedPort(KAFKA_CLIENT_PORT)}`],
      });
    },
    ad: async () => {
      const image = await GenericContainer.fromDockerfile(SAMBA_DOCKER_DIR).build(SAMBA_IMAGE, {
        deleteOnExit: false,
      });
      const container = await image
        .withExposedPorts(389, 636)
        .withWaitStrategy(Wait.forListeningPorts())
        .withStartupTimeout(120_000)
        .start();
      const host = container.getHost();
      return stoppable(container, {
        url: `ldap://${host}:${container.getMappedPort(389)}`,
        ldapsUrl: `ldaps://${host}:${container.getMappedPort(636)}`,
        servername: TEST_DOMAIN.servername,
        caCertPem: await readFromContainer(container, `${SAMBA_DIR}/tls/ca.pem`),
        baseDn: TEST_DOMAIN.baseDn,
        domain: TEST_DOMAIN.domain,
        realm: TEST_DOMAIN.realm,
        adminDn: TEST_DOMAIN.adminDn,
        adminPassword: (
          await readFromContainer(container, `${SAMBA_DIR}/nes-admin-password`)
        ).trim(),
      });
    },
  };
}

function stoppable<T>(container: StartedTestContainer, info: T): StartedServer<T> {
  let stopped: Promise<void> | undefined;
  return {
    info,
    stop: () => (stopped ??= container.stop().then(() => undefined)),
  };
}

async function readFromContainer(container: StartedTestContainer, path: string): Promise<string> {
  const result = await container.exec(['cat', path]);
  if (result.exitCode !== 0) {
    throw new InfraError(`cannot read ${path} from the Samba container: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
