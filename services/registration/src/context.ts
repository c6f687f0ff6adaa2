import type { Logger, RateLimiter, RedisClient } from '@nes/kit';
import type { NesEventProducer } from '@nes/bus';
import type pg from 'pg';
import type { RegistrationConfig } from './config.js';
import type { CrtTokenSettings } from './domain/crt-token.js';
import type { SigningKeys } from './domain/signing-keys.js';
import type { RegistrationMetrics } from './metrics.js';

/** Where the time comes from (tests may pass a fixed clock). */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * Everything the service's operations need, built once by
 * `createRegistrationService` and passed down explicitly.
 */
export interface RegistrationContext {
  readonly config: RegistrationConfig;
  readonly pool: pg.Pool;
  readonly redis: RedisClient;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: RegistrationMetrics;
  readonly signingKeys: SigningKeys;
  readonly tokenSettings: CrtTokenSettings;
  readonly rateLimiter: RateLimiter;
  readonly produce: NesEventProducer;
}
