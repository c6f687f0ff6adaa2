import { createLogger, runService } from '@nes/kit';
import { loadApiConfig } from './config.js';
import { startTelemetryService } from './create-service.js';

/** The telemetry API process: read env, start, stop on SIGTERM. */
await runService(async () => {
  const config = loadApiConfig(process.env);
  const logger = createLogger({ service: 'telemetry', level: config.log.level });
  const service = await startTelemetryService(config, { logger });
  return service.lifecycle;
});
