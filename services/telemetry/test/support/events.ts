import { randomUUID } from 'node:crypto';

let counter = 0;

/** A device audit event as Nymi Connect would report it (every guide attribute set). */
export function deviceEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    eventId: `evt-${randomUUID()}`,
    eventType: 'TapAuthentication',
    eventTime: new Date(Date.UTC(2026, 10, 20, 22, 54, 16, 365)).toISOString(),
    category: 'Audit',
    subCategory: 'Authentication',
    producer: 'NCA',
    producerVersion: '3.0.1',
    userId: 'EXAMPLE\\jdoe',
    authenticatorId: 'BLE_MAC_00:1A:7D:DA:71:13',
    secondaryAuthenticatorId: 'NFC_3B8F7E2100',
    appProcessName: 'chrome.exe',
    appUrl: 'https://intranet.example.com/login',
    appWindowTitle: `Sign in ${counter}`,
    totalElapsedMs: 1234,
    details: 'password autofilled',
    severity: 'Information',
    level: 'Information',
    message: 'User authenticated with a tap',
    exception: '',
    source: 'TapService',
    ...overrides,
  };
}

/**
 * A valid event with only the required attributes and a fresh id: for
 * volume tests (a Kafka mock's partition window is counted in bytes).
 */
export function smallEvent(): Record<string, unknown> {
  const { eventId, eventTime } = deviceEvent();
  return {
    eventId,
    eventTime,
    eventType: 'TapAuthentication',
    category: 'Audit',
    subCategory: 'Authentication',
    producer: 'NCA',
    severity: 'Information',
  };
}

/** The reply of an HTTP call, its body parsed when it is JSON. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/** One HTTP call. */
export async function call(
  url: string,
  options: {
    method?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = {};
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Posts a batch to the ingest endpoint. */
export function ingest(base: string, token: string, events: unknown): Promise<Reply> {
  return call(`${base}/telemetry/v1/events`, { token, body: { events } });
}
