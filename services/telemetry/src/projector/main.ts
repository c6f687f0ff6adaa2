import { createLogger, runService } from '@nes/kit';
import { loadConfig } from '../config.js';
import { startProjector } from '../create-projector.js';

/** The projection consumer's process: read env, start, stop on SIGTERM. */
await runService(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'telemetry', level: config.log.level });
  const projector = await startProjector(config, { logger });
  return projector.lifecycle;
});
