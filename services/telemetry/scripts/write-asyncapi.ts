import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderAsyncApiYaml } from './asyncapi-document.ts';

// Rewrites services/telemetry/asyncapi.yaml from proto/.
const target = fileURLToPath(new URL('../asyncapi.yaml', import.meta.url));
writeFileSync(target, renderAsyncApiYaml());
process.stdout.write(`wrote ${target}\n`);
