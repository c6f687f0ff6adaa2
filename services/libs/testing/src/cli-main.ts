import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatEnvLines } from './env-lines.js';
import { startInfra, stopInfra } from './infra.js';
import { stderrLog } from './log.js';

/** Starts the servers, prints env lines on stdout, waits for SIGINT/SIGTERM, stops. */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(
      'usage: pnpm infra\n' +
        'Starts the test servers (NES_TEST_INFRA, NES_TEST_COMPONENTS apply) and prints\n' +
        'NES_TEST_* lines that let test runs use them with NES_TEST_INFRA=external.\n',
    );
    return;
  }
  const infra = await startInfra();
  // Named like run dirs, so a later run sweeps it if this process is killed.
  const scratch = await mkdtemp(join(tmpdir(), `nes-infra-${process.pid}-cli-`));
  let caFile: string | undefined;
  if (infra.ad) {
    caFile = join(scratch, 'ad-ca.pem');
    await writeFile(caFile, infra.ad.caCertPem);
  }
  process.stdout.write(`${formatEnvLines(infra, caFile).join('\n')}\n`);
  stderrLog('running; press Ctrl-C to stop');

  // Nothing else may hold the event loop open (external mode starts nothing).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  stderrLog(`${signal}: stopping`);
  await stopInfra();
  await rm(scratch, { recursive: true, force: true });
}

try {
  await main();
} catch (error) {
  stderrLog(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
