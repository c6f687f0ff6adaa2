import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { censor } from './censor.js';
import { createLogger } from './create-logger.js';
import { SENSITIVE_KEYS } from './redact-paths.js';

const sensitive = new Set(SENSITIVE_KEYS);

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
  return { logger: createLogger({ service: 'token', level: 'debug', destination }), lines };
}

describe('createLogger redaction walk', () => {
  it('censors sensitive keys up to four levels down, in objects, arrays, bindings and errors', () => {
    const { logger, lines } = capture();
    const input = {
      client_secret: 's3cret',
      req: { headers: { authorization: 'Basic abc', accept: '*/*' } },
      list: [{ token: 't0k3n' }],
      deep: { a: { b: { c: { password: 'pw' } } } },
      tooDeep: { a: { b: { c: { d: { password: 'kept' } } } } },
    };
    const error = Object.assign(new Error('boom'), { access_token: 'at' });
    logger.child({ requestId: 'r1', secret: 'bound' }).info({ ...input, err: error }, 'hello');
    const line = lines[0] ?? {};
    expect(line).toMatchObject({
      service: 'token',
      level: 'info',
      requestId: 'r1',
      secret: '[REDACTED]',
      client_secret: '[REDACTED]',
      req: { headers: { authorization: '[REDACTED]', accept: '*/*' } },
      list: [{ token: '[REDACTED]' }],
      deep: { a: { b: { c: { password: '[REDACTED]' } } } },
      err: { message: 'boom', access_token: '[REDACTED]', type: 'Error' },
    });
    expect(JSON.stringify(line)).not.toMatch(/s3cret|Basic abc|t0k3n|"pw"|"at"|bound/);
    // The caller's objects are not modified.
    expect(input.client_secret).toBe('s3cret');
    expect(error).toHaveProperty('access_token', 'at');
  });

  it('keeps the bindings of every ancestor on grandchildren', () => {
    const { logger, lines } = capture();
    logger.child({ subsystem: 'http' }).child({ requestId: 'r2', token: 'x' }).info('hi');
    expect(lines[0]).toMatchObject({ subsystem: 'http', requestId: 'r2', token: '[REDACTED]' });
  });

  it('returns objects without sensitive keys unchanged (no copies)', () => {
    const value = { method: 'POST', nested: { status: 200 }, list: [1, 2] };
    expect(censor(value, sensitive)).toBe(value);
  });
});
