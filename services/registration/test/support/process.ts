import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const HOOK = fileURLToPath(new URL('./ts-resolve.mjs', import.meta.url));

/** The service's real process (src/main.ts run by Node from the sources). */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** Resolves once stdout contains `text` (rejects if the process exits first). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** Spawns the service with exactly `env` (nothing inherited). */
export function spawnService(env: Record<string, string>): ServiceProcess {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@nes/source',
      '--experimental-transform-types',
      '--no-warnings',
      '--import',
      HOOK,
      MAIN,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
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
        if (child.exitCode !== null)
          throw new Error(`exited (${child.exitCode}): ${stderr}${stdout}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for '${text}': ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
