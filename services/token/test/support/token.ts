import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { EventBus } from '@nes/bus';
import { createLogger } from '@nes/kit';
import { getInfra, uniqueName, withFreePort } from '@nes/testing';
import type { Clock } from '../../src/context.js';
import { loadConfig, type TokenConfig } from '../../src/config.js';
import { createTokenService, type TokenService } from '../../src/create-service.js';

/** A token service started in-process, with its log lines captured. */
export interface TestToken {
  readonly base: string;
  readonly service: TokenService;
  readonly config: TokenConfig;
  readonly env: Record<string, string>;
  readonly logs: string[];
  stop(): Promise<void>;
}

/** Options of {@link startToken}. */
export interface StartTokenOptions {
  readonly databaseUrl: string;
  readonly registrationTarget: string;
  readonly registrationBase?: string;
  /** Shared by replicas of one test (brute-force counters, revocations). */
  readonly redisKeyPrefix?: string;
  /** Shared by replicas of one test: keys are sealed with it. */
  readonly encryptionKey?: string;
  readonly env?: Record<string, string>;
  readonly clock?: Clock;
  /** A bus of the test's own (e.g. Kafka with test timings) instead of one from config. */
  readonly bus?: EventBus;
}

/** A fresh key-encryption key entry. */
export function encryptionKeyEntry(id = 'kek-1'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** Starts the token service as production would, configured from NES_TOKEN_* variables. */
export function startToken(options: StartTokenOptions): Promise<TestToken> {
  return withFreePort((port) => startTokenOn(port, options));
}

async function startTokenOn(port: number, options: StartTokenOptions): Promise<TestToken> {
  const env: Record<string, string> = {
    NES_TOKEN_HTTP_HOST: '127.0.0.1',
    NES_TOKEN_HTTP_PORT: String(port),
    NES_TOKEN_DATABASE_URL: options.databaseUrl,
    NES_TOKEN_REDIS_URL: getInfra().redis.url,
    NES_TOKEN_REDIS_KEY_PREFIX: options.redisKeyPrefix ?? `${uniqueName('tok')}:`,
    NES_TOKEN_ISSUER: `http://127.0.0.1:${port}`,
    NES_TOKEN_REGISTRATION_GRPC_TARGET: options.registrationTarget,
    NES_TOKEN_KEYS_ENCRYPTION_KEY: options.encryptionKey ?? encryptionKeyEntry(),
    NES_TOKEN_LOG_LEVEL: 'debug',
    NES_TOKEN_SHUTDOWN_TIMEOUT_MS: '10000',
    ...(options.registrationBase === undefined
      ? {}
      : { NES_TOKEN_REGISTRATION_ENDPOINT: `${options.registrationBase}/oauth2/register` }),
    ...options.env,
  };
  const config = loadConfig(env);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  // The service's own logger (its redaction is what the logs test proves).
  const logger = createLogger({ service: 'token', level: 'debug', destination });
  const service = await createTokenService(config, {
    logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.bus === undefined ? {} : { bus: options.bus }),
  });
  return {
    base: service.url,
    service,
    config,
    env,
    logs,
    stop: async () => {
      await service.lifecycle.stop('test done');
    },
  };
}
