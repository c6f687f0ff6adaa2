import { describe, expect, it } from 'vitest';
import { createReadiness } from './readiness.js';

const passes = () => Promise.resolve();
const fails = () => Promise.reject(new Error('connect ECONNREFUSED'));

describe('readiness', () => {
  it('is ready when every check passes', async () => {
    const readiness = createReadiness();
    readiness.register('postgres', passes);
    readiness.register('redis', passes, { required: false });
    expect(await readiness.check()).toMatchObject({ ready: true, degraded: false });
  });

  it('is not ready when a required check fails', async () => {
    const readiness = createReadiness();
    readiness.register('postgres', fails);
    readiness.register('redis', passes, { required: false });
    const report = await readiness.check();
    expect(report).toMatchObject({ ready: false, degraded: false });
    expect(report.checks).toContainEqual(
      expect.objectContaining({ name: 'postgres', ok: false, required: true }),
    );
  });

  it('stays ready but degraded when only a check that is not required fails', async () => {
    const readiness = createReadiness();
    readiness.register('signing-keys', passes);
    readiness.register('postgres', fails, { required: false });
    const report = await readiness.check();
    expect(report).toMatchObject({ ready: true, degraded: true });
    expect(report.checks).toContainEqual({
      name: 'postgres',
      ok: false,
      required: false,
      durationMs: expect.any(Number) as number,
      error: 'connect ECONNREFUSED',
    });
  });

  it('is not ready once shutting down, whatever the checks say', async () => {
    const readiness = createReadiness();
    readiness.register('postgres', passes);
    readiness.markShuttingDown();
    expect(await readiness.check()).toMatchObject({ ready: false, shuttingDown: true });
  });

  it('counts a check that takes too long as failed', async () => {
    const readiness = createReadiness();
    readiness.register('slow', () => new Promise(() => undefined), { timeoutMs: 20 });
    const report = await readiness.check();
    expect(report.ready).toBe(false);
    expect(report.checks[0]?.error).toBe('timed out after 20 ms');
  });
});
