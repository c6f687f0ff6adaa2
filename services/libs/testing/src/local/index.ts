import type { InfraConfig } from '../config.js';
import type { LogLine } from '../log.js';
import type { ComponentStarters } from '../server.js';
import { startKafkaMock } from './kafka-mock.js';
import { startLocalPostgres } from './postgres.js';
import { startLocalRedis } from './redis.js';
import { startLocalSamba } from './samba.js';

/** Starters for servers run as local processes under `runDir`. */
export function localStarters(
  config: InfraConfig,
  runDir: string,
  log: LogLine,
): ComponentStarters {
  return {
    postgres: () => startLocalPostgres(runDir, config.toolsDir),
    redis: () => startLocalRedis(runDir),
    kafka: async () => {
      const mock = await startKafkaMock({
        binary: config.kafkaMockBin,
        toolsDir: config.toolsDir,
        log,
      });
      return { info: { brokers: mock.brokers }, stop: () => mock.stop() };
    },
    ad: () => startLocalSamba(runDir, config.toolsDir, log),
  };
}
