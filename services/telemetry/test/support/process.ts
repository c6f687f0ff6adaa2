import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOOK = fileURLToPath(new URL('./ts-resolve.mjs', import.meta.url));

/** The entry points of the service's processes, run by Node from the sources. */
export const ENTRY = {
  api: fileURLToPath(new URL('../../src/main.ts', import.meta.url)),
  projector: fileURLToPath(new URL('../../src/projector/main.ts', import.meta.url)),
  cli: fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)),
} as const;

/** A process of the service, started from its TypeScript sources. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves once stdout contains `text` (rejects if the process exits first). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** Spawns `entry` with exactly `env` (plus PATH) and `args`. */
export function spawnEntry(
  entry: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): ServiceProcess {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@nes/source',
      '--experimental-transform-types',
      '--no-warnings',
      '--import',
      HOOK,
      entry,
      ...args,
    ],
    // eslint-disable-next-line no-restricted-syntax -- test tooling: the child gets this run's PATH only
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitFor(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `exited (${child.exitCode ?? child.signalCode}): ${stderr}${stdout.slice(-2000)}`,
          );
        if (Date.now() > deadline) throw new Error(`timed out waiting for '${text}': ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
