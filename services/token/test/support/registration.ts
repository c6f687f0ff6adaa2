import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '@nes/kit';
import {
  loadConfig,
  startRegistrationService,
  type RunningRegistrationService,
} from '@nes/registration';
import { getInfra, uniqueName, withFreePort } from '@nes/testing';
import { expect } from 'vitest';

/** The real registration service, started in-process on the test database. */
export interface TestRegistration {
  readonly base: string;
  readonly grpcTarget: string;
  readonly service: RunningRegistrationService;
  readonly logs: string[];
  /** Creates a client registration token (the RFC 7591 initial access token) and returns its value. */
  createCrt(): Promise<string>;
  /** Creates a CRT and registers a client with `metadata` (RFC 7591); returns the response. */
  registerClient(metadata?: Record<string, unknown>): Promise<RegisteredTestClient>;
  /** Soft-deletes a client through the admin API. */
  deleteClient(clientId: string): Promise<void>;
  /** Renames a client through the admin API (a nes.client.updated.v1 event). */
  renameClient(clientId: string, name: string): Promise<void>;
  stop(): Promise<void>;
}

/** What RFC 7591 returned for a new client. */
export interface RegisteredTestClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly [field: string]: unknown;
}

let counter = 0;

/** Device metadata as Nymi Connect sends it. */
export function deviceMetadata(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    client_name: 'Nymi Connect',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'nymi-connect',
    app_name: 'Nymi Connect',
    app_version: '3.0.1',
    os_type: 'Android 14',
    host_name: 'SM-M315F',
    device_info_1: `SN${counter}`,
    device_info_2: `mdm-${counter}`,
    android_id: `bf75d75e802e${String(counter).padStart(4, '0')}`,
    ...overrides,
  };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** Starts the registration service (its own create-service) on `databaseUrl`. */
export function startRegistration(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TestRegistration> {
  return withFreePort((port) => startRegistrationOn(port, databaseUrl, env));
}

async function startRegistrationOn(
  port: number,
  databaseUrl: string,
  env: Record<string, string>,
): Promise<TestRegistration> {
  const adminKey = `nesadm_${randomBytes(32).toString('base64url')}`;
  const adminHash = createHash('sha256').update(adminKey).digest('hex');
  const parsed = loadConfig({
    NES_REG_HTTP_HOST: '127.0.0.1',
    NES_REG_HTTP_PORT: String(port),
    NES_REG_GRPC_HOST: '127.0.0.1',
    NES_REG_DATABASE_URL: databaseUrl,
    NES_REG_REDIS_URL: getInfra().redis.url,
    NES_REG_REDIS_KEY_PREFIX: `${uniqueName('reg')}:`,
    NES_REG_PUBLIC_URL: `http://127.0.0.1:${port}`,
    NES_REG_CRT_SIGNING_KEY: `k1:${randomBytes(32).toString('base64url')}`,
    NES_REG_ADMIN_API_KEYS: `tester:${adminHash}`,
    NES_REG_LOG_LEVEL: 'debug',
    NES_REG_RATE_LIMIT_REGISTER_PER_IP: '1000000',
    ...env,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const service = await startRegistrationService(
    { ...parsed, grpc: { ...parsed.grpc, port: 0 } },
    { logger: createLogger({ service: 'registration', level: 'debug', destination }) },
  );
  const base = `http://127.0.0.1:${service.httpPort}`;
  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };

  async function createCrt(): Promise<string> {
    counter += 1;
    const crt = await fetch(`${base}/admin/v1/crts`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        title: `token-test ${counter} ${Date.now()}`,
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        scope: 'nymi-connect',
        details: '',
        maxClients: 0,
      }),
    });
    const crtBody = await json(crt);
    expect(crt.status, JSON.stringify(crtBody)).toBe(201);
    return String(crtBody.token);
  }

  return {
    base,
    grpcTarget: `127.0.0.1:${service.grpcPort}`,
    service,
    logs,
    createCrt,
    async registerClient(metadata = deviceMetadata()) {
      const crt = await createCrt();
      const registered = await fetch(`${base}/oauth2/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${crt}`, 'content-type': 'application/json' },
        body: JSON.stringify(metadata),
      });
      const body = await json(registered);
      expect(registered.status, JSON.stringify(body)).toBe(201);
      return body as unknown as RegisteredTestClient;
    },
    async deleteClient(clientId) {
      const reply = await fetch(`${base}/admin/v1/clients/${clientId}`, {
        method: 'DELETE',
        headers: { authorization: admin.authorization },
      });
      expect(reply.status, await reply.text()).toBeLessThan(300);
    },
    async renameClient(clientId, name) {
      const reply = await fetch(`${base}/admin/v1/clients/${clientId}`, {
        method: 'PATCH',
        headers: admin,
        body: JSON.stringify({ name }),
      });
      expect(reply.status, await reply.text()).toBeLessThan(300);
    },
    stop: async () => {
      await service.lifecycle.stop('test done');
    },
  };
}
