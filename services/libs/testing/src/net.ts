import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from './errors.js';
import { describeExit, type ManagedProcess } from './process.js';

/** A port that was free a moment ago on `host` (the kernel picked it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections at host:port. */
export function tcpAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** What is awaited, for the timeout message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Give up at once, with its output, when this process exits. */
  process?: ManagedProcess;
}

/**
 * Polls `check` until it returns true. Throws an {@link InfraError} when the
 * process being waited for exits or the time is up — never hangs.
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const proc = options.process;
    if (proc?.hasExited()) {
      throw new InfraError(describeExit(proc, await proc.exited));
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const tail = proc ? `; ${proc.name} output:\n${proc.outputTail()}` : '';
      throw new InfraError(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}${cause}${tail}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/**
 * Starts a server on a freshly picked port, picking again when another
 * process took the port in between (other test runs share this machine).
 */
export async function withFreePort<T>(
  start: (port: number) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      const clash = error instanceof Error && /address already in use/i.test(error.message);
      if (!clash || attempt >= attempts) throw error;
    }
  }
}
