import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt, deviceMetadata, outboxEvents, register } from './support/factories.js';
import { call } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

async function registered() {
  const crt = await createCrt(svc);
  const reply = await register(svc, crt.token, deviceMetadata());
  expect(reply.status).toBe(201);
  return {
    clientId: String(reply.body.client_id),
    secret: String(reply.body.client_secret),
    rat: String(reply.body.registration_access_token),
    path: new URL(String(reply.body.registration_client_uri)).pathname,
    body: reply.body,
  };
}

describe('client configuration endpoint (RFC 7592)', () => {
  it('reads the registration with the registration access token, without credentials', async () => {
    const client = await registered();
    const reply = await call(svc.base, client.path, { token: client.rat });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const { client_secret: _s, registration_access_token: _r, ...expected } = client.body;
    expect(reply.body).toEqual(expected);
  });

  it("refuses a missing, wrong or other client's token with 401 invalid_token", async () => {
    const a = await registered();
    const b = await registered();
    const missing = await call(svc.base, a.path);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="nes"');
    for (const [path, token] of [
      [a.path, b.rat],
      [a.path, a.secret],
      [a.path, `${a.rat}x`],
      ['/oauth2/register/00000000-0000-4000-8000-000000000000', a.rat],
      ['/oauth2/register/not-a-uuid', a.rat],
    ] as const) {
      const reply = await call(svc.base, path, { token });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        error: 'invalid_token',
        error_description: 'The registration access token is not valid for this client',
      });
    }
  });

  it('updates mutable metadata, rotates the token and emits client.updated', async () => {
    const client = await registered();
    const update = {
      ...deviceMetadata(),
      client_id: client.clientId,
      client_secret: client.secret,
      android_id: client.body.android_id,
      app_version: '3.1.0',
      os_type: 'Android 15',
    };
    const reply = await call(svc.base, client.path, {
      method: 'PUT',
      token: client.rat,
      body: update,
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      app_version: '3.1.0',
      os_type: 'Android 15',
      client_id: client.clientId,
    });
    const rotated = String(reply.body.registration_access_token);
    expect(rotated).not.toBe(client.rat);
    expect(reply.body.client_secret).toBeUndefined();
    // The old token stopped working at once; the new one works.
    expect((await call(svc.base, client.path, { token: client.rat })).status).toBe(401);
    expect((await call(svc.base, client.path, { token: rotated })).status).toBe(200);
    const [event] = (await outboxEvents(svc, 'nes.client.updated.v1')).filter(
      (e) => e.subject === client.clientId,
    );
    expect(event?.data).toMatchObject({
      actor: { type: 'ACTOR_TYPE_CLIENT', id: client.clientId },
      client: {
        appVersion: '3.1.0',
        osType: 'Android 15',
        updatedBy: { type: 'ACTOR_TYPE_CLIENT' },
      },
    });
    expect(event?.data.changedFields).toEqual(expect.arrayContaining(['app_version', 'os_type']));
  });

  it('refuses updates that change fixed fields, name another client or carry a wrong secret', async () => {
    const client = await registered();
    const base = { client_id: client.clientId, android_id: client.body.android_id };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, client_id: '00000000-0000-4000-8000-000000000000' }, 'invalid_request'],
      [{ android_id: client.body.android_id }, 'invalid_request'],
      [{ ...base, client_secret: 'wrong' }, 'invalid_request'],
      [{ ...base, grant_types: ['authorization_code'] }, 'invalid_client_metadata'],
      [{ ...base, software_id: 'other.app' }, 'invalid_client_metadata'],
      [{ ...base, android_id: 'changed' }, 'invalid_client_metadata'],
      [{ ...base, os_type: 5 }, 'invalid_client_metadata'],
    ];
    for (const [body, error] of cases) {
      const reply = await call(svc.base, client.path, { method: 'PUT', token: client.rat, body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error).toBe(error);
    }
    // None of the refused updates rotated the token.
    expect((await call(svc.base, client.path, { token: client.rat })).status).toBe(200);
  });

  it('lets only one of two concurrent updates with the same token win', async () => {
    const client = await registered();
    const body = {
      client_id: client.clientId,
      android_id: client.body.android_id,
      app_version: '9',
    };
    const replies = await Promise.all([
      call(svc.base, client.path, { method: 'PUT', token: client.rat, body }),
      call(svc.base, client.path, { method: 'PUT', token: client.rat, body }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('deletes the registration (soft): the token and the client stop working, the row stays', async () => {
    const client = await registered();
    const reply = await call(svc.base, client.path, { method: 'DELETE', token: client.rat });
    expect(reply.status).toBe(204);
    expect((await call(svc.base, client.path, { token: client.rat })).status).toBe(401);
    expect(
      (await call(svc.base, `/admin/v1/clients/${client.clientId}`, { token: svc.adminKey }))
        .status,
    ).toBe(404);
    const { rows } = await svc.sql.query<{ deleted_at: Date | null; deleted_by: string }>(
      'SELECT deleted_at, deleted_by FROM client WHERE client_id = $1',
      [client.clientId],
    );
    expect(rows[0]?.deleted_at).not.toBeNull();
    expect(rows[0]?.deleted_by).toBe(`client:${client.clientId}`);
    const [event] = (await outboxEvents(svc, 'nes.client.deleted.v1')).filter(
      (e) => e.subject === client.clientId,
    );
    expect(event?.data).toMatchObject({
      client: { status: 'CLIENT_STATUS_DELETED' },
      actor: { type: 'ACTOR_TYPE_CLIENT' },
    });
  });
});
