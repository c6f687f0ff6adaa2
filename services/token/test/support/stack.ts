import { createTestDatabase, metricValue as scrapeMetric, type TestDatabase } from '@nes/testing';
import { expect } from 'vitest';
import { startRegistration, type TestRegistration } from './registration.js';
import { encryptionKeyEntry, startToken, type StartTokenOptions, type TestToken } from './token.js';

/** Registration and token service(s) on one test database and one bus. */
export interface TestStack {
  readonly db: TestDatabase;
  readonly registration: TestRegistration;
  readonly token: TestToken;
  /** Starts another token replica sharing database, Redis prefix and KEK. */
  addReplica(overrides?: Partial<StartTokenOptions>): Promise<TestToken>;
  stop(): Promise<void>;
}

/** Starts the real registration service and a token service against it. */
export async function startStack(
  options: Partial<Omit<StartTokenOptions, 'databaseUrl' | 'registrationTarget'>> & {
    /** NES_REG_* variables of the registration service. */
    readonly registrationEnv?: Record<string, string>;
  } = {},
): Promise<TestStack> {
  const db = await createTestDatabase('token');
  const registration = await startRegistration(db.url, options.registrationEnv);
  const shared = {
    databaseUrl: db.url,
    registrationTarget: registration.grpcTarget,
    registrationBase: registration.base,
    encryptionKey: options.encryptionKey ?? encryptionKeyEntry(),
    redisKeyPrefix: options.redisKeyPrefix ?? `${db.name}:`,
  };
  const replicas: TestToken[] = [];
  const addReplica = async (overrides: Partial<StartTokenOptions> = {}) => {
    // Replicas of one deployment share the issuer (the first one's URL here).
    const first = replicas[0];
    const issuer: Record<string, string> =
      first === undefined ? {} : { NES_TOKEN_ISSUER: first.config.issuer };
    const env = { ...options.env, ...issuer, ...overrides.env };
    const replica = await startToken({ ...shared, ...options, ...overrides, env });
    replicas.push(replica);
    return replica;
  };
  const token = await addReplica();
  return {
    db,
    registration,
    token,
    addReplica,
    async stop() {
      for (const replica of replicas) await replica.stop();
      await registration.stop();
      await db.drop();
    },
  };
}

/** Form-encodes parameters (as OAuth clients do). */
export function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** `Basic` credentials per RFC 6749 §2.3.1 (form-encoded id and secret). */
export function basicAuth(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** A raw HTTP reply: status, headers and parsed JSON body (when any). */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/** POSTs a form to the token service. */
export async function postForm(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form(params),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Requests a token with client_secret_basic and expects success. */
export async function fetchToken(
  base: string,
  clientId: string,
  secret: string,
  params: Record<string, string> = {},
): Promise<string> {
  const reply = await postForm(
    `${base}/oauth2/token`,
    { grant_type: 'client_credentials', ...params },
    { authorization: basicAuth(clientId, secret) },
  );
  expect(reply.status, reply.text).toBe(200);
  return String(reply.body.access_token);
}

/** The value of a Prometheus sample on a service's /metrics (0 when absent). */
export function metricValue(
  base: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return scrapeMetric(`${base}/metrics`, name, labels);
}

/** Polls `check` until it returns true (or fails after `timeoutMs`). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
