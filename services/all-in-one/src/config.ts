import {
  envInt,
  envPort,
  envString,
  logSection,
  parseConfig,
  shutdownSection,
  type Env,
} from '@nes/kit';
import { z } from 'zod';

/** Configuration of the all-in-one runner, from `NES_AIO_*` variables. */
export const configSchema = z.object({
  /** Where PostgreSQL data, Redis' working dir and generated secrets live. */
  home: envString({ max: 4096 }).default('.nes'),
  postgres: z.object({ port: envPort().default(55432) }),
  redis: z.object({ port: envPort().default(56379) }),
  /** Host name printed in URLs and handed to services for links they return. */
  publicHost: envString({ max: 255 }).default('127.0.0.1'),
  /** How long each service gets to drain after SIGTERM before it is killed. */
  serviceGraceMs: envInt({ min: 100, max: 120_000 }).default(15_000),
  log: logSection(),
  shutdown: shutdownSection(),
});

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Env): Config {
  return parseConfig(configSchema, env, { prefix: 'NES_AIO_' });
}
