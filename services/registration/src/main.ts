import { createLogger, runService } from '@nes/kit';
import { loadConfig } from './config.js';
import { startRegistrationService } from './create-service.js';

/** The registration service's process: read env, start, stop on SIGTERM. */
await runService(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'registration', level: config.log.level });
  const service = await startRegistrationService(config, { logger });
  return service.lifecycle;
});
