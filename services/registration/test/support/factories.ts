import { expect } from 'vitest';
import type { TestService } from './service.js';
import { call, type Reply } from './http.js';

/** A created CRT as the API returns it. */
export interface CreatedCrt {
  crt: {
    id: string;
    title: string;
    status: string;
    clientUsage: { count: number; max: number };
  } & Record<string, unknown>;
  token: string;
  mdmConfiguration: string;
  qrCode: { url: string; availableUntil: string } | null;
}

let counter = 0;

/** Creates a CRT through the admin API (unique title, one week, the given limit). */
export async function createCrt(
  svc: TestService,
  fields: Partial<{ title: string; expiresAt: string; maxClients: number; details: string }> = {},
): Promise<CreatedCrt> {
  counter += 1;
  const reply = await call<CreatedCrt>(svc.base, '/admin/v1/crts', {
    token: svc.adminKey,
    body: {
      title: fields.title ?? `Token ${counter} ${Date.now()}`,
      expiresAt: fields.expiresAt ?? new Date(Date.now() + 7 * 86_400_000).toISOString(),
      scope: 'nymi-connect',
      details: fields.details ?? '',
      maxClients: fields.maxClients ?? 0,
    },
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body;
}

/** Device metadata as Nymi Connect sends it. */
export function deviceMetadata(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    client_name: 'Nymi Connect',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'nymi-connect',
    software_id: 'com.nymi.connect',
    software_version: '3.0.1',
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

/** Registers a device with `token` (RFC 7591). */
export function register(
  svc: TestService,
  token: string | undefined,
  metadata: unknown = deviceMetadata(),
  headers: Record<string, string> = {},
): Promise<Reply> {
  return call(svc.base, '/oauth2/register', {
    body: metadata,
    headers,
    ...(token === undefined ? {} : { token }),
  });
}

/** Sets a CRT's expiry into the past directly in the database (the API refuses past expiries). */
export async function expireCrt(svc: TestService, id: string): Promise<void> {
  await svc.sql.query(
    `UPDATE initial_access_token SET expires_at = now() - interval '1 second' WHERE id = $1`,
    [id],
  );
}

/** Outbox rows (CloudEvents) in insertion order, optionally of one type. */
export async function outboxEvents(
  svc: TestService,
  type?: string,
): Promise<{ type: string; subject: string; data: Record<string, unknown>; source: string }[]> {
  const { rows } = await svc.sql.query<{
    event: { type: string; subject: string; data: Record<string, unknown>; source: string };
  }>(`SELECT event::jsonb AS event FROM outbox ORDER BY seq`);
  return rows.map((r) => r.event).filter((e) => type === undefined || e.type === type);
}
