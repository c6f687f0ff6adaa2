import { createGrpcClient, ServiceUnavailableError } from '@nes/kit';
import { registrationV1 } from '@nes/proto';
import { createTestDatabase, getInfra, startUrlProxy, type TcpProxy } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt, deviceMetadata, register } from './support/factories.js';
import { call } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

// Postgres and Redis behind proxies this file takes down: what devices,
// administrators and the token service see while one is gone, and that the
// service comes back by itself.
let svc: TestService;
let postgres: TcpProxy;
let redis: TcpProxy;
let grpc: Awaited<
  ReturnType<typeof createGrpcClient<typeof registrationV1.RegistrationServiceService>>
>;
beforeAll(async () => {
  const db = await createTestDatabase('reg_outage');
  const pgProxy = await startUrlProxy(db.url);
  const redisProxy = await startUrlProxy(getInfra().redis.url);
  postgres = pgProxy.proxy;
  redis = redisProxy.proxy;
  svc = await startTestService({
    db,
    env: { NES_REG_DATABASE_URL: pgProxy.url, NES_REG_REDIS_URL: redisProxy.url },
  });
  grpc = await createGrpcClient(registrationV1.RegistrationServiceClient, svc.grpcAddress, {
    deadlineMs: 5000,
  });
});
afterAll(async () => {
  grpc?.close();
  await svc?.stop();
  await postgres?.close();
  await redis?.close();
  await svc?.db.drop();
});

/** Log lines since `from`, parsed. */
function logsSince(from: number): { level: string; msg: string }[] {
  return svc.logs.slice(from).map((line) => JSON.parse(line) as { level: string; msg: string });
}

describe('a dependency out of reach', () => {
  it('Postgres: 503 with Retry-After on every API, UNAVAILABLE over gRPC, back by itself', async () => {
    const crt = await createCrt(svc, { maxClients: 0 });
    const first = await register(svc, crt.token, deviceMetadata());
    expect(first.status).toBe(201);
    const clientId = String(first.body.client_id);
    const logsFrom = svc.logs.length;

    await postgres.down();
    try {
      // A device registering: RFC 6749 temporarily_unavailable, which OAuth clients retry.
      const refused = await register(svc, crt.token, deviceMetadata());
      expect(refused.status, refused.text).toBe(503);
      expect(refused.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'A service this request depends on is unavailable; try again shortly.',
      });
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('cache-control')).toBe('no-store');
      // An administrator: a problem document.
      const admin = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, { token: svc.adminKey });
      expect(admin.status, admin.text).toBe(503);
      expect(admin.body).toMatchObject({ code: 'service_unavailable', status: 503 });
      expect(admin.headers.get('retry-after')).toBe('1');
      for (const reply of [refused, admin]) {
        expect(reply.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      }
      // The token service asking for a client: UNAVAILABLE (it retries, or serves its cache).
      const error = await grpc.getClient({ clientId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((await call(svc.base, '/readyz')).status).toBe(503);
      // Warnings, every one: an outage is no bug (nothing is logged at error level).
      const logged = logsSince(logsFrom);
      expect(logged.filter((line) => /^(request|grpc call) failed/.test(line.msg))).toHaveLength(3);
      expect(logged.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    } finally {
      await postgres.up();
    }
    const again = await register(svc, crt.token, deviceMetadata());
    expect(again.status, again.text).toBe(201);
    expect((await grpc.getClient({ clientId })).client?.clientId).toBe(clientId);
    expect((await call(svc.base, '/readyz')).status).toBe(200);
  });

  it('Redis: registrations go on (rate limits fail open), readiness says so', async () => {
    const crt = await createCrt(svc, { maxClients: 0 });
    await redis.down();
    try {
      const reply = await register(svc, crt.token, deviceMetadata());
      expect(reply.status, reply.text).toBe(201);
      const ready = await call(svc.base, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        checks: { redis: { ok: false }, postgres: { ok: true } },
      });
    } finally {
      await redis.up();
    }
    await expect
      .poll(async () => (await call(svc.base, '/readyz')).status, { timeout: 15_000 })
      .toBe(200);
  });
});
