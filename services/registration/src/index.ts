/**
 * @nes/registration — importable parts of the registration service (the
 * process itself is `@nes/registration/main`). For tests, benchmarks and the
 * all-in-one runner.
 */
export { configSchema, loadConfig, ENV_PREFIX, type RegistrationConfig } from './config.js';
export {
  MIGRATIONS_DIR,
  SCHEMA,
  startRegistrationService,
  type RunningRegistrationService,
  type StartOptions,
} from './create-service.js';
export type { Clock, RegistrationContext } from './context.js';
