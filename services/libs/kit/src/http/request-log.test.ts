import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors/problem-errors.js';
import { createReadiness } from '../lifecycle/readiness.js';
import { createLogger } from '../log/create-logger.js';
import { createMetrics } from '../metrics/create-metrics.js';
import { createHttpServer } from './create-http-server.js';
import type { HttpServer } from './http-server-type.js';

function logSink(): { lines: Record<string, unknown>[]; destination: Writable } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { lines, destination };
}

async function serverLoggingAt(level: 'debug' | 'info') {
  const sink = logSink();
  const app = await createHttpServer({
    config: {},
    logger: createLogger({ service: 'kit-test', level, destination: sink.destination }),
    metrics: createMetrics({ service: 'kit-test', defaultMetrics: false }),
    readiness: createReadiness(),
    openapi: { title: 'Kit test', version: '1.0.0' },
  });
  app.get('/quiet', { config: { requestLog: 'failures' } }, (request) => {
    if (request.headers['x-fail'] === '1') throw new ConflictError('quiet route refused');
    return { ok: true };
  });
  app.get('/loud', () => ({ ok: true }));
  await app.ready();
  return { app, lines: sink.lines };
}

describe("a route's requestLog: 'failures'", () => {
  let debug: { app: HttpServer; lines: Record<string, unknown>[] };
  let info: { app: HttpServer; lines: Record<string, unknown>[] };
  beforeAll(async () => {
    debug = await serverLoggingAt('debug');
    info = await serverLoggingAt('info');
  });
  afterAll(async () => {
    await debug.app.close();
    await info.app.close();
  });

  const completed = (lines: Record<string, unknown>[], id: string) =>
    lines.find((l) => l.requestId === id && l.msg === 'request completed');

  it('logs successes at debug and refusals at info', async () => {
    const ok = await debug.app.inject({ url: '/quiet', headers: { 'x-request-id': 'q-ok' } });
    expect(ok.statusCode).toBe(200);
    const no = await debug.app.inject({
      url: '/quiet',
      headers: { 'x-request-id': 'q-no', 'x-fail': '1' },
    });
    expect(no.statusCode).toBe(409);
    expect(completed(debug.lines, 'q-ok')).toMatchObject({
      level: 'debug',
      route: '/quiet',
      status: 200,
    });
    expect(completed(debug.lines, 'q-no')).toMatchObject({ level: 'info', status: 409 });
  });

  it('writes no success line at info, but still the refusals and other routes', async () => {
    await info.app.inject({ url: '/quiet', headers: { 'x-request-id': 'i-ok' } });
    await info.app.inject({ url: '/quiet', headers: { 'x-request-id': 'i-no', 'x-fail': '1' } });
    await info.app.inject({ url: '/loud', headers: { 'x-request-id': 'i-loud' } });
    expect(completed(info.lines, 'i-ok')).toBeUndefined();
    expect(completed(info.lines, 'i-no')).toMatchObject({ level: 'info', status: 409 });
    expect(
      info.lines.find((l) => l.requestId === 'i-no' && l.msg === 'request refused'),
    ).toBeDefined();
    expect(completed(info.lines, 'i-loud')).toMatchObject({ level: 'info', status: 200 });
  });
});
