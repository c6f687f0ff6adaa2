import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import type { ConsumerProcessConfig } from '../contract/fixtures/consumer-process.ts';

const FIXTURE = fileURLToPath(new URL('../contract/fixtures/consumer-process.ts', import.meta.url));
const RESOLVE_HOOK = fileURLToPath(new URL('../contract/fixtures/ts-resolve.mjs', import.meta.url));

/** A consumer group member running in a child process. */
export interface ConsumerProcess {
  readonly child: ChildProcess;
  /** Resolves once the member has subscribed; rejects if the process dies first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** Redelivered events its idempotent handler skipped so far. */
  duplicates(): number;
  /** Everything it wrote to stderr (for failure messages). */
  stderr(): string;
}

/**
 * Spawns the consumer fixture with the same Node as the test run. Node 24
 * runs TypeScript itself (`--experimental-transform-types` rather than plain
 * type stripping, because @nes/proto's generated code has enums);
 * `ts-resolve.mjs` maps the sources' NodeNext-style `./x.js` imports to the
 * `.ts` files and `--conditions=@nes/source` resolves workspace packages to
 * their sources, so the child runs the very code under test — no build
 * step, nothing stale.
 */
export function spawnConsumer(config: ConsumerProcessConfig): ConsumerProcess {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@nes/source',
      // @nes/proto's generated code has enums, which plain type stripping refuses.
      '--experimental-transform-types',
      '--disable-warning=ExperimentalWarning',
      '--import',
      RESOLVE_HOOK,
      FIXTURE,
      JSON.stringify(config),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let duplicates = 0;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line === 'ready') resolve();
      else if (line.startsWith('dup ')) duplicates += 1;
    });
    void exited.then((how) =>
      reject(new Error(`consumer process exited (${String(how)}): ${stderr}`)),
    );
  });
  // The test decides what happens on failure; avoid an unhandled rejection meanwhile.
  ready.catch(() => undefined);
  return { child, ready, exited, duplicates: () => duplicates, stderr: () => stderr };
}
