import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { getInfra, uniqueName } from '@nes/testing';
import { describe, expect, it } from 'vitest';
import { createLogger, createRedis } from '../src/index.js';

const logger = createLogger({ service: 'kit-redis-test', level: 'silent' });
const signal = () => new AbortController().signal;

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A private redis-server (Debian package), for the restart test only. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; i < 100 && !output.includes('Ready to accept connections'); i += 1)
    await sleep(20);
  if (!output.includes('Ready to accept connections'))
    throw new Error('redis-server did not start');
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

describe('createRedis', () => {
  it('connects, passes its readiness check and serves commands', async () => {
    const redis = createRedis({ url: getInfra().redis.url }, logger);
    try {
      await redis.connected;
      await expect(redis.check(signal())).resolves.toBeUndefined();
      const key = uniqueName('kit');
      await redis.client.set(key, 'v', { expiration: { type: 'PX', value: 10_000 } });
      expect(await redis.client.get(key)).toBe('v');
    } finally {
      await redis.close();
    }
  });

  it('fails readiness and commands at once while Redis is unreachable, and closes cleanly', async () => {
    const redis = createRedis({ url: `redis://127.0.0.1:${await freePort()}` }, logger);
    await sleep(100);
    await expect(redis.check(signal())).rejects.toThrow('redis not connected');
    const started = performance.now();
    await expect(redis.client.get('x')).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(500);
    await redis.close();
    await expect(redis.connected).rejects.toThrow();
  });

  it('reconnects by itself after Redis restarts', async () => {
    const port = await freePort();
    let server = await startRedis(port);
    const redis = createRedis({ url: `redis://127.0.0.1:${port}` }, logger, {
      maxReconnectDelayMs: 200,
    });
    try {
      await redis.connected;
      await redis.check(signal());
      await stop(server);
      await eventually(() => expect(redis.check(signal())).rejects.toThrow());
      server = await startRedis(port);
      await eventually(() => redis.check(signal()));
      expect(await redis.client.ping()).toBe('PONG');
    } finally {
      await redis.close();
      await stop(server);
    }
  });
});
