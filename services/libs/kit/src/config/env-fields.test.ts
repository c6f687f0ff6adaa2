import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envApiKeyList, envBaseUrl, envParsedList, envTrustProxy } from './env-fields.js';
import { ConfigError, parseConfig } from './parse-config.js';

const prefix = 'T_';

function read<T>(field: z.ZodType<T, string>, raw: string): T {
  const config: { value: T } = parseConfig(
    z.object({ value: field }),
    { T_VALUE: raw },
    { prefix },
  );
  return config.value;
}

function problems(field: z.ZodType, raw: string): string[] {
  try {
    parseConfig(z.object({ value: field }), { T_VALUE: raw }, { prefix });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

describe('envTrustProxy', () => {
  it('reads true, false (any case) and lists of addresses and CIDRs', () => {
    expect(read(envTrustProxy(), 'FALSE')).toBe(false);
    expect(read(envTrustProxy(), 'True')).toBe(true);
    expect(read(envTrustProxy(), ' 10.0.0.0/8, 127.0.0.1,,fd00::/8 ')).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'fd00::/8',
    ]);
  });

  it('refuses anything else, saying what it takes', () => {
    for (const value of ['sometimes', 'proxy.example']) {
      expect(problems(envTrustProxy(), value)).toEqual([
        `T_VALUE: expected true, false or a list of IP addresses/CIDRs, got '${value}'`,
      ]);
    }
  });

  it('defaults like any other field', () => {
    const schema = z.object({ trustProxy: envTrustProxy().default(false) });
    expect(parseConfig(schema, {}, { prefix }).trustProxy).toBe(false);
  });
});

describe('envBaseUrl', () => {
  it('drops trailing slashes', () => {
    expect(read(envBaseUrl(), 'https://nes.example.com/')).toBe('https://nes.example.com');
    expect(read(envBaseUrl(), 'http://localhost:8081/nes//')).toBe('http://localhost:8081/nes');
  });

  it('refuses other schemes, credentials, queries and fragments', () => {
    expect(problems(envBaseUrl(), 'ftp://nes')).toEqual([
      "T_VALUE: expected a https or http URL, got 'ftp://nes'",
    ]);
    for (const url of ['https://u:p@nes.example', 'https://nes.example/?a=1', 'https://n.e/#x']) {
      expect(problems(envBaseUrl(), url)).toEqual([
        `T_VALUE: expected a base URL without credentials, query or fragment, got '${url}'`,
      ]);
    }
  });
});

describe('envParsedList', () => {
  const digits = (item: string) => (/^\d+$/.test(item) ? Number(item) : 'expected digits');

  it('parses every item', () => {
    expect(read(envParsedList(digits), '1, 22,333')).toEqual([1, 22, 333]);
  });

  it('reports every bad item by position, and the item count bound', () => {
    expect(problems(envParsedList(digits), 'a,2,b')).toEqual([
      "T_VALUE: item 1: expected digits, got 'a,2,b'",
      "T_VALUE: item 3: expected digits, got 'a,2,b'",
    ]);
    expect(problems(envParsedList(digits, { max: 2 }), '1,2,3')).toEqual([
      "T_VALUE: expected 1–2 comma-separated items, got '1,2,3'",
    ]);
  });
});

describe('envApiKeyList', () => {
  it('reads name:sha256hex entries', () => {
    const keys = read(envApiKeyList(), `alice:${hash('a')}, ci:${hash('c')}`);
    expect(keys.map((k) => k.name)).toEqual(['alice', 'ci']);
    expect(keys[0]?.hash.toString('hex')).toBe(hash('a'));
  });

  it('reports bad entries and a name that appears twice, together', () => {
    expect(problems(envApiKeyList(), `alice:1234,bob:${hash('b')},bob:${hash('c')}`)).toEqual([
      expect.stringMatching(/^T_VALUE: item 1: the hash of 'alice' must be 64 hex digits/),
      expect.stringMatching(/^T_VALUE: name 'bob' appears twice/),
    ]);
  });
});
