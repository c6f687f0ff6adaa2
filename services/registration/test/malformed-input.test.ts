import { corruptText, mutateJsonSeveral, seededRandom } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt, deviceMetadata, register } from './support/factories.js';
import { call, rawRequest } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
let token: string;
beforeAll(async () => {
  svc = await startTestService();
  token = (await createCrt(svc)).token;
});
afterAll(() => svc?.stop());

/** Every answer is a 4xx with a JSON error body (never a 5xx, never empty). */
function expectClientError(reply: { status: number; body: unknown; text: string }, label: string) {
  expect(reply.status, `${label}: ${reply.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(reply.status, label).toBeLessThan(500);
  expect(reply.body, label).toBeTypeOf('object');
}

describe('malformed input never yields a 5xx', () => {
  it('registration: bad JSON, wrong types, huge bodies, odd content types', async () => {
    const bodies: [string, string | Record<string, unknown>, Record<string, string>?][] = [
      ['bad json', '{"client_name": '],
      ['trailing garbage', '{} x'],
      ['empty body', ''],
      ['proto pollution', '{"__proto__": {"admin": true}, "constructor": {"prototype": {}}}'],
      ['numbers for strings', { client_name: 1, app_name: true, os_type: null, host_name: [] }],
      ['nested objects', { device_info_1: { a: { b: { c: 1 } } } }],
      ['huge string', { client_name: 'x'.repeat(60_000) }],
      ['huge body', { client_name: 'x'.repeat(70_000) }],
      ['nul', { client_name: 'a\u0000b' }],
      ['lone surrogate', '{"client_name": "\\ud800"}'],
      ['rtl override', { host_name: '\u202Etxt.exe' }],
      ['combining flood', { client_name: `a${'\u0301'.repeat(300)}` }],
      [
        'deep jwks',
        {
          jwks: JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`) as Record<string, unknown>,
        },
      ],
      ['jwks nul', { jwks: { keys: [{ kty: 'EC', kid: 'a\u0000' }] } }],
      ['text/plain', 'client_name=x', { 'content-type': 'text/plain' }],
      ['form', 'client_name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    for (const [label, body, headers] of bodies) {
      const reply = await call(svc.base, '/oauth2/register', {
        token,
        body: body === '' ? '' : body,
        headers: { 'content-type': 'application/json', ...headers },
      });
      expectClientError(reply, label);
      expect((reply.body as { error?: string }).error, label).toEqual(expect.any(String));
    }
  });

  it('registration: bad, duplicated and odd Authorization headers', async () => {
    const headers = [
      'Bearer',
      'Bearer  ',
      'Bearer a b c',
      'Bearer "quoted"',
      `Bearer ${'a'.repeat(5000)}`,
      'Basic Zm9vOmJhcg==',
      'Negotiate abc',
      'bearer',
      `Bearer ${token}\u0000`.replace('\u0000', ''),
    ];
    for (const authorization of headers) {
      const reply = await register(svc, undefined, deviceMetadata(), { authorization });
      expect([201, 400, 401], authorization.slice(0, 30)).toContain(reply.status);
      if (reply.status !== 201) expectClientError(reply, authorization.slice(0, 30));
    }
    const raw = await rawRequest(svc.base, [
      'POST /oauth2/register HTTP/1.1',
      'Host: x',
      'Content-Type: application/json',
      'Authorization: Bearer a',
      'Authorization: Basic b',
      'Content-Length: 2',
      'Connection: close',
      '',
      '{}',
    ]);
    expect(raw.status).toBe(400);
    const nonLatin = await rawRequest(svc.base, [
      'POST /oauth2/register HTTP/1.1',
      'Host: x',
      'Content-Type: application/json',
      'Authorization: Bearer \u00e9\u00e9',
      'Content-Length: 2',
      'Connection: close',
      '',
      '{}',
    ]);
    expect(nonLatin.status).toBeGreaterThanOrEqual(400);
    expect(nonLatin.status).toBeLessThan(500);
  });

  it('admin API: wrong types, unknown fields, huge bodies, bad paths and queries', async () => {
    const cases: [string, string, unknown][] = [
      ['POST', '/admin/v1/crts', '{"title": '],
      ['POST', '/admin/v1/crts', { title: 5, expiresAt: 'tomorrow', maxClients: '10' }],
      [
        'POST',
        '/admin/v1/crts',
        '{"title": "x", "expiresAt": "2030-01-01T00:00:00Z", "maxClients": 1e309}',
      ],
      ['POST', '/admin/v1/crts', { title: 'x'.repeat(2_000_000) }],
      ['POST', '/admin/v1/crts', [1, 2, 3]],
      ['PATCH', '/admin/v1/crts/00000000-0000-4000-8000-000000000000', { title: null }],
      ['PATCH', '/admin/v1/crts/%E0%A4%A', { title: 'x' }],
      ['GET', '/admin/v1/crts?limit=0', undefined],
      ['GET', '/admin/v1/crts?limit=abc', undefined],
      ['GET', '/admin/v1/crts?status=deleted', undefined],
      ['GET', '/admin/v1/crts?limit=1&limit=2', undefined],
      ['GET', `/admin/v1/crts?cursor=${'A'.repeat(500)}`, undefined],
      ['GET', '/admin/v1/crts/%00', undefined],
      ['GET', `/admin/v1/crts/${'x'.repeat(5000)}`, undefined],
      ['GET', '/admin/v1/clients?crtId=%00', undefined],
      ['PATCH', '/admin/v1/clients/00000000-0000-4000-8000-000000000000', { name: 'x', extra: 1 }],
      ['PATCH', '/admin/v1/clients/zzz', { name: 'x\u202E' }],
    ];
    for (const [method, path, body] of cases) {
      const reply = await call(svc.base, path, {
        method,
        token: svc.adminKey,
        ...(body === undefined ? {} : { body }),
      });
      expectClientError(reply, `${method} ${path.slice(0, 60)}`);
    }
  });

  it('seeded mutations of a valid registration, CRT and client update: never a 5xx', async () => {
    const registered = await register(svc, token);
    expect(registered.status, registered.text).toBe(201);
    const { client_id: clientId, registration_access_token: firstRat } = registered.body as {
      client_id: string;
      registration_access_token: string;
    };
    // An update answers with a new registration access token (the old one then stops working).
    let rat = firstRat;
    const targets = [
      {
        name: 'register',
        ok: 201,
        path: '/oauth2/register',
        method: 'POST',
        auth: token,
        valid: deviceMetadata,
      },
      {
        name: 'create CRT',
        ok: 201,
        path: '/admin/v1/crts',
        method: 'POST',
        auth: svc.adminKey,
        valid: () => ({
          title: `Fuzz ${Math.random()}`,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          scope: 'nymi-connect',
          details: '',
          maxClients: 5,
        }),
      },
      {
        name: 'update client',
        ok: 200,
        path: `/oauth2/register/${clientId}`,
        method: 'PUT',
        get auth() {
          return rat;
        },
        valid: () => ({ ...deviceMetadata(), client_id: clientId }),
      },
    ];
    const outcomes = new Map<string, number>();
    for (let seed = 1; seed <= 240; seed += 1) {
      const random = seededRandom(seed);
      const target = targets[seed % targets.length]!;
      const body = mutateJsonSeveral(target.valid(), random);
      let text = JSON.stringify(body);
      if (random() < 0.3) text = corruptText(text, random);
      const reply = await call(svc.base, target.path, {
        method: target.method,
        token: target.auth,
        body: text,
        headers: { 'content-type': 'application/json' },
      });
      const label = `seed ${seed}, ${target.method} ${target.path}: ${text.slice(0, 200)}`;
      const outcome = `${target.name} ${reply.status}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (reply.status === target.ok) {
        const renewed = (reply.body as { registration_access_token?: string })
          .registration_access_token;
        if (target.method === 'PUT' && renewed !== undefined) rat = renewed;
        continue;
      }
      expectClientError(reply, label);
      // RFC 7591/6749 bodies on the OAuth routes, problems on the admin API.
      const { error, code } = reply.body as { error?: unknown; code?: unknown };
      expect(target.path.startsWith('/oauth2/') ? error : code, label).toEqual(expect.any(String));
    }
    // Each endpoint both accepted and refused some: the mutations reached past the first check.
    const seen = JSON.stringify([...outcomes]);
    for (const target of targets) {
      expect(outcomes.get(`${target.name} ${target.ok}`), seen).toBeGreaterThan(0);
      expect(outcomes.get(`${target.name} 400`), seen).toBeGreaterThan(20);
    }
  });

  it('client configuration endpoint: odd ids and bodies', async () => {
    for (const id of [
      '%00',
      'x'.repeat(300),
      '..%2F..%2Fadmin',
      '00000000-0000-4000-8000-000000000000',
    ]) {
      const reply = await call(svc.base, `/oauth2/register/${id}`, { token: 'abc' });
      expectClientError(reply, id.slice(0, 30));
    }
    const put = await call(svc.base, '/oauth2/register/00000000-0000-4000-8000-000000000000', {
      method: 'PUT',
      token: 'abc',
      body: '{"x": ',
    });
    expectClientError(put, 'bad json put');
  });
});
