import { runService } from '@nes/kit';
import { loadConfig } from './config.js';
import { createTokenService } from './create-service.js';

await runService(async () => {
  const config = loadConfig(process.env);
  const service = await createTokenService(config);
  return service.lifecycle;
});
