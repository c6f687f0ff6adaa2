import { ConfigError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadConfig } from './config.js';

const base = {
  NES_TEL_DATABASE_URL: 'postgres://nes:pw@127.0.0.1/nes',
  NES_TEL_REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('configuration', () => {
  it('has working defaults beyond the connections', () => {
    const config = loadConfig(base);
    expect(config.http.port).toBe(8084);
    expect(config.projector.httpPort).toBe(8085);
    expect(config.bus).toEqual({ kind: 'postgres' });
    expect(config.auth).toMatchObject({
      audience: ['nes'],
      deviceScope: 'nymi-connect',
      analystScope: 'audit.read',
    });
    expect(config.republish.topics).toContain('nes.registration.v1');
  });

  it('requires the issuer and registration target for the API process only', () => {
    expect(() => loadConfig(base)).not.toThrow();
    const error = (() => {
      try {
        loadApiConfig(base);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([
      'NES_TEL_AUTH_ISSUER',
      'NES_TEL_REGISTRATION_GRPC_TARGET',
    ]);
    const api = loadApiConfig({
      ...base,
      NES_TEL_AUTH_ISSUER: 'https://nes.example.com/token/',
      NES_TEL_REGISTRATION_GRPC_TARGET: 'registration:50061',
    });
    expect(api.auth.jwksUri).toBe('https://nes.example.com/token/oauth2/jwks');
  });

  it('never echoes secrets in its errors', () => {
    expect(() => loadConfig({ ...base, NES_TEL_DATABASE_URL: 'mysql://u:s3cret@x/db' })).toThrow(
      /NES_TEL_DATABASE_URL: expected a postgres or postgresql URL$/,
    );
    try {
      loadConfig({ ...base, NES_TEL_ANALYSTS_API_KEYS: 'bob:s3cret' });
    } catch (error) {
      expect(String(error)).not.toContain('s3cret');
    }
  });
});
