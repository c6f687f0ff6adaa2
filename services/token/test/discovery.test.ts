import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Issuer, type BaseClient } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from './support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('discovery with a standard OAuth 2.0 client library', () => {
  it('registers (registration service), discovers RFC 8414 metadata, gets a token, verifies it with jose', async () => {
    const metadataUrl = `${stack.token.base}/.well-known/oauth-authorization-server`;
    const issuer = await Issuer.discover(metadataUrl);
    expect(issuer.metadata.issuer).toBe(stack.token.config.issuer);
    expect(issuer.metadata.registration_endpoint).toBe(
      `${stack.registration.base}/oauth2/register`,
    );

    // The device's first launch: dynamic registration (RFC 7591) with its CRT.
    // openid-client 5's typings omit the statics of issuer.Client (they exist at run time).
    const Client = issuer.Client as unknown as typeof BaseClient;
    const client = await Client.register(
      {
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        app_name: 'Nymi Connect',
        os_type: 'Android 14',
        android_id: 'bf75d75e802edb8b',
      },
      { initialAccessToken: await stack.registration.createCrt() },
    );
    const registered = { client_id: String(client.client_id), client_secret: client.client_secret };
    const tokenSet = await client.grant({ grant_type: 'client_credentials' });
    expect(tokenSet.token_type).toBe('Bearer');
    expect(tokenSet.scope).toBe('nymi-connect');
    expect(tokenSet.expires_in).toBeGreaterThan(590);

    const postClient = new issuer.Client({
      client_id: registered.client_id,
      client_secret: String(registered.client_secret),
      token_endpoint_auth_method: 'client_secret_post',
    });
    const viaPost = await postClient.grant({
      grant_type: 'client_credentials',
      scope: 'nymi-connect',
    });

    const jwks = createRemoteJWKSet(new URL(String(issuer.metadata.jwks_uri)));
    for (const accessToken of [tokenSet.access_token, viaPost.access_token]) {
      const { payload, protectedHeader } = await jwtVerify(String(accessToken), jwks, {
        issuer: stack.token.config.issuer,
        audience: 'nes',
        typ: 'at+jwt',
        algorithms: ['ES256'],
      });
      expect(protectedHeader.typ).toBe('at+jwt');
      expect(payload.client_id).toBe(registered.client_id);
    }

    // The library surfaces the server's RFC 6749 errors.
    const wrong = new issuer.Client({ client_id: registered.client_id, client_secret: 'wrong' });
    await expect(wrong.grant({ grant_type: 'client_credentials' })).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });

  it('publishes RFC 8414 metadata with every endpoint and method', async () => {
    const reply = await fetch(`${stack.token.base}/.well-known/oauth-authorization-server`);
    expect(reply.status).toBe(200);
    const metadata = (await reply.json()) as Record<string, unknown>;
    const issuer = stack.token.config.issuer;
    expect(metadata).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth2/token`,
      jwks_uri: `${issuer}/oauth2/jwks`,
      introspection_endpoint: `${issuer}/oauth2/introspect`,
      revocation_endpoint: `${issuer}/oauth2/revoke`,
      registration_endpoint: `${stack.registration.base}/oauth2/register`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      scopes_supported: ['nymi-connect'],
      response_types_supported: [],
    });
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).not.toContain('HS256');
    expect(reply.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('serves the JWKS with Cache-Control max-age and a strong ETag (304 on a match)', async () => {
    const url = `${stack.token.base}/oauth2/jwks`;
    const reply = await fetch(url);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = reply.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const jwks = (await reply.json()) as { keys: Record<string, unknown>[] };
    // The current key and the next one (published a full interval ahead).
    expect(jwks.keys).toHaveLength(2);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
    const again = await fetch(url, { headers: { 'if-none-match': String(etag) } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(url, { headers: { 'if-none-match': '"other"' } });
    expect(other.status).toBe(200);
  });
});
