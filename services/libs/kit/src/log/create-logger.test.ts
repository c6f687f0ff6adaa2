import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { childLogger, createLogger } from './create-logger.js';

/** A logger whose lines are collected in memory, parsed. */
function capture(extraSensitiveKeys: string[] = []) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ service: 'test', level: 'debug', destination, extraSensitiveKeys });
  return { logger, lines };
}

const secrets = {
  password: 'pw-top-1',
  token: 'tok-top-2',
  req: {
    headers: {
      authorization: 'Bearer hdr-3',
      cookie: 'sid=cookie-4',
      'set-cookie': 'sid=cookie-5',
      'content-type': 'application/json',
    },
  },
  body: {
    client_secret: 'cs-6',
    access_token: 'at-7',
    refresh_token: 'rt-8',
    registration_access_token: 'rat-9',
    client: { secret: 'sec-10', nested: { password: 'pw-11', newPassword: 'pw-12' } },
  },
  user: { name: 'alice', credentials: { password: 'pw-13' } },
};
const secretValues = [
  'pw-top-1',
  'tok-top-2',
  'hdr-3',
  'cookie-4',
  'cookie-5',
  'cs-6',
  'at-7',
  'rt-8',
  'rat-9',
  'sec-10',
  'pw-11',
  'pw-12',
  'pw-13',
];

describe('createLogger', () => {
  it('writes none of the sensitive values, at any depth, and keeps the rest', () => {
    const { logger, lines } = capture();
    logger.info(secrets, 'registering client');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    for (const value of secretValues) expect(line).not.toContain(value);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      level: 'info',
      service: 'test',
      msg: 'registering client',
      password: '[REDACTED]',
      req: { headers: { authorization: '[REDACTED]', 'content-type': 'application/json' } },
      user: { name: 'alice', credentials: { password: '[REDACTED]' } },
    });
  });

  it('redacts through child loggers too', () => {
    const { logger, lines } = capture();
    childLogger(logger, 'db', { schema: 'oauth' }).warn({ client: { client_secret: 'cs-x' } }, 'x');
    expect(lines[0]).not.toContain('cs-x');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ subsystem: 'db', schema: 'oauth' });
  });

  it('censors extra keys a service adds', () => {
    const { logger, lines } = capture(['pin']);
    logger.info({ band: { pin: '1234' } }, 'x');
    expect(lines[0]).not.toContain('1234');
  });

  it('serializes errors with their message and cause', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('outer', { cause: new Error('inner') }) }, 'failed');
    const parsed = JSON.parse(lines[0] ?? '{}') as { err: { message: string; stack: string } };
    // pino's serializer folds the cause chain into the message and stack.
    expect(parsed.err.message).toBe('outer: inner');
    expect(parsed.err.stack).toContain('inner');
  });

  it('redacts sensitive properties carried by a logged error', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('bind failed'), { password: 'pw-err', user: 'bob' });
    logger.error({ err }, 'failed');
    expect(lines[0]).not.toContain('pw-err');
    expect(lines[0]).toContain('bob');
  });
});

describe('error serialization', () => {
  it("keeps an error's class, message and fields but not a pg client hung on it", () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('terminating connection'), {
      code: '57P01',
      client: { connectionParameters: { user: 'nes', database: 'nes' }, processID: 42 },
    });
    logger.error({ err: error }, 'idle connection failed');
    const line = JSON.parse(lines[0] ?? '{}') as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({
      type: 'Error',
      message: 'terminating connection',
      code: '57P01',
    });
    expect(line.err).not.toHaveProperty('client');
    expect(lines[0]).not.toContain('connectionParameters');
  });
});
