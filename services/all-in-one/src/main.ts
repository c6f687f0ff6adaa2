import { createLifecycle, createLogger, runService } from '@nes/kit';
import { loadConfig } from './config.js';
import { startAllInOne } from './start-all-in-one.js';

await runService(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'all-in-one', level: config.log.level });
  // Services get their own grace each; the runner's own bound covers them all.
  const lifecycle = createLifecycle({
    logger,
    timeoutMs: config.shutdown.timeoutMs + config.serviceGraceMs,
  });
  await startAllInOne(config, logger, lifecycle, process.env);
  return lifecycle;
});
