import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { healthV1 } from '@nes/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createGrpcClient,
  createGrpcServer,
  createLogger,
  createReadiness,
  GatewayTimeoutError,
  InternalError,
  InvalidClientError,
  NotFoundError,
  ServiceUnavailableError,
  type GrpcClient,
  type GrpcServer,
  type Readiness,
} from '../src/index.js';
import { EchoClient, EchoService, type EchoRequest } from './support/echo-service.js';
import { makeTestCerts, type TestCerts } from './support/tls-certs.js';

const { HealthClient, HealthCheckResponse_ServingStatus: Serving } = healthV1;
const logger = createLogger({ service: 'kit-grpc-test', level: 'silent' });

function fail(request: EchoRequest): void {
  if (request.fail === 'conflict') {
    throw new ConflictError("client limit of CRT 'c1' reached", { code: 'client_limit_reached' });
  }
  if (request.fail === 'invalid_client') throw new InvalidClientError('unknown client');
  if (request.fail === 'crash') throw new Error('password column leaked');
}

async function startServer(
  readiness: Readiness,
  tls?: TestCerts,
): Promise<{ server: GrpcServer; port: number }> {
  const server = await createGrpcServer({
    logger,
    health: readiness,
    healthWatchIntervalMs: 50,
    ...(tls
      ? {
          tls: {
            certFile: tls.serverCertFile,
            keyFile: tls.serverKeyFile,
            caFile: tls.caFile,
            requireClientCert: true,
          },
        }
      : {}),
  });
  server.addService(EchoService, {
    echo: async (request, context) => {
      if (request.delayMs) await sleep(request.delayMs, undefined, { signal: context.signal });
      fail(request);
      return {
        text: request.text,
        requestId: context.requestId,
        ...(context.trace ? { traceId: context.trace.traceId } : {}),
      };
    },
    repeat: (request, stream, context) => {
      for (let i = 0; i < (request.count ?? 1); i += 1) {
        stream.write({ text: `${request.text}-${i}`, requestId: context.requestId });
      }
      fail(request);
      return Promise.resolve();
    },
  });
  return { server, port: await server.bind('127.0.0.1', 0) };
}

describe('gRPC over a real socket', () => {
  let readiness: Readiness;
  let ready = true;
  let server: GrpcServer;
  let echo: GrpcClient<typeof EchoService>;
  let health: GrpcClient<typeof healthV1.HealthService>;

  beforeAll(async () => {
    readiness = createReadiness({ defaultTimeoutMs: 200 });
    readiness.register('postgres', () =>
      ready ? Promise.resolve() : Promise.reject(new Error('down')),
    );
    const started = await startServer(readiness);
    server = started.server;
    echo = await createGrpcClient(EchoClient, `127.0.0.1:${started.port}`, { deadlineMs: 2_000 });
    health = await createGrpcClient(HealthClient, `127.0.0.1:${started.port}`);
  });

  afterAll(async () => {
    echo.close();
    health.close();
    await server.close(1_000);
  });

  it('answers health Check from readiness, for the server and hosted services', async () => {
    expect(await health.check({ service: '' })).toEqual({ status: Serving.SERVING });
    expect(await health.check({ service: 'nes.test.v1.Echo' })).toEqual({
      status: Serving.SERVING,
    });
    ready = false;
    try {
      expect(await health.check({ service: '' })).toEqual({ status: Serving.NOT_SERVING });
    } finally {
      ready = true;
    }
    await expect(health.check({ service: 'nes.nope.v1.Nope' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('streams health changes on Watch', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const message of health.watch(
      { service: '' },
      { signal: controller.signal, deadlineMs: 5_000 },
    )) {
      seen.push(message.status);
      if (seen.length === 1) ready = false;
      if (seen.length === 2) break;
    }
    ready = true;
    expect(seen).toEqual([Serving.SERVING, Serving.NOT_SERVING]);
  });

  it('carries the request id and trace context, and answers', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(await echo.echo({ text: 'hi' }, { requestId: 'req-42', traceparent })).toEqual({
      text: 'hi',
      requestId: 'req-42',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it('maps AppErrors to status codes and back, keeping the specific code', async () => {
    const conflict = await echo.echo({ text: 'x', fail: 'conflict' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({
      code: 'client_limit_reached',
      message: "client limit of CRT 'c1' reached",
    });
    await expect(echo.echo({ text: 'x', fail: 'invalid_client' })).rejects.toBeInstanceOf(
      InvalidClientError,
    );
  });

  it('hides unknown errors behind INTERNAL with a generic message', async () => {
    const error = await echo.echo({ text: 'x', fail: 'crash' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as Error).message).toBe('internal error');
  });

  it('applies the deadline and maps it to GatewayTimeoutError', async () => {
    await expect(
      echo.echo({ text: 'x', delayMs: 2_000 }, { deadlineMs: 100 }),
    ).rejects.toBeInstanceOf(GatewayTimeoutError);
  });

  it('streams responses and maps an error that ends the stream', async () => {
    const texts: string[] = [];
    for await (const message of echo.repeat({ text: 'r', count: 3 })) texts.push(message.text);
    expect(texts).toEqual(['r-0', 'r-1', 'r-2']);
    const received: string[] = [];
    const failing = (async () => {
      for await (const message of echo.repeat({ text: 'f', count: 2, fail: 'conflict' }))
        received.push(message.text);
    })();
    await expect(failing).rejects.toBeInstanceOf(ConflictError);
    expect(received).toEqual(['f-0', 'f-1']);
  });

  it('reports an unreachable server as ServiceUnavailableError', async () => {
    const nowhere = await createGrpcClient(EchoClient, '127.0.0.1:1', { deadlineMs: 1_000 });
    try {
      const error = await nowhere.echo({ text: 'x' }).catch((e: unknown) => e);
      expect([ServiceUnavailableError, GatewayTimeoutError].some((c) => error instanceof c)).toBe(
        true,
      );
    } finally {
      nowhere.close();
    }
  });
});

describe('gRPC with mutual TLS', () => {
  let certs: TestCerts;
  let server: GrpcServer;
  let port: number;

  beforeAll(async () => {
    certs = await makeTestCerts();
    const readiness = createReadiness();
    ({ server, port } = await startServer(readiness, certs));
  });

  afterAll(async () => {
    await server.close(1_000);
    await rm(certs.dir, { recursive: true, force: true });
  });

  it('serves a client that presents a certificate from the CA', async () => {
    const client = await createGrpcClient(EchoClient, `localhost:${port}`, {
      tls: { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile },
    });
    try {
      expect(await client.echo({ text: 'secure' })).toMatchObject({ text: 'secure' });
    } finally {
      client.close();
    }
  });

  it('refuses a client without a certificate, and a plaintext client', async () => {
    const noCert = await createGrpcClient(EchoClient, `localhost:${port}`, {
      tls: { caFile: certs.caFile },
      deadlineMs: 2_000,
    });
    const plain = await createGrpcClient(EchoClient, `localhost:${port}`, { deadlineMs: 2_000 });
    try {
      await expect(noCert.echo({ text: 'x' })).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(plain.echo({ text: 'x' })).rejects.toBeInstanceOf(ServiceUnavailableError);
    } finally {
      noCert.close();
      plain.close();
    }
  });

  it('fails at startup with the path of a missing TLS file', async () => {
    await expect(
      createGrpcServer({
        logger,
        health: createReadiness(),
        tls: { certFile: '/nonexistent/cert.pem', keyFile: certs.serverKeyFile },
      }),
    ).rejects.toThrow("cannot read TLS certificate file '/nonexistent/cert.pem': ENOENT");
  });
});

describe('gRPC shutdown', () => {
  it('ends Watch streams with NOT_SERVING and lets a running call finish', async () => {
    const readiness = createReadiness();
    const { server, port } = await startServer(readiness);
    const echo = await createGrpcClient(EchoClient, `127.0.0.1:${port}`);
    const health = await createGrpcClient(HealthClient, `127.0.0.1:${port}`);
    try {
      const seen: number[] = [];
      const watching = (async () => {
        for await (const message of health.watch({ service: '' }, { deadlineMs: 10_000 }))
          seen.push(message.status);
      })();
      const running = echo.echo({ text: 'slow', delayMs: 300 });
      await sleep(100);
      readiness.markShuttingDown();
      const started = performance.now();
      await server.close(5_000);
      await watching;
      expect(seen).toEqual([Serving.SERVING, Serving.NOT_SERVING]);
      expect(await running).toMatchObject({ text: 'slow' });
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      echo.close();
      health.close();
    }
  });
});
