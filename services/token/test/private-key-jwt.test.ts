import { createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_BEARER_ASSERTION_TYPE } from '../src/domain/client-credentials.js';
import { deviceMetadata, type RegisteredTestClient } from './support/registration.js';
import { postForm, startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
let client: RegisteredTestClient;
const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KID = 'device-key-1';

beforeAll(async () => {
  stack = await startStack();
  const jwk = { ...device.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'ES256' };
  client = await stack.registration.registerClient(
    deviceMetadata({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } }),
  );
});
afterAll(() => stack?.stop());

function assertion(
  overrides: {
    key?: KeyObject;
    aud?: string;
    exp?: string | number;
    iss?: string;
    jti?: string;
  } = {},
): Promise<string> {
  const id = overrides.iss ?? client.client_id;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: KID })
    .setIssuer(id)
    .setSubject(id)
    .setAudience(overrides.aud ?? `${stack.token.config.issuer}/oauth2/token`)
    .setJti(overrides.jti ?? randomUUID())
    .setIssuedAt()
    .setExpirationTime(overrides.exp ?? '2m')
    .sign(overrides.key ?? device.privateKey);
}

const request = (clientAssertion: string, extra: Record<string, string> = {}) =>
  postForm(`${stack.token.base}/oauth2/token`, {
    grant_type: 'client_credentials',
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: clientAssertion,
    ...extra,
  });

describe('private_key_jwt client authentication (RFC 7523)', () => {
  it('issues a token for an assertion signed with a registered key', async () => {
    expect(client.client_secret).toBeUndefined();
    const reply = await request(await assertion(), { client_id: client.client_id });
    expect(reply.status, reply.text).toBe(200);
    expect(decodeJwt(String(reply.body.access_token)).client_id).toBe(client.client_id);
    // The issuer itself is an accepted audience too.
    const byIssuer = await request(await assertion({ aud: stack.token.config.issuer }));
    expect(byIssuer.status, byIssuer.text).toBe(200);
  });

  it('refuses a replayed assertion', async () => {
    const once = await assertion();
    expect((await request(once)).status).toBe(200);
    const replay = await request(once);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({
      error: 'invalid_client',
      error_description: 'client_assertion was already used',
    });
  });

  it('refuses wrong keys, audiences, expiry, issuers and HMAC signatures', async () => {
    const cases = [
      await assertion({ key: other.privateKey }),
      await assertion({ aud: 'https://elsewhere.example/token' }),
      await assertion({ exp: Math.floor(Date.now() / 1000) - 120 }),
      await assertion({ exp: '2h' }),
      await assertion({ iss: '00000000-0000-4000-8000-000000000000' }),
      await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', kid: KID })
        .setIssuer(client.client_id)
        .setSubject(client.client_id)
        .setAudience(`${stack.token.config.issuer}/oauth2/token`)
        .setJti(randomUUID())
        .setExpirationTime('1m')
        .sign(createHmac('sha256', 'k').digest()),
      'not-a-jwt',
    ];
    for (const value of cases) {
      const reply = await request(value);
      expect(reply.status, reply.text).toBe(401);
      expect(reply.body.error).toBe('invalid_client');
    }
    const mismatch = await request(await assertion(), { client_id: 'someone-else' });
    expect(mismatch.status).toBe(401);
  });

  it('refuses an assertion type other than jwt-bearer, and half an assertion', async () => {
    const wrongType = await request(await assertion(), {
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
    });
    expect(wrongType.status).toBe(401);
    const half = await postForm(`${stack.token.base}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_assertion: await assertion(),
    });
    expect(half.body.error).toBe('invalid_request');
  });
});
