import { randomBytes } from 'node:crypto';
import { ConfigError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { generateAdminKey } from './admin-key.js';
import { loadConfig } from './config.js';

const signingKey = `k1:${randomBytes(32).toString('base64url')}`;
const minimal = {
  NES_REG_DATABASE_URL: 'postgres://nes@127.0.0.1:5432/nes',
  NES_REG_REDIS_URL: 'redis://127.0.0.1:6379',
  NES_REG_PUBLIC_URL: 'https://nes.example.com/',
  NES_REG_CRT_SIGNING_KEY: signingKey,
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  return [];
}

describe('loadConfig', () => {
  it('reads a minimal environment with the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      http: { port: 8081, trustProxy: false },
      grpc: { port: 50061 },
      bus: { kind: 'postgres' },
      publicUrl: 'https://nes.example.com',
      crt: { qrTtlSeconds: 600, maxLifetimeDays: 1826, signingKey: { kid: 'k1' } },
      client: { secretTtlSeconds: 0 },
      rateLimit: { enabled: true, windowSeconds: 60, registerPerIp: 30, registerPerCrt: 600 },
      redis: { keyPrefix: 'nes:registration:' },
    });
    expect(config.admin.apiKeys).toBeUndefined();
    expect(config.serverHost.length).toBeGreaterThan(0);
  });

  it('parses admin keys, previous signing keys and trusted proxies', () => {
    const alice = generateAdminKey('alice');
    const config = loadConfig({
      ...minimal,
      NES_REG_ADMIN_API_KEYS: `${alice.entry}, ${generateAdminKey('ci').entry}`,
      NES_REG_CRT_PREVIOUS_SIGNING_KEYS: `k0:${randomBytes(40).toString('base64url')}`,
      NES_REG_HTTP_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      NES_REG_BUS_KIND: 'kafka',
      NES_REG_BUS_BROKERS: 'kafka-0:9092,kafka-1:9092',
    });
    expect(config.admin.apiKeys?.map((k) => k.name)).toEqual(['alice', 'ci']);
    expect(config.crt.previousSigningKeys?.map((k) => k.kid)).toEqual(['k0']);
    expect(config.http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(config.bus).toEqual({ kind: 'kafka', brokers: ['kafka-0:9092', 'kafka-1:9092'] });
  });

  it('names every missing or invalid variable and never echoes a secret', () => {
    expect(problems({})).toEqual(
      expect.arrayContaining([
        'NES_REG_DATABASE_URL: required',
        'NES_REG_REDIS_URL: required',
        'NES_REG_PUBLIC_URL: required',
        'NES_REG_CRT_SIGNING_KEY: required',
      ]),
    );
    const weak = `k1:${randomBytes(8).toString('base64url')}`;
    const found = problems({
      ...minimal,
      NES_REG_CRT_SIGNING_KEY: weak,
      NES_REG_ADMIN_API_KEYS: 'alice:1234,bob:1234',
      NES_REG_CRT_QR_TTL_SECONDS: '-5',
      NES_REG_PUBLIC_URL: 'ftp://nes',
    });
    expect(found.join('\n')).toContain(
      'NES_REG_CRT_SIGNING_KEY: the secret must decode to at least 32 bytes',
    );
    expect(found.join('\n')).toContain(
      "NES_REG_ADMIN_API_KEYS: item 1: the hash of 'alice' must be 64 hex digits",
    );
    expect(found.join('\n')).toContain('NES_REG_CRT_QR_TTL_SECONDS');
    expect(found.join('\n')).toContain('NES_REG_PUBLIC_URL');
    expect(found.join('\n')).not.toContain(weak.slice(3));
    const alice = generateAdminKey('alice').entry;
    expect(problems({ ...minimal, NES_REG_ADMIN_API_KEYS: `${alice},${alice}` }).join()).toContain(
      "name 'alice' appears twice",
    );
  });
});
