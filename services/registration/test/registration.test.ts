import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCrt,
  deviceMetadata,
  expireCrt,
  outboxEvents,
  register,
} from './support/factories.js';
import { call, rawRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('dynamic client registration (RFC 7591)', () => {
  it('registers a device: 201 with credentials, lineage and every field recorded', async () => {
    const crt = await createCrt(svc, { maxClients: 5 });
    const metadata = deviceMetadata({
      device_info_1: 'R58M123ABC',
      device_info_2: '9b1f-mdm-uuid',
    });
    const reply = await register(svc, crt.token, metadata, { 'x-forwarded-for': '203.0.113.9' });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const body = reply.body;
    expect(body).toMatchObject({
      client_name: 'R58M123ABC-9b1f-mdm-uuid',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'nymi-connect',
      client_secret_expires_at: 0,
      software_id: 'com.nymi.connect',
      software_version: '3.0.1',
      app_name: 'Nymi Connect',
      app_version: '3.0.1',
      os_type: 'Android 14',
      host_name: 'SM-M315F',
      device_info_1: 'R58M123ABC',
      device_info_2: '9b1f-mdm-uuid',
      android_id: metadata.android_id,
    });
    const clientId = String(body.client_id);
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.registration_client_uri).toBe(
      `${svc.config.publicUrl}/oauth2/register/${clientId}`,
    );
    expect(reply.headers.get('location')).toBe(body.registration_client_uri);
    expect(Math.abs(Number(body.client_id_issued_at) - Date.now() / 1000)).toBeLessThan(30);
    const secret = String(body.client_secret);
    const rat = String(body.registration_access_token);
    // 256 bits of randomness each, base64url.
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(Buffer.from(rat, 'base64url')).toHaveLength(32);

    const { rows } = await svc.sql.query<Record<string, unknown>>(
      'SELECT * FROM client WHERE client_id = $1',
      [clientId],
    );
    const row = rows[0] ?? {};
    expect(row).toMatchObject({
      name: 'R58M123ABC-9b1f-mdm-uuid',
      secret_hash: sha256(secret),
      registration_access_token_hash: sha256(rat),
      crt_id: crt.crt.id,
      crt_token_hash: sha256(crt.token),
      registration_type: 'dynamic',
      created_by: 'nes-test-host',
      // No proxy is trusted by default: the socket address, not X-Forwarded-For.
      client_ip: '127.0.0.1',
    });
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(rat);
    const permissions = await svc.sql.query(
      'SELECT scope FROM client_app_permission WHERE client_id = $1',
      [clientId],
    );
    expect(permissions.rows).toEqual([{ scope: 'nymi-connect' }]);
  });

  it('names clients after the device identifiers, else the Android ID, else client_name', async () => {
    const crt = await createCrt(svc);
    const name = async (metadata: Record<string, unknown>) =>
      (await register(svc, crt.token, deviceMetadata(metadata))).body.client_name;
    expect(await name({ device_info_1: 'A', device_info_2: 'B' })).toBe('A-B');
    expect(await name({ device_info_1: 'only-one', device_info_2: undefined })).toBe('only-one');
    expect(
      await name({
        device_info_1: undefined,
        device_info_2: undefined,
        android_id: 'bf75d75e802edb8b',
      }),
    ).toBe('bf75d75e802edb8b');
    expect(
      await name({ device_info_1: '', device_info_2: '', android_id: '', client_name: 'Kiosk 7' }),
    ).toBe('Kiosk 7');
  });

  it('accepts the minimal request and defaults grant, method and scope', async () => {
    const crt = await createCrt(svc);
    const reply = await register(svc, crt.token, {});
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toMatchObject({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'nymi-connect',
    });
    expect(String(reply.body.client_name)).toMatch(/^client-[0-9a-f]{8}$/);
  });

  it('registers a private_key_jwt client with public keys and no secret', async () => {
    const crt = await createCrt(svc);
    const jwks = {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          kid: 'device-1',
          use: 'enc',
        },
      ],
    };
    const reply = await register(
      svc,
      crt.token,
      deviceMetadata({ token_endpoint_auth_method: 'private_key_jwt', jwks }),
    );
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body.client_secret).toBeUndefined();
    expect(reply.body.client_secret_expires_at).toBeUndefined();
    expect(reply.body.jwks).toEqual(jwks);
  });

  it('refuses invalid metadata with invalid_client_metadata naming the field', async () => {
    const crt = await createCrt(svc);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ grant_types: ['authorization_code'] }, 'invalid_client_metadata', 'grant_types'],
      [{ grant_types: 'client_credentials' }, 'invalid_client_metadata', 'grant_types'],
      [
        { token_endpoint_auth_method: 'none' },
        'invalid_client_metadata',
        'token_endpoint_auth_method',
      ],
      [{ scope: 'nymi-connect admin' }, 'invalid_client_metadata', "scope 'admin'"],
      [{ app_name: 42 }, 'invalid_client_metadata', 'app_name'],
      [{ os_type: 'x'.repeat(65) }, 'invalid_client_metadata', 'os_type'],
      [{ device_info_1: 'a\u0000b' }, 'invalid_client_metadata', 'device_info_1'],
      [{ host_name: 'bad\ud800' }, 'invalid_client_metadata', 'host_name'],
      [{ android_id: 'x\u202Ey' }, 'invalid_client_metadata', 'android_id'],
      [{ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'invalid_client_metadata', 'jwks'],
      [
        { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'private' }] } },
        'invalid_client_metadata',
        'public key',
      ],
      [{ jwks: 'not-an-object' }, 'invalid_client_metadata', 'jwks'],
      [{ jwks_uri: 'https://device.example/jwks' }, 'invalid_client_metadata', 'jwks_uri'],
      [{ token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata', 'jwks'],
      [{ redirect_uris: ['https://x.example/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
      [{ response_types: ['code'] }, 'invalid_client_metadata', 'response_types'],
      [{ software_statement: 'eyJ.x.y' }, 'unapproved_software_statement', 'software statements'],
    ];
    for (const [overrides, error, mention] of cases) {
      const reply = await register(svc, crt.token, deviceMetadata(overrides));
      expect(reply.status, JSON.stringify(overrides).slice(0, 80)).toBe(400);
      expect(reply.body.error).toBe(error);
      expect(String(reply.body.error_description)).toContain(mention);
    }
    for (const body of [[], 'null', '42', '"text"']) {
      const reply = await register(svc, crt.token, body);
      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe('invalid_client_metadata');
    }
    // Nothing was registered by any of these.
    const view = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, { token: svc.adminKey });
    expect(view.body.clientUsage).toEqual({ count: 0, max: 0 });
  });

  it('ignores metadata it does not know (RFC 7591 §2) and does not echo it', async () => {
    const crt = await createCrt(svc);
    const reply = await register(
      svc,
      crt.token,
      deviceMetadata({ logo_uri: 'https://x', favourite_colour: 'teal' }),
    );
    expect(reply.status).toBe(201);
    expect(reply.body.favourite_colour).toBeUndefined();
    expect(reply.body.logo_uri).toBeUndefined();
  });
});

describe('initial access token errors', () => {
  it("answers an expired CRT with the guide's message", async () => {
    const crt = await createCrt(svc);
    await expireCrt(svc, crt.crt.id);
    const reply = await register(svc, crt.token);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      error: 'invalid_token',
      error_description: 'Initial access token expired',
    });
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer realm="nes", error="invalid_token", error_description="Initial access token expired"',
    );
    expect(reply.headers.get('cache-control')).toBe('no-store');
  });

  it("answers a revoked CRT with the guide's message", async () => {
    const crt = await createCrt(svc);
    await call(svc.base, `/admin/v1/crts/${crt.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });
    const reply = await register(svc, crt.token);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      error: 'invalid_token',
      error_description: 'Initial access token has been revoked',
    });
  });

  it('challenges a request without a bearer token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Basic YTpi' },
      { authorization: 'Digest x' },
    ];
    for (const headers of attempts) {
      const reply = await register(svc, undefined, deviceMetadata(), headers);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="nes"');
      expect(reply.body.error).toBe('invalid_token');
    }
  });

  it('refuses unknown, malformed, forged and foreign tokens alike', async () => {
    const crt = await createCrt(svc);
    const [header, payload, signature] = crt.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const tamper = (changes: Record<string, unknown>) =>
      `${header}.${Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url')}.${signature}`;
    const otherKey = new Uint8Array(randomBytes(32));
    const foreign = await new SignJWT({ scope: 'nymi-connect' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'nes-crt+jwt' })
      .setIssuer(svc.config.publicUrl)
      .setAudience(`${svc.config.publicUrl}/oauth2/register`)
      .setJti(crt.crt.id)
      .sign(otherKey);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'nes-crt+jwt' })).toString('base64url')}.${payload}.`;
    for (const token of [
      'not-a-jwt',
      `${header}.${payload}`,
      `${header}.${payload}.${signature}x`,
      tamper({ jti: '00000000-0000-4000-8000-000000000000' }),
      tamper({ exp: 4102444800 }),
      foreign,
      none,
      'a'.repeat(3000),
    ]) {
      const reply = await register(svc, token);
      expect(reply.status, token.slice(0, 40)).toBe(401);
      expect(reply.body).toEqual({
        error: 'invalid_token',
        error_description: 'Initial access token is not valid',
      });
    }
  });

  it('refuses malformed and repeated Authorization headers with invalid_request', async () => {
    const crt = await createCrt(svc);
    const malformed = await register(svc, undefined, deviceMetadata(), {
      authorization: 'Bearer a b',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_request');
    const empty = await register(svc, undefined, deviceMetadata(), { authorization: 'Bearer ' });
    expect([400, 401]).toContain(empty.status);
    // Two Authorization headers (fetch would merge them): written on a raw socket.
    const status = await rawRequest(svc.base, [
      'POST /oauth2/register HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Authorization: Bearer ${crt.token}`,
      `Authorization: Bearer ${crt.token}`,
      'Content-Length: 2',
      'Connection: close',
      '',
      '{}',
    ]);
    expect(status.status, status.body).toBe(400);
    expect(JSON.parse(status.body)).toMatchObject({
      error: 'invalid_request',
      error_description: 'repeated Authorization header',
    });
  });
});

describe('client limit', () => {
  it('holds exactly under concurrency: 50 parallel registrations against a limit of 10', async () => {
    const crt = await createCrt(svc, { maxClients: 10 });
    const started = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => register(svc, crt.token, deviceMetadata())),
    );
    const created = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status !== 201);
    expect(created).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const reply of refused) {
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({
        error: 'access_denied',
        error_description: 'Initial access token has reached its client limit (10 clients)',
      });
    }
    const { rows } = await svc.sql.query<{ client_count: number; last_used_at: Date }>(
      'SELECT client_count, last_used_at FROM initial_access_token WHERE id = $1',
      [crt.crt.id],
    );
    expect(rows[0]?.client_count).toBe(10);
    expect(rows[0]?.last_used_at.getTime()).toBeGreaterThanOrEqual(started - 1000);
    const clients = await svc.sql.query('SELECT count(*)::int AS n FROM client WHERE crt_id = $1', [
      crt.crt.id,
    ]);
    expect(clients.rows[0]).toEqual({ n: 10 });
    // One client.created and one crt.updated per successful registration, none for refusals.
    const createdEvents = (await outboxEvents(svc, 'nes.client.created.v1')).filter(
      (e) => (e.data.client as { crtId: string }).crtId === crt.crt.id,
    );
    expect(createdEvents).toHaveLength(10);
    const usage = (await outboxEvents(svc, 'nes.crt.updated.v1')).filter(
      (e) => e.subject === crt.crt.id,
    );
    expect(
      usage.map((e) => (e.data.crt as { clientCount: number }).clientCount).sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('treats 0 as unlimited', async () => {
    const crt = await createCrt(svc, { maxClients: 0 });
    const replies = await Promise.all(
      Array.from({ length: 15 }, () => register(svc, crt.token, deviceMetadata())),
    );
    expect(replies.every((r) => r.status === 201)).toBe(true);
  });
});

describe('events of a registration', () => {
  it('emits client.created and crt.updated with audit fields, hashes only', async () => {
    const crt = await createCrt(svc);
    const reply = await register(svc, crt.token, deviceMetadata(), {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const clientId = String(reply.body.client_id);
    const [created] = (await outboxEvents(svc, 'nes.client.created.v1')).filter(
      (e) => e.subject === clientId,
    );
    expect(created).toMatchObject({
      source: 'nes/registration',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      data: {
        client: {
          clientId,
          crtId: crt.crt.id,
          status: 'CLIENT_STATUS_ACTIVE',
          registrationType: 'REGISTRATION_TYPE_DYNAMIC',
          scopes: ['nymi-connect'],
          osType: 'Android 14',
          createdBy: { type: 'ACTOR_TYPE_SERVICE', display: 'nes-test-host' },
        },
        actor: { type: 'ACTOR_TYPE_CLIENT', id: clientId },
        clientIp: '127.0.0.1',
        crtTokenHash: sha256(crt.token),
        serverHost: 'nes-test-host',
        clientSecretHash: sha256(String(reply.body.client_secret)),
      },
    });
    const [usage] = (await outboxEvents(svc, 'nes.crt.updated.v1')).filter(
      (e) => e.subject === crt.crt.id,
    );
    expect(usage?.data).toMatchObject({
      changedFields: ['client_count', 'last_used_at'],
      crt: { clientCount: 1, tokenHash: sha256(crt.token) },
    });
    const all = JSON.stringify(await outboxEvents(svc));
    expect(all).not.toContain(String(reply.body.client_secret));
    expect(all).not.toContain(String(reply.body.registration_access_token));
    expect(all).not.toContain(crt.token);
  });
});
