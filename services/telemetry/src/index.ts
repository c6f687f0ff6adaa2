/**
 * @nes/telemetry — importable parts of the telemetry service (the processes
 * are `@nes/telemetry/main` and `@nes/telemetry/projector-main`). For tests,
 * benchmarks and the all-in-one runner.
 */
export {
  configSchema,
  ENV_PREFIX,
  loadApiConfig,
  loadConfig,
  type ApiConfig,
  type TelemetryConfig,
} from './config.js';
export {
  startTelemetryService,
  type RunningTelemetryService,
  type StartOptions,
} from './create-service.js';
export {
  startProjector,
  type RunningProjector,
  type ProjectorOptions,
} from './create-projector.js';
export { MIGRATIONS_DIR, SCHEMA } from './infrastructure.js';
export { generateAnalystKey } from './domain/analyst-keys.js';
