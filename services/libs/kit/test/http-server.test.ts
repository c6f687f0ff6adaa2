import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConflictError,
  createHttpServer,
  createLogger,
  createMetrics,
  createReadiness,
  InvalidClientError,
  type HttpServer,
  type Readiness,
} from '../src/index.js';

/** Log lines, parsed, so tests can check what was (not) logged. */
const lines: Record<string, unknown>[] = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    callback();
  },
});

let app: HttpServer;
let readiness: Readiness;
let base: string;
let redisUp = true;

beforeAll(async () => {
  const logger = createLogger({ service: 'kit-test', level: 'debug', destination });
  readiness = createReadiness({ defaultTimeoutMs: 200 });
  readiness.register('redis', () =>
    redisUp ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED')),
  );
  app = await createHttpServer({
    config: { bodyLimitBytes: 2048 },
    logger,
    metrics: createMetrics({ service: 'kit-test' }),
    readiness,
    openapi: { title: 'Kit test', version: '1.2.3' },
  });
  const crtBody = z.object({
    title: z.string().min(1).max(64),
    maxClients: z.number().int().min(0),
  });
  app.post(
    '/v1/crts',
    {
      schema: { body: crtBody, response: { 201: z.object({ id: z.string(), title: z.string() }) } },
    },
    async (request, reply) => {
      if (request.body.title === 'taken') throw new ConflictError("title 'taken' is in use");
      if (request.body.title === 'crash') throw new Error('column "secret_hash" does not exist');
      return reply.code(201).send({ id: 'crt-1', title: request.body.title });
    },
  );
  app.post(
    '/oauth2/token',
    {
      config: { oauth: true },
      schema: { body: z.object({ grant_type: z.literal('client_credentials') }) },
    },
    (request) => {
      if (request.headers.authorization === undefined)
        throw new InvalidClientError('client authentication failed');
      return { access_token: 'x', token_type: 'Bearer' };
    },
  );
  app.get('/v1/slow', async () => {
    await sleep(300);
    return { done: true };
  });
  app.get('/v1/trace', (request) => ({ traceId: request.trace?.traceId ?? null, id: request.id }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app.close();
});

function post(
  path: string,
  body: string,
  contentType = 'application/json',
  headers: Record<string, string> = {},
) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType, ...headers },
  });
}

async function problem(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as Record<string, unknown>;
}

describe('createHttpServer', () => {
  it('validates with zod and answers 201 through the response schema', async () => {
    const response = await post('/v1/crts', JSON.stringify({ title: 't', maxClients: 0 }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: 'crt-1', title: 't' });
  });

  it('answers invalid JSON with a 400 problem', async () => {
    const response = await post('/v1/crts', '{"title": ');
    expect(response.status).toBe(400);
    expect(await problem(response)).toMatchObject({
      type: 'urn:nes:problem:invalid_json',
      title: 'Bad Request',
      status: 400,
      code: 'invalid_json',
      instance: '/v1/crts',
    });
  });

  it('answers an oversized body with 413, not 5xx', async () => {
    const response = await post(
      '/v1/crts',
      JSON.stringify({ title: 'x'.repeat(4096), maxClients: 1 }),
    );
    expect(response.status).toBe(413);
    expect(await problem(response)).toMatchObject({ code: 'payload_too_large' });
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await post('/v1/crts', 'title=x', 'text/xml');
    expect(response.status).toBe(415);
    expect(await problem(response)).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('lists every failed field of a validation error without echoing values', async () => {
    const response = await post('/v1/crts', JSON.stringify({ title: '', maxClients: 'hunter2' }));
    expect(response.status).toBe(400);
    const body = await problem(response);
    expect(body).toMatchObject({ code: 'validation_failed' });
    const issues = (body.details as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['/body/title', '/body/maxClients']));
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await fetch(`${base}/v1/nope?token=abc`);
    expect(response.status).toBe(404);
    expect(await problem(response)).toMatchObject({
      code: 'route_not_found',
      instance: '/v1/nope',
      detail: 'No route matches GET /v1/nope.',
    });
  });

  it('answers a malformed URL with a 400 problem', async () => {
    const response = await fetch(`${base}/v1/%zz`);
    expect(response.status).toBe(400);
    expect(await problem(response)).toMatchObject({
      code: 'bad_request',
      detail: 'The request URL is malformed.',
    });
  });

  it('answers requests the HTTP parser refuses with a problem, and closes the connection', async () => {
    const port = Number(new URL(base).port);
    /** Sends raw bytes; resolves with everything the server wrote before it closed. */
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        let answer = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    const secret = 'Bearer do-not-log-this-token';
    const cases = [
      [
        `GET /v1/trace HTTP/1.1\r\nhost: x\r\nauthorization: ${secret}\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        'headers_too_large',
      ],
      ['GARBAGE\r\n\r\n', 400, 'malformed_request'],
      [
        `GET /v1/trace HTTP/1.1\r\nhost: x\r\nauthorization: ${secret}\r\nbad header\r\n\r\n`,
        400,
        'malformed_request',
      ],
    ] as const;
    for (const [request, status, code] of cases) {
      const answer = await raw(request);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      expect(head).toMatch(/connection: close/i);
      const problem = JSON.parse(body) as Record<string, unknown>;
      expect(problem).toMatchObject({ status, code, type: `urn:nes:problem:${code}` });
      expect(head).toContain(`x-request-id: ${String(problem.requestId)}`);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /http_malformed_requests_total\{[^}]*code="malformed_request"[^}]*\} 2/,
    );
    expect(metrics).toMatch(
      /http_malformed_requests_total\{[^}]*code="headers_too_large"[^}]*\} 1/,
    );
    expect(JSON.stringify(lines)).not.toContain('do-not-log-this-token');
  });

  it('sends AppErrors with their status and hides unknown errors behind a 500', async () => {
    const conflict = await post('/v1/crts', JSON.stringify({ title: 'taken', maxClients: 1 }));
    expect(conflict.status).toBe(409);
    expect(await problem(conflict)).toMatchObject({
      code: 'conflict',
      detail: "title 'taken' is in use",
    });

    const crash = await post(
      '/v1/crts',
      JSON.stringify({ title: 'crash', maxClients: 1 }),
      undefined,
      {
        'x-request-id': 'crash-req-1',
      },
    );
    expect(crash.status).toBe(500);
    const text = await crash.text();
    expect(text).not.toContain('secret_hash');
    expect(JSON.parse(text)).toMatchObject({ code: 'internal', requestId: 'crash-req-1' });
    const logged = lines.find((l) => l.msg === 'request failed' && l.requestId === 'crash-req-1');
    expect(JSON.stringify(logged)).toContain('secret_hash');
  });

  it('answers OAuth routes in RFC 6749 shape, validation failures included', async () => {
    const bad = await post('/oauth2/token', JSON.stringify({ grant_type: 'password' }));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('cache-control')).toBe('no-store');
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });

    const broken = await post('/oauth2/token', '{');
    expect(await broken.json()).toMatchObject({ error: 'invalid_request' });

    const unauth = await post(
      '/oauth2/token',
      JSON.stringify({ grant_type: 'client_credentials' }),
    );
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toBe('Basic realm="nes"');
    expect(await unauth.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('echoes a sane x-request-id, replaces an insane one, and reads traceparent', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const sane = await fetch(`${base}/v1/trace`, {
      headers: { 'x-request-id': 'abc-1', traceparent },
    });
    expect(sane.headers.get('x-request-id')).toBe('abc-1');
    expect(await sane.json()).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', id: 'abc-1' });
    const logged = lines.find((l) => l.requestId === 'abc-1' && l.msg === 'request completed');
    expect(logged).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      route: '/v1/trace',
      status: 200,
    });

    const insane = await fetch(`${base}/v1/trace`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves /healthz, and /readyz flips to 503 with the failing check', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: { ok: true } } });
    redisUp = false;
    try {
      const down = await fetch(`${base}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'not_ready',
        checks: { redis: { ok: false, error: 'ECONNREFUSED' } },
      });
    } finally {
      redisUp = true;
    }
  });

  it('serves Prometheus metrics with the request histogram by route', async () => {
    await fetch(`${base}/healthz`);
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{service="kit-test",method="GET",route="\/healthz",status_code="200"\} \d+/,
    );
    expect(text).toContain('route="unmatched"');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('serves an OpenAPI document built from the zod route schemas', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'Kit test', version: '1.2.3' });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/crts', '/oauth2/token']));
    expect(Object.keys(doc.paths)).not.toContain('/healthz');
    expect(JSON.stringify(doc.paths['/v1/crts'])).toContain('maxClients');
  });

  it('answers 503 on /readyz once shutdown began, and finishes in-flight requests on close', async () => {
    // A client that keeps its connection open after the answer, as browsers and proxies do.
    const agent = new Agent({ keepAlive: true });
    const slow = new Promise<unknown>((resolve, reject) => {
      get(`${base}/v1/slow`, { agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body)));
      }).on('error', reject);
    });
    await sleep(50);
    readiness.markShuttingDown();
    const readyz = await fetch(`${base}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'shutting_down', checks: {} });
    const closing = app.close();
    expect(await slow).toEqual({ done: true });
    // The slow request's keep-alive connection went idle after close began;
    // it must not hold close() for its keep-alive timeout (72 s).
    const closed = await Promise.race([closing.then(() => true), sleep(2000).then(() => false)]);
    agent.destroy();
    expect(closed, 'close() still waits for an idle keep-alive connection').toBe(true);
    await closing;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
