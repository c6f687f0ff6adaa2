import { Issuer, type BaseClient } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt } from './support/factories.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

describe('a standard OAuth 2.0 client library (openid-client 5)', () => {
  it('registers with a CRT as initial access token and reads its configuration', async () => {
    const crt = await createCrt(svc, { maxClients: 2 });
    // The issuer as the library would discover it (server metadata comes with the token service).
    const issuer = new Issuer({
      issuer: svc.config.publicUrl,
      registration_endpoint: `${svc.config.publicUrl}/oauth2/register`,
      token_endpoint: `${svc.config.publicUrl}/oauth2/token`,
    });
    // openid-client 5's typings omit the statics of issuer.Client (they exist at run time).
    const Client = issuer.Client as unknown as typeof BaseClient;
    const client = await Client.register(
      {
        client_name: 'Nymi Connect',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        app_name: 'Nymi Connect',
        os_type: 'Android 14',
        host_name: 'SM-M315F',
        android_id: 'bf75d75e802edb8b',
      },
      { initialAccessToken: crt.token },
    );
    expect(client.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.client_secret).toEqual(expect.any(String));
    expect(client.metadata.client_name).toBe('bf75d75e802edb8b');
    const rat = String(client.metadata.registration_access_token);
    const uri = String(client.metadata.registration_client_uri);

    const read = await Client.fromUri(uri, rat);
    expect(read.client_id).toBe(client.client_id);
    expect(read.metadata.os_type).toBe('Android 14');
    expect(read.metadata.grant_types).toEqual(['client_credentials']);

    // The library surfaces the server's OAuth error for a revoked token.
    await fetch(`${svc.base}/admin/v1/crts/${crt.crt.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${svc.adminKey}` },
    });
    await expect(
      Client.register(
        { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
        {
          initialAccessToken: crt.token,
        },
      ),
    ).rejects.toMatchObject({
      error: 'invalid_token',
      error_description: 'Initial access token has been revoked',
    });
  });
});
