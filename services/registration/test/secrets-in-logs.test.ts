import { createGrpcClient } from '@nes/kit';
import { registrationV1 } from '@nes/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt, deviceMetadata, register } from './support/factories.js';
import { call } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

describe('secrets stay out of logs and events', () => {
  it('writes no CRT, client secret, registration access token or admin key to the log or the outbox', async () => {
    const secrets: string[] = [svc.adminKey, svc.env.NES_REG_CRT_SIGNING_KEY?.split(':')[1] ?? 'x'];
    const crt = await createCrt(svc, { maxClients: 2 });
    secrets.push(crt.token, crt.token.split('.')[2] ?? 'x');
    await fetch(`${svc.base}${crt.qrCode?.url ?? ''}`, {
      headers: { authorization: `Bearer ${svc.adminKey}` },
    });

    const reply = await register(svc, crt.token, deviceMetadata(), { traceparent: 'garbage' });
    const secret = String(reply.body.client_secret);
    const rat = String(reply.body.registration_access_token);
    const clientId = String(reply.body.client_id);
    secrets.push(secret, rat);
    // Failures carry the values in headers and bodies too.
    await register(svc, `${crt.token}x`);
    await register(
      svc,
      crt.token,
      deviceMetadata({ client_secret: secret, registration_access_token: rat }),
    );
    await register(svc, crt.token); // over the limit
    await call(svc.base, `/oauth2/register/${clientId}`, { token: `${rat}x` });
    const put = await call(svc.base, `/oauth2/register/${clientId}`, {
      method: 'PUT',
      token: rat,
      body: { client_id: clientId, client_secret: secret, android_id: reply.body.android_id },
    });
    expect(put.status).toBe(200);
    const rotated = String(put.body.registration_access_token);
    secrets.push(rotated);
    await call(svc.base, `/oauth2/register/${clientId}`, {
      method: 'PUT',
      token: rotated,
      body: { client_id: clientId, client_secret: `${secret}-wrong` },
    });
    await call(svc.base, '/admin/v1/crts', { token: `${svc.adminKey}x` });
    const grpc = await createGrpcClient(registrationV1.RegistrationServiceClient, svc.grpcAddress);
    await grpc.authenticateClient({ clientId, clientSecret: secret });
    await grpc.authenticateClient({ clientId, clientSecret: `${secret}x` }).catch(() => undefined);
    await grpc
      .authenticateClient({ clientId, clientSecret: 'x'.repeat(600) })
      .catch(() => undefined);
    grpc.close();
    await call(svc.base, `/admin/v1/crts/${crt.crt.id}/revoke`, {
      method: 'POST',
      token: svc.adminKey,
    });

    // The log captured everything at debug level, requests included.
    expect(svc.logs.length).toBeGreaterThan(20);
    expect(svc.logs.some((line) => line.includes('/oauth2/register'))).toBe(true);
    const log = svc.logs.join('\n');
    const { rows } = await svc.sql.query<{ event: unknown }>('SELECT event FROM outbox');
    const outbox = JSON.stringify(rows);
    const tables = JSON.stringify(
      (await svc.sql.query('SELECT * FROM client')).rows.concat(
        (await svc.sql.query('SELECT * FROM initial_access_token')).rows,
      ),
    );
    for (const value of secrets) {
      expect(value.length).toBeGreaterThan(20);
      expect(log).not.toContain(value);
      expect(outbox).not.toContain(value);
      expect(tables).not.toContain(value);
    }
  });
});
