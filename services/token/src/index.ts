/**
 * @nes/token — the token service, as a library for the processes that host
 * it (`main.ts`, the all-in-one runner, tests). See README.md.
 */
export { configSchema, ENV_PREFIX, loadConfig, type TokenConfig } from './config.js';
export {
  createTokenService,
  MIGRATIONS_DIR,
  SCHEMA,
  type TokenService,
  type TokenServiceOptions,
} from './create-service.js';
export { endpointsFor, ROUTES, systemClock, type Clock, type Endpoints } from './context.js';
export { ClientAuthThrottledError } from './errors.js';
