import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { healthV1 } from '../src/index.js';

const ServingStatus = healthV1.HealthCheckResponse_ServingStatus;
type ServingStatus = healthV1.HealthCheckResponse_ServingStatus;

const REGISTRATION = 'nes.registration.v1.RegistrationService';
const DEADLINE_MS = 5_000;

/**
 * A minimal in-memory implementation of the generated HealthServer interface,
 * enough to prove the generated definition and client interoperate over a
 * real socket. (The services' real one lives in their shared kit.)
 */
function createHealth() {
  const statuses = new Map<string, ServingStatus>([
    ['', ServingStatus.SERVING],
    [REGISTRATION, ServingStatus.SERVING],
  ]);
  const watchers = new Map<string, Set<(value: ServingStatus) => void>>();

  const implementation: healthV1.HealthServer = {
    check(call, callback) {
      const current = statuses.get(call.request.service);
      if (current === undefined) {
        callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        return;
      }
      callback(null, { status: current });
    },
    watch(call) {
      const { service } = call.request;
      const send = (value: ServingStatus) => call.write({ status: value });
      send(statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN);
      const listeners = watchers.get(service) ?? new Set();
      watchers.set(service, listeners.add(send));
      call.on('cancelled', () => listeners.delete(send));
    },
  };

  function setStatus(service: string, value: ServingStatus): void {
    statuses.set(service, value);
    for (const send of watchers.get(service) ?? []) send(value);
  }

  return { implementation, setStatus };
}

const deadline = () => ({ deadline: Date.now() + DEADLINE_MS });

describe('grpc.health.v1 over a loopback socket', () => {
  const health = createHealth();
  const server = new Server();
  let address = '';
  let client: healthV1.HealthClient;

  beforeAll(async () => {
    server.addService(healthV1.HealthService, health.implementation);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => {
        if (error) reject(error);
        else resolve(bound);
      });
    });
    address = `127.0.0.1:${port}`;
    client = new healthV1.HealthClient(address, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  function check(service: string): Promise<healthV1.HealthCheckResponse> {
    return new Promise((resolve, reject) => {
      client.check({ service }, new Metadata(), deadline(), (error, response) => {
        if (error) reject(error);
        else resolve(response);
      });
    });
  }

  it('answers Check for the server and for a named service', async () => {
    await expect(check('')).resolves.toEqual({ status: ServingStatus.SERVING });
    await expect(check(REGISTRATION)).resolves.toEqual({ status: ServingStatus.SERVING });
  });

  it('fails Check with NOT_FOUND for a service it does not know', async () => {
    const error = (await check('nes.nothing.v1.Nothing').catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe('unknown service nes.nothing.v1.Nothing');
  });

  it('streams status changes through Watch until cancelled', async () => {
    const stream = client.watch({ service: REGISTRATION }, deadline());
    const seen: ServingStatus[] = [];
    for await (const response of stream as AsyncIterable<healthV1.HealthCheckResponse>) {
      seen.push(response.status);
      if (seen.length === 1) health.setStatus(REGISTRATION, ServingStatus.NOT_SERVING);
      if (seen.length === 2) break;
    }
    stream.cancel();
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    await expect(check(REGISTRATION)).resolves.toEqual({ status: ServingStatus.NOT_SERVING });
  });

  it('tells a Watch caller about an unknown service in-band', async () => {
    const stream = client.watch({ service: 'nes.nothing.v1.Nothing' }, deadline());
    const first = await new Promise<healthV1.HealthCheckResponse>((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
    });
    stream.cancel();
    expect(first.status).toBe(ServingStatus.SERVICE_UNKNOWN);
  });

  it('answers a client that knows only the standard wire format', async () => {
    // What grpc_health_probe or a kubelet does: raw bytes on the standard path.
    const raw = new Client(address, credentials.createInsecure());
    try {
      const bytes = await new Promise<Buffer>((resolve, reject) => {
        raw.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          (request: Buffer) => request,
          (response: Buffer) => response,
          Buffer.alloc(0), // HealthCheckRequest{service: ""}
          deadline(),
          (error, response) => {
            if (error) reject(error);
            else if (response === undefined) reject(new Error('no response'));
            else resolve(response);
          },
        );
      });
      expect([...bytes]).toEqual([0x08, ServingStatus.SERVING]);
    } finally {
      raw.close();
    }
  });
});
