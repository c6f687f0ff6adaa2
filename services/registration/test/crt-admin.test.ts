import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCrt,
  deviceMetadata,
  expireCrt,
  outboxEvents,
  register,
} from './support/factories.js';
import { call } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('creating a CRT', () => {
  it('returns the token once, the MDM JSON and a QR link, and stores only its hash', async () => {
    const reply = await call(svc.base, '/admin/v1/crts', {
      token: svc.adminKey,
      body: {
        title: '  Line 4 tablets  ',
        expiresAt: inDays(30),
        scope: 'nymi-connect',
        details: 'For the packaging line.\nSecond line.',
        maxClients: 25,
      },
    });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const body = reply.body as {
      crt: Record<string, unknown>;
      token: string;
      mdmConfiguration: string;
      qrCode: { url: string; availableUntil: string };
    };
    expect(body.crt).toMatchObject({
      title: 'Line 4 tablets',
      scope: {
        name: 'nymi-connect',
        displayName: 'Nymi Connect - Nymi Connect Application',
        auditCode: 2,
      },
      details: 'For the packaging line.\nSecond line.',
      status: 'active',
      clientUsage: { count: 0, max: 25 },
      lastUsedAt: null,
      createdBy: 'alice',
      modifiedBy: 'alice',
      revokedAt: null,
    });
    expect(JSON.parse(body.mdmConfiguration)).toEqual({
      token: body.token,
      nesUrl: svc.config.publicUrl,
    });
    expect(body.qrCode.url).toBe(`/admin/v1/crts/${String(body.crt.id)}/qr.png`);
    // The JWT: header and claims as documented.
    const [header, payload] = body.token
      .split('.')
      .slice(0, 2)
      .map(
        (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
      );
    expect(header).toEqual({ alg: 'HS256', kid: 'k1', typ: 'nes-crt+jwt' });
    expect(payload).toMatchObject({
      iss: svc.config.publicUrl,
      aud: `${svc.config.publicUrl}/oauth2/register`,
      jti: body.crt.id,
      scope: 'nymi-connect',
      exp: Math.floor(Date.parse(String(body.crt.expiresAt)) / 1000),
    });
    const { rows } = await svc.sql.query<Record<string, unknown>>(
      'SELECT * FROM initial_access_token WHERE id = $1',
      [body.crt.id],
    );
    expect(JSON.stringify(rows)).not.toContain(body.token);
    expect(rows[0]?.token_hash).toBe(body.crt.tokenHash);
    // The value is never shown again.
    const view = await call(svc.base, `/admin/v1/crts/${String(body.crt.id)}`, {
      token: svc.adminKey,
    });
    expect(view.status).toBe(200);
    expect(view.text).not.toContain(body.token);
  });

  it('refuses bad fields, naming each', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ title: '', expiresAt: inDays(1), maxClients: 0 }, '/body/title'],
      [{ title: '   ', expiresAt: inDays(1), maxClients: 0 }, '/body/title'],
      [{ title: 'x'.repeat(201), expiresAt: inDays(1), maxClients: 0 }, '/body/title'],
      [
        { title: 'past', expiresAt: new Date(Date.now() - 1000).toISOString(), maxClients: 0 },
        '/body/expiresAt',
      ],
      [{ title: 'too far', expiresAt: inDays(365 * 6), maxClients: 0 }, '/body/expiresAt'],
      [{ title: 'neg', expiresAt: inDays(1), maxClients: -1 }, '/body/maxClients'],
      [{ title: 'frac', expiresAt: inDays(1), maxClients: 1.5 }, '/body/maxClients'],
      [{ title: 'scope', expiresAt: inDays(1), maxClients: 0, scope: 'admin' }, '/body/scope'],
      [
        { title: 'details', expiresAt: inDays(1), maxClients: 0, details: 'd'.repeat(4001) },
        '/body/details',
      ],
      [{ title: 'extra', expiresAt: inDays(1), maxClients: 0, token: 'x' }, '/body'],
      [{ expiresAt: inDays(1), maxClients: 0 }, '/body/title'],
      [{ title: 'bad date', expiresAt: '2030-13-45', maxClients: 0 }, '/body/expiresAt'],
    ];
    for (const [body, path] of cases) {
      const reply = await call(svc.base, '/admin/v1/crts', { token: svc.adminKey, body });
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const issues = (reply.body.details as { issues: { path: string }[] }).issues;
      expect(issues.map((i) => i.path).join(' '), JSON.stringify(body).slice(0, 80)).toContain(
        path,
      );
    }
  });

  it('keeps titles unique among listed CRTs, ignoring case, until the holder is deleted', async () => {
    const first = await createCrt(svc, { title: 'Unique Title Ä' });
    const dup = await call(svc.base, '/admin/v1/crts', {
      token: svc.adminKey,
      body: { title: 'unique title ä', expiresAt: inDays(1), maxClients: 0 },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('crt_title_taken');
    await call(svc.base, `/admin/v1/crts/${first.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });
    expect(
      (
        await call(svc.base, `/admin/v1/crts/${first.crt.id}`, {
          method: 'DELETE',
          token: svc.adminKey,
        })
      ).status,
    ).toBe(204);
    await createCrt(svc, { title: 'UNIQUE TITLE Ä' });
  });

  it('normalises titles (NFC) and refuses control and bidi characters', async () => {
    const combining = await createCrt(svc, { title: 'Cafe\u0301 tablets' });
    expect(combining.crt.title).toBe('Caf\u00e9 tablets');
    for (const title of ['a\u0000b', 'a\u202Eb', 'a\u200Fb', 'tab\there', '\ud800x']) {
      const reply = await call(svc.base, '/admin/v1/crts', {
        token: svc.adminKey,
        body: { title, expiresAt: inDays(1), maxClients: 0 },
      });
      expect(reply.status, JSON.stringify(title)).toBe(400);
    }
  });
});

describe('listing, viewing and status', () => {
  it('computes Active / Expired / Revoked, filters by status and pages with an opaque cursor', async () => {
    const active = await createCrt(svc);
    const expired = await createCrt(svc);
    const revoked = await createCrt(svc);
    await expireCrt(svc, expired.crt.id);
    await call(svc.base, `/admin/v1/crts/${revoked.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });

    const status = async (id: string) =>
      (await call(svc.base, `/admin/v1/crts/${id}`, { token: svc.adminKey })).body.status;
    expect(await status(active.crt.id)).toBe('active');
    expect(await status(expired.crt.id)).toBe('expired');
    expect(await status(revoked.crt.id)).toBe('revoked');

    for (const [filter, id] of [
      ['active', active.crt.id],
      ['expired', expired.crt.id],
      ['revoked', revoked.crt.id],
    ] as const) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?status=${filter}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await call<{
          items: { id: string; status: string }[];
          nextCursor: string | null;
        }>(svc.base, `/admin/v1/crts${query}`, { token: svc.adminKey });
        expect(page.status).toBe(200);
        expect(page.body.items.every((item) => item.status === filter)).toBe(true);
        ids.push(...page.body.items.map((item) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(ids).toContain(id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('pages through everything newest first without gaps or repeats', async () => {
    const created = [];
    for (let i = 0; i < 5; i += 1) created.push((await createCrt(svc)).crt.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await call(
        svc.base,
        `/admin/v1/crts?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { token: svc.adminKey },
      );
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const positions = created.map((id) => seen.indexOf(id));
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });

  it('refuses cursors it did not issue for the query', async () => {
    await createCrt(svc);
    await createCrt(svc);
    const page = await call<{ nextCursor: string | null }>(svc.base, '/admin/v1/crts?limit=1', {
      token: svc.adminKey,
    });
    const cursor = page.body.nextCursor ?? '';
    expect(cursor).not.toBe('');
    for (const bad of ['garbage!', 'eyJ2IjoxfQ', `${cursor}x`]) {
      const reply = await call(svc.base, `/admin/v1/crts?cursor=${encodeURIComponent(bad)}`, {
        token: svc.adminKey,
      });
      expect(reply.status, `${bad}: ${reply.text}`).toBe(400);
      expect(reply.body.code).toBe('invalid_cursor');
    }
    const other = await call(svc.base, `/admin/v1/crts?status=revoked&cursor=${cursor}`, {
      token: svc.adminKey,
    });
    expect(other.body.code).toBe('invalid_cursor');
  });

  it('shows client usage and last use after registrations', async () => {
    const crt = await createCrt(svc, { maxClients: 3 });
    const before = Date.now();
    expect((await register(svc, crt.token, deviceMetadata())).status).toBe(201);
    expect((await register(svc, crt.token, deviceMetadata())).status).toBe(201);
    const view = await call<{ clientUsage: unknown; lastUsedAt: string }>(
      svc.base,
      `/admin/v1/crts/${crt.crt.id}`,
      {
        token: svc.adminKey,
      },
    );
    expect(view.body.clientUsage).toEqual({ count: 2, max: 3 });
    expect(Date.parse(view.body.lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('answers 404 for unknown ids and malformed ids alike', async () => {
    for (const id of [
      '00000000-0000-4000-8000-000000000000',
      'not-a-uuid',
      "'; DROP TABLE x; --",
    ]) {
      const reply = await call(svc.base, `/admin/v1/crts/${encodeURIComponent(id)}`, {
        token: svc.adminKey,
      });
      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('crt_not_found');
    }
  });
});

describe('editing, revoking, deleting', () => {
  it('edits an active CRT and emits crt.updated with the changed fields', async () => {
    const crt = await createCrt(svc, { maxClients: 5 });
    const expiresAt = inDays(60);
    const reply = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, {
      method: 'PATCH',
      token: svc.adminKey,
      body: { title: `${crt.crt.title} (edited)`, maxClients: 7, expiresAt, details: 'new notes' },
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      title: `${crt.crt.title} (edited)`,
      clientUsage: { count: 0, max: 7 },
      details: 'new notes',
      expiresAt: new Date(expiresAt).toISOString(),
    });
    const events = (await outboxEvents(svc, 'nes.crt.updated.v1')).filter(
      (e) => e.subject === crt.crt.id,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      changedFields: ['title', 'details', 'expires_at', 'max_clients'],
      actor: { type: 'ACTOR_TYPE_USER', display: 'alice' },
      crt: { id: crt.crt.id, maxClients: 7, status: 'CRT_STATUS_ACTIVE' },
    });
    // Nothing to change: no second event.
    const same = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, {
      method: 'PATCH',
      token: svc.adminKey,
      body: { maxClients: 7 },
    });
    expect(same.status).toBe(200);
    expect(
      (await outboxEvents(svc, 'nes.crt.updated.v1')).filter((e) => e.subject === crt.crt.id),
    ).toHaveLength(1);
    const empty = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, {
      method: 'PATCH',
      token: svc.adminKey,
      body: {},
    });
    expect(empty.status).toBe(400);
  });

  it('edits only active CRTs', async () => {
    const crt = await createCrt(svc);
    await expireCrt(svc, crt.crt.id);
    const reply = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, {
      method: 'PATCH',
      token: svc.adminKey,
      body: { title: 'revived?' },
    });
    expect(reply.status).toBe(409);
    expect(reply.body.code).toBe('crt_expired');
  });

  it('revokes idempotently, refuses revoking expired ones, and stops registrations', async () => {
    const crt = await createCrt(svc);
    const first = await call(svc.base, `/admin/v1/crts/${crt.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'revoked', revokedBy: 'alice' });
    const again = await call(svc.base, `/admin/v1/crts/${crt.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(first.body.revokedAt);
    expect(
      (await outboxEvents(svc, 'nes.crt.revoked.v1')).filter((e) => e.subject === crt.crt.id),
    ).toHaveLength(1);
    const refused = await register(svc, crt.token);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      error: 'invalid_token',
      error_description: 'Initial access token has been revoked',
    });

    const old = await createCrt(svc);
    await expireCrt(svc, old.crt.id);
    const expired = await call(svc.base, `/admin/v1/crts/${old.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });
    expect(expired.status).toBe(409);
    expect(expired.body.code).toBe('crt_expired');
  });

  it('deletes only expired or revoked CRTs; deleted ones stay in the database, hidden from the API', async () => {
    const crt = await createCrt(svc);
    const active = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, {
      method: 'DELETE',
      token: svc.adminKey,
    });
    expect(active.status).toBe(409);
    expect(active.body.code).toBe('crt_active');

    await call(svc.base, `/admin/v1/crts/${crt.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });
    const deleted = await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, {
      method: 'DELETE',
      token: svc.adminKey,
    });
    expect(deleted.status).toBe(204);
    expect(
      (await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, { token: svc.adminKey })).status,
    ).toBe(404);
    expect(
      (
        await call(svc.base, `/admin/v1/crts/${crt.crt.id}`, {
          method: 'DELETE',
          token: svc.adminKey,
        })
      ).status,
    ).toBe(404);
    const list = await call<{ items: { id: string }[] }>(
      svc.base,
      '/admin/v1/crts?status=revoked&limit=200',
      {
        token: svc.adminKey,
      },
    );
    expect(list.body.items.map((i) => i.id)).not.toContain(crt.crt.id);

    const { rows } = await svc.sql.query<{
      revoked_at: Date | null;
      deleted_at: Date | null;
      deleted_by: string;
    }>('SELECT revoked_at, deleted_at, deleted_by FROM initial_access_token WHERE id = $1', [
      crt.crt.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.revoked_at).not.toBeNull();
    expect(rows[0]?.deleted_at).not.toBeNull();
    expect(rows[0]?.deleted_by).toBe('alice');
    const events = (await outboxEvents(svc))
      .filter((e) => e.subject === crt.crt.id)
      .map((e) => e.type);
    expect(events).toEqual(['nes.crt.created.v1', 'nes.crt.revoked.v1', 'nes.crt.deleted.v1']);
    const deletedEvent = (await outboxEvents(svc, 'nes.crt.deleted.v1')).find(
      (e) => e.subject === crt.crt.id,
    );
    expect(deletedEvent?.data).toMatchObject({
      crt: { status: 'CRT_STATUS_REVOKED', scopeAuditCode: 2 },
    });
    expect((deletedEvent?.data.crt as { deletedAt?: string }).deletedAt).toBeDefined();

    const registration = await register(svc, crt.token);
    expect(registration.status).toBe(401);
    expect(registration.body.error_description).toBe('Initial access token has been revoked');
  });
});

describe('admin authentication', () => {
  it('refuses missing, wrong and non-Bearer credentials with a challenge', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nesadm_wrong' },
      { authorization: `Basic ${Buffer.from('alice:x').toString('base64')}` },
      { authorization: `bearer ${svc.adminKey}x` },
      { authorization: 'Bearer' },
    ];
    for (const headers of attempts) {
      const reply = await call(svc.base, '/admin/v1/crts', { headers });
      expect(reply.status, JSON.stringify(headers)).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="nes-admin"');
      expect(reply.body.code).toBe('admin_authentication_required');
    }
    const ok = await call(svc.base, '/admin/v1/crts', {
      headers: { authorization: `bearer ${svc.adminKey}` },
    });
    expect(ok.status).toBe(200);
  });
});
