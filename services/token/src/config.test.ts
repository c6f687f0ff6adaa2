import { randomBytes } from 'node:crypto';
import { ConfigError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const kek = `kek-1:${randomBytes(32).toString('base64')}`;
const base = {
  NES_TOKEN_DATABASE_URL: 'postgres://u:pw@localhost/db',
  NES_TOKEN_REDIS_URL: 'redis://localhost:6379',
  NES_TOKEN_ISSUER: 'https://nes.example/token/',
  NES_TOKEN_REGISTRATION_GRPC_TARGET: 'registration:50061',
  NES_TOKEN_KEYS_ENCRYPTION_KEY: kek,
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(base);
    expect(config.issuer).toBe('https://nes.example/token');
    expect(config.keys.algorithm).toBe('ES256');
    expect(config.token).toMatchObject({ lifetimeSeconds: 600, audience: ['nes'] });
    expect(config.keys.encryptionKey.id).toBe('kek-1');
  });

  it('names every missing variable', () => {
    expect(problems({})).toEqual(
      expect.arrayContaining([
        'NES_TOKEN_DATABASE_URL: required',
        'NES_TOKEN_REDIS_URL: required',
        'NES_TOKEN_ISSUER: required',
        'NES_TOKEN_REGISTRATION_GRPC_TARGET: required',
        'NES_TOKEN_KEYS_ENCRYPTION_KEY: required',
      ]),
    );
  });

  it('names the variable of a bad value, never echoing a secret', () => {
    const secretValue = 'kek-1:c2hvcnQ=';
    const found = problems({
      ...base,
      NES_TOKEN_KEYS_ENCRYPTION_KEY: secretValue,
      NES_TOKEN_KEYS_ALGORITHM: 'HS256',
      NES_TOKEN_TOKEN_LIFETIME_SECONDS: 'soon',
      NES_TOKEN_HTTP_PROT: '1',
    });
    expect(found.join('\n')).not.toContain('c2hvcnQ');
    expect(found).toEqual(
      expect.arrayContaining([
        'NES_TOKEN_KEYS_ENCRYPTION_KEY: the key must be 32 bytes, got 5',
        "NES_TOKEN_KEYS_ALGORITHM: expected one of ES256, EdDSA, got 'HS256'",
        "NES_TOKEN_TOKEN_LIFETIME_SECONDS: expected integer 5–86400, got 'soon'",
        'NES_TOKEN_HTTP_PROT: unknown variable (not read by this service)',
      ]),
    );
  });

  it('checks that a new key is published long enough before it signs', () => {
    expect(
      problems({
        ...base,
        NES_TOKEN_KEYS_PUBLISH_LEAD_SECONDS: '100',
        NES_TOKEN_JWKS_MAX_AGE_SECONDS: '300',
      }).join('\n'),
    ).toMatch(/^NES_TOKEN_KEYS_PUBLISH_LEAD_SECONDS: must be at least the JWKS max-age/m);
    expect(
      problems({
        ...base,
        NES_TOKEN_KEYS_ROTATION_INTERVAL_SECONDS: '3600',
        NES_TOKEN_KEYS_PUBLISH_LEAD_SECONDS: '7200',
      }).join('\n'),
    ).toMatch(/NES_TOKEN_KEYS_PUBLISH_LEAD_SECONDS: must be shorter than the rotation interval/);
  });
});
