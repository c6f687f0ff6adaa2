import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt, deviceMetadata, register } from './support/factories.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({
    env: {
      NES_REG_RATE_LIMIT_REGISTER_PER_IP: '3',
      NES_REG_RATE_LIMIT_REGISTER_PER_CRT: '4',
      NES_REG_RATE_LIMIT_WINDOW_SECONDS: '60',
      // The test is the proxy: X-Forwarded-For from loopback is believed.
      NES_REG_HTTP_TRUST_PROXY: '127.0.0.1',
    },
  });
});
afterAll(() => svc?.stop());

const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('registration rate limits', () => {
  it('limits attempts per client address, with Retry-After and an OAuth-shaped body', async () => {
    const crt = await createCrt(svc);
    const statuses = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push(
        (await register(svc, crt.token, deviceMetadata(), from('198.51.100.7'))).status,
      );
    expect(statuses).toEqual([201, 201, 201, 429]);
    const limited = await register(svc, crt.token, deviceMetadata(), from('198.51.100.7'));
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: 'too_many_requests',
      error_description: 'Too many registration requests; try again later.',
    });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Failed attempts count too: an address guessing tokens is slowed down the same way.
    for (let i = 0; i < 3; i += 1)
      await register(svc, 'guess', deviceMetadata(), from('198.51.100.8'));
    expect((await register(svc, crt.token, deviceMetadata(), from('198.51.100.8'))).status).toBe(
      429,
    );
    // The client's recorded address is the forwarded one.
    const { rows } = await svc.sql.query(
      'SELECT DISTINCT client_ip FROM client WHERE crt_id = $1',
      [crt.crt.id],
    );
    expect(rows).toEqual([{ client_ip: '198.51.100.7' }]);
  });

  it('limits attempts per CRT across addresses', async () => {
    const crt = await createCrt(svc);
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push(
        (await register(svc, crt.token, deviceMetadata(), from(`192.0.2.${i + 10}`))).status,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 201, 429]);
    const other = await createCrt(svc);
    expect((await register(svc, other.token, deviceMetadata(), from('192.0.2.99'))).status).toBe(
      201,
    );
  });
});
