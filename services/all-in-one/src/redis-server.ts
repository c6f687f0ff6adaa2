import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Logger } from '@nes/kit';
import { join } from 'node:path';
import { startServerProcess } from './server-process.js';
import { stopStaleProcess } from './stale-process.js';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs the machine's `redis-server` for the single-machine default. Redis only
 * holds what NES may lose (caches, rate-limit counters, tap windows), so it runs
 * without persistence.
 */
export async function startRedis(opts: {
  dir: string;
  port: number;
  logger: Logger;
}): Promise<LocalRedis> {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error) {
    throw new Error('redis-server not found: run scripts/setup.sh (installs Debian redis-server)');
  }
  mkdirSync(opts.dir, { recursive: true });
  const pidFile = join(opts.dir, 'redis.pid');
  await stopStaleProcess({
    pidFile,
    expectedCommand: 'redis-server',
    signal: 'SIGTERM',
    logger: opts.logger,
  });
  const server = startServerProcess({
    command: 'redis-server',
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      opts.dir,
      '--pidfile',
      pidFile,
    ],
    deathSignal: 'SIGTERM',
  });
  const exited = server.exited;
  // A redis-server that exits at once (port taken, bad flag) must fail the start,
  // not pass it because something else answers on the port.
  const failed = exited.then(() => {
    throw new Error(`redis-server exited during start (is port ${opts.port} in use?)`);
  });
  await Promise.race([waitForPort(opts.port, 5_000), failed]);
  failed.catch(() => undefined);
  opts.logger.child({ component: 'redis' }).info({ port: opts.port }, 'redis ready');
  return {
    url: `redis://127.0.0.1:${opts.port}`,
    stop: () => server.stop('SIGTERM', 10_000),
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
