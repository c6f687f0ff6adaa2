import { createTestDatabase, getInfra, uniqueName } from '@nes/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAdminKey } from '../src/admin-key.js';
import { spawnService, type ServiceProcess } from './support/process.js';
import { freePort, signingKeyEntry } from './support/service.js';

const running: ServiceProcess[] = [];
afterEach(() => {
  for (const service of running.splice(0))
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
});

function start(env: Record<string, string>): ServiceProcess {
  const service = spawnService(env);
  running.push(service);
  return service;
}

describe('the service process', () => {
  it('refuses to start without its required variables, naming each', async () => {
    const service = start({ NES_REG_HTTP_PORT: 'eighty' });
    expect(await service.exited).toBe(1);
    const line = JSON.parse(service.stderr().trim().split('\n').at(-1) ?? '{}') as {
      msg: string;
      err: { message: string };
    };
    expect(line.msg).toBe('startup failed');
    for (const variable of [
      'NES_REG_DATABASE_URL: required',
      'NES_REG_REDIS_URL: required',
      'NES_REG_PUBLIC_URL: required',
      'NES_REG_CRT_SIGNING_KEY: required',
      "NES_REG_HTTP_PORT: expected integer 1–65535, got 'eighty'",
    ]) {
      expect(line.err.message).toContain(variable);
    }
  });

  it('names invalid variables without echoing secrets', async () => {
    const weakKey = 'k1:c2hvcnQ';
    const service = start({
      NES_REG_DATABASE_URL: 'mysql://x',
      NES_REG_REDIS_URL: 'redis://127.0.0.1:1',
      NES_REG_PUBLIC_URL: 'https://nes.example.com/?q=1',
      NES_REG_CRT_SIGNING_KEY: weakKey,
      NES_REG_ADMIN_API_KEYS: 'alice:nothex',
      NES_REG_BUS_KIND: 'kafka',
      NES_REG_HTTP_TRUST_PROXY: 'sometimes',
      NES_REG_TYPO_VARIABLE: '1',
    });
    expect(await service.exited).toBe(1);
    const output = service.stderr();
    for (const text of [
      'NES_REG_DATABASE_URL: expected a postgres or postgresql URL',
      'NES_REG_PUBLIC_URL: expected a base URL without credentials, query or fragment',
      'NES_REG_CRT_SIGNING_KEY: the secret must decode to at least 32 bytes',
      "NES_REG_ADMIN_API_KEYS: item 1: the hash of 'alice' must be 64 hex digits",
      'NES_REG_BUS_BROKERS: required when the bus kind is kafka',
      'NES_REG_HTTP_TRUST_PROXY: expected true, false or a list of IP addresses/CIDRs',
      'NES_REG_TYPO_VARIABLE: unknown variable',
    ]) {
      expect(output).toContain(text);
    }
    expect(output).not.toContain('c2hvcnQ');
  });

  it('starts, is ready, and stops in order on SIGTERM', async () => {
    const db = await createTestDatabase('reg_proc');
    try {
      const port = await freePort();
      const grpcPort = await freePort();
      const service = start({
        NES_REG_HTTP_HOST: '127.0.0.1',
        NES_REG_HTTP_PORT: String(port),
        NES_REG_GRPC_HOST: '127.0.0.1',
        NES_REG_GRPC_PORT: String(grpcPort),
        NES_REG_DATABASE_URL: db.url,
        NES_REG_REDIS_URL: getInfra().redis.url,
        NES_REG_REDIS_KEY_PREFIX: `${uniqueName('reg')}:`,
        NES_REG_PUBLIC_URL: `http://127.0.0.1:${port}`,
        NES_REG_CRT_SIGNING_KEY: signingKeyEntry(),
        NES_REG_ADMIN_API_KEYS: generateAdminKey('ops').entry,
        NES_REG_LOG_LEVEL: 'debug',
      });
      await service.waitFor('registration service started');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      const checks = ((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks;
      expect(Object.keys(checks).sort()).toEqual(['bus', 'postgres', 'redis']);
      expect(Object.values(checks).every((c) => c.ok)).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('nes_registration_registrations_total');

      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      const steps = service
        .stdout()
        .split('\n')
        .filter((line) => line.includes('shutdown step done'))
        .map((line) => (JSON.parse(line) as { step: string }).step);
      expect(steps).toEqual(['http', 'grpc', 'outbox relay', 'bus', 'redis', 'postgres']);
    } finally {
      await db.drop();
    }
  });
});
