import { createLogger, runService } from '@nes/kit';
import { loadConfig } from './config.js';
import { createService } from './create-service.js';

// directory-sync: reads NES_DIR_* (see README.md), starts, stops on SIGTERM.
await runService(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'directory-sync', level: config.log.level });
  const service = await createService({ config, logger });
  return service.lifecycle;
});
