import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envInt, envString, secret } from './env-fields.js';
import { ConfigError, parseConfig } from './parse-config.js';
import { REDACTED, redactConfig } from './redact-config.js';
import {
  busSection,
  databaseSection,
  grpcSection,
  httpSection,
  logSection,
  redisSection,
  shutdownSection,
} from './sections.js';

const schema = z.object({
  http: httpSection(),
  database: databaseSection(),
  log: logSection(),
  bus: busSection(),
  grpc: grpcSection(),
  shutdown: shutdownSection(),
  instanceId: envString({ max: 64 }),
});

const prefix = 'NES_REG_';
const goodEnv = {
  NES_REG_DATABASE_URL: 'postgres://nes:hunter2@db:5432/nes',
  NES_REG_INSTANCE_ID: 'site-a',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(schema, env, { prefix });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('reads nested sections by prefixed SNAKE_CASE names and applies defaults', () => {
    const config = parseConfig(
      schema,
      { ...goodEnv, NES_REG_HTTP_PORT: ' 9090 ', NES_REG_DATABASE_POOL_SIZE: '4', OTHER: 'x' },
      { prefix },
    );
    expect(config.http).toEqual({ port: 9090, host: '0.0.0.0', bodyLimitBytes: 1024 * 1024 });
    expect(config.database.poolSize).toBe(4);
    expect(config.log.level).toBe('info');
    expect(config.bus).toEqual({ kind: 'postgres' });
    expect(config.grpc.tls).toBeUndefined();
    expect(config.shutdown.timeoutMs).toBe(15_000);
    expect(config.instanceId).toBe('site-a');
  });

  it('names every bad variable at once, with what it expected and what it got', () => {
    const problems = problemsOf({
      NES_REG_HTTP_PORT: 'abc',
      NES_REG_LOG_LEVEL: 'loud',
      NES_REG_INSTANCE_ID: 'ok',
      NES_REG_SHUTDOWN_TIMEOUT_MS: '5',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'NES_REG_DATABASE_URL: required',
        "NES_REG_HTTP_PORT: expected integer 1–65535, got 'abc'",
        "NES_REG_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
        "NES_REG_SHUTDOWN_TIMEOUT_MS: expected integer 100–600000, got '5'",
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('puts all problems in the error message', () => {
    expect(() => parseConfig(schema, { NES_REG_HTTP_PORT: '70000' }, { prefix })).toThrow(
      /NES_REG_HTTP_PORT: expected integer 1–65535, got '70000'.*NES_REG_DATABASE_URL: required/,
    );
  });

  it('never echoes a secret value', () => {
    const env = { ...goodEnv, NES_REG_DATABASE_URL: 'mysql://root:s3cr3t-pw@db/nes' };
    const problems = problemsOf(env);
    expect(problems).toEqual(['NES_REG_DATABASE_URL: expected a postgres or postgresql URL']);
    expect(() => parseConfig(schema, env, { prefix })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') as unknown }),
    );
  });

  it('treats empty values as unset', () => {
    expect(problemsOf({ ...goodEnv, NES_REG_INSTANCE_ID: '  ' })).toEqual([
      'NES_REG_INSTANCE_ID: required',
    ]);
  });

  it('reports variables with the prefix that the schema does not read', () => {
    expect(problemsOf({ ...goodEnv, NES_REG_HTTP_PROT: '80' })).toEqual([
      'NES_REG_HTTP_PROT: unknown variable (not read by this service)',
    ]);
    const config = parseConfig(
      schema,
      { ...goodEnv, NES_REG_HTTP_PROT: '80' },
      { prefix, unknownVariables: 'ignore' },
    );
    expect(config.http.port).toBe(8080);
  });

  it('requires brokers when the bus is kafka and splits the list', () => {
    expect(problemsOf({ ...goodEnv, NES_REG_BUS_KIND: 'kafka' })).toEqual([
      'NES_REG_BUS_BROKERS: required when the bus kind is kafka',
    ]);
    expect(
      problemsOf({ ...goodEnv, NES_REG_BUS_KIND: 'kafka', NES_REG_BUS_BROKERS: 'a:1,b' }),
    ).toEqual(["NES_REG_BUS_BROKERS: item 2: expected host:port, got 'a:1,b'"]);
    const config = parseConfig(
      schema,
      { ...goodEnv, NES_REG_BUS_KIND: 'kafka', NES_REG_BUS_BROKERS: 'k1:9092, k2:9092' },
      { prefix },
    );
    expect(config.bus).toEqual({ kind: 'kafka', brokers: ['k1:9092', 'k2:9092'] });
  });

  it('reads an optional nested section only when one of its variables is set', () => {
    expect(problemsOf({ ...goodEnv, NES_REG_GRPC_TLS_CERT_FILE: '/tls/cert.pem' })).toEqual([
      'NES_REG_GRPC_TLS_KEY_FILE: required',
    ]);
    expect(
      problemsOf({
        ...goodEnv,
        NES_REG_GRPC_TLS_CERT_FILE: '/c.pem',
        NES_REG_GRPC_TLS_KEY_FILE: '/k.pem',
        NES_REG_GRPC_TLS_REQUIRE_CLIENT_CERT: 'yes',
      }),
    ).toEqual(['NES_REG_GRPC_TLS_CA_FILE: required when client certificates are required']);
  });

  it('refuses a malformed prefix', () => {
    expect(() => parseConfig(schema, goodEnv, { prefix: 'nes-' })).toThrow(TypeError);
  });

  it('accepts integers at the bounds and refuses fractions and overflow', () => {
    const small = z.object({ n: envInt({ min: -1, max: 1 }) });
    expect(parseConfig(small, { N: '-1' }, { prefix: '' }).n).toBe(-1);
    expect(() => parseConfig(small, { N: '1.0' }, { prefix: '' })).toThrow(/N: expected integer/);
    expect(() => parseConfig(small, { N: '99999999999999999999' }, { prefix: '' })).toThrow(
      /N: expected integer -1–1/,
    );
  });
});

describe('redactConfig', () => {
  it('prints secrets as [REDACTED] and keeps everything else', () => {
    const withToken = schema.extend({ adminToken: secret(envString()).optional() });
    const config = parseConfig(
      withToken,
      { ...goodEnv, NES_REG_ADMIN_TOKEN: 'tok-123' },
      { prefix },
    );
    const printed = JSON.stringify(redactConfig(withToken, config));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain('tok-123');
    expect(redactConfig(withToken, config)).toMatchObject({
      database: { url: REDACTED, poolSize: 10 },
      adminToken: REDACTED,
      instanceId: 'site-a',
    });
  });

  it('redacts the redis url too', () => {
    const redisOnly = z.object({ redis: redisSection() });
    const config = parseConfig(redisOnly, { REDIS_URL: 'redis://:pw@r:6379' }, { prefix: '' });
    expect(redactConfig(redisOnly, config)).toEqual({ redis: { url: REDACTED } });
  });
});
