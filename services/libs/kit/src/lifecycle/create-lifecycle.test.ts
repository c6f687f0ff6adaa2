import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/create-logger.js';
import { createLifecycle } from './create-lifecycle.js';
import { createReadiness } from './readiness.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger({ service: 't', level: 'debug', destination }), lines };
}

describe('createLifecycle', () => {
  it('marks not-ready first, then runs steps in reverse order, once', async () => {
    const { logger } = capture();
    const readiness = createReadiness();
    const order: string[] = [];
    const lifecycle = createLifecycle({ logger, timeoutMs: 1_000, readiness });
    lifecycle.onStop('pool', () => {
      order.push(`pool (shutting down: ${readiness.shuttingDown})`);
    });
    lifecycle.onStop('http', async () => {
      await sleep(5);
      order.push('http');
    });
    const first = lifecycle.stop('SIGTERM');
    const second = lifecycle.stop('again');
    expect(lifecycle.stopping).toBe(true);
    expect(await first).toEqual({ ok: true, reason: 'SIGTERM', failed: [] });
    expect(await second).toBe(await first);
    expect(await lifecycle.stopped).toBe(await first);
    expect(order).toEqual(['http', 'pool (shutting down: true)']);
    expect((await readiness.check()).ready).toBe(false);
  });

  it('keeps going after a failing step and reports it', async () => {
    const { logger, lines } = capture();
    const lifecycle = createLifecycle({ logger, timeoutMs: 1_000 });
    let poolClosed = false;
    lifecycle.onStop('pool', () => {
      poolClosed = true;
    });
    lifecycle.onStop('consumer', () => {
      throw new Error('broker gone');
    });
    const result = await lifecycle.stop('test');
    expect(result).toEqual({ ok: false, reason: 'test', failed: ['consumer'] });
    expect(poolClosed).toBe(true);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'shutdown step failed', step: 'consumer' }),
    );
  });

  it('gives up after the timeout and names the step that hung', async () => {
    const { logger, lines } = capture();
    const lifecycle = createLifecycle({ logger, timeoutMs: 50 });
    lifecycle.onStop('pool', () => undefined);
    lifecycle.onStop('grpc', () => new Promise<void>(() => undefined));
    const started = performance.now();
    const result = await lifecycle.stop('SIGTERM');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toMatchObject({ ok: false, hung: 'grpc' });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'shutdown timed out in step "grpc"' }),
    );
  });
});

describe('createReadiness', () => {
  it('reports each check, times out slow ones and shares concurrent runs', async () => {
    const readiness = createReadiness({ defaultTimeoutMs: 30 });
    let runs = 0;
    readiness.register('postgres', async () => {
      runs += 1;
      await sleep(1);
    });
    readiness.register('redis', () => Promise.reject(new Error('ECONNREFUSED')));
    readiness.register('bus', (signal) => sleep(5_000, undefined, { signal }), { timeoutMs: 20 });
    const [a, b] = await Promise.all([readiness.check(), readiness.check()]);
    expect(a).toBe(b);
    expect(runs).toBe(1);
    expect(a.ready).toBe(false);
    expect(a.checks).toEqual([
      expect.objectContaining({ name: 'postgres', ok: true }),
      expect.objectContaining({ name: 'redis', ok: false, error: 'ECONNREFUSED' }),
      expect.objectContaining({ name: 'bus', ok: false, error: 'timed out after 20 ms' }),
    ]);
    expect(() => readiness.register('redis', () => Promise.resolve())).toThrow(/already/);
  });

  it('is ready with passing checks until shutdown, and tells listeners once', async () => {
    const readiness = createReadiness();
    readiness.register('ok', () => Promise.resolve());
    expect((await readiness.check()).ready).toBe(true);
    let told = 0;
    readiness.onShutdown(() => (told += 1));
    readiness.markShuttingDown();
    readiness.markShuttingDown();
    expect(told).toBe(1);
    expect(await readiness.check()).toMatchObject({ ready: false, shuttingDown: true });
  });
});
