import { createAccessTokenVerifier } from '@nes/auth';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import { fetchToken, startStack, type TestStack } from './support/stack.js';
import { encryptionKeyEntry, type TestToken } from './support/token.js';

const S = 1000;
const T0 = Math.floor(Date.now() / S) * S;
const clock = { t: T0, now: () => clock.t };
const kek1 = encryptionKeyEntry('kek-1');

let stack: TestStack;
let second: TestToken;
let client: RegisteredTestClient;
let sql: pg.Pool;

beforeAll(async () => {
  stack = await startStack({
    clock,
    encryptionKey: kek1,
    env: {
      NES_TOKEN_TOKEN_LIFETIME_SECONDS: '30',
      NES_TOKEN_KEYS_ROTATION_INTERVAL_SECONDS: '60',
      NES_TOKEN_KEYS_PUBLISH_LEAD_SECONDS: '10',
      NES_TOKEN_KEYS_REFRESH_INTERVAL_SECONDS: '1',
      NES_TOKEN_JWKS_MAX_AGE_SECONDS: '0',
    },
  });
  second = await stack.addReplica();
  client = await stack.registration.registerClient();
  sql = new pg.Pool({ connectionString: stack.db.url, max: 2 });
});
afterAll(async () => {
  await sql?.end();
  await stack?.stop();
});

async function storedKeys(): Promise<{ kid: string; kek_id: string; activates_at: Date }[]> {
  const { rows } = await sql.query<{ kid: string; kek_id: string; activates_at: Date }>(
    'SELECT kid, kek_id, activates_at FROM token.signing_key ORDER BY activates_at',
  );
  return rows;
}

async function publishedKids(base: string): Promise<string[]> {
  const jwks = (await (await fetch(`${base}/oauth2/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((k) => k.kid);
}

const tokenFrom = (replica: TestToken) =>
  fetchToken(replica.base, client.client_id, String(client.client_secret));

function verifier() {
  return createAccessTokenVerifier({
    issuer: stack.token.config.issuer,
    jwksUri: `${stack.token.base}/oauth2/jwks`,
    audience: 'nes',
    clockSkewSeconds: 0,
    now: clock.now,
    jwks: { maxAgeMs: 1, cooldownMs: 0 },
  });
}

describe('signing key rotation', () => {
  it('starts with a current key and the next one published ahead, sealed, shared by replicas', async () => {
    const keys = await storedKeys();
    expect(keys.map((k) => k.activates_at.getTime())).toEqual([T0, T0 + 60 * S]);
    expect(keys.every((k) => k.kek_id === 'kek-1')).toBe(true);
    expect(await publishedKids(stack.token.base)).toEqual(keys.map((k) => k.kid));
    expect(await publishedKids(second.base)).toEqual(keys.map((k) => k.kid));
    const { rows } = await sql.query<{ jwk: Record<string, unknown> }>(
      'SELECT public_jwk AS jwk FROM token.signing_key',
    );
    for (const { jwk } of rows) expect(jwk).not.toHaveProperty('d');
  });

  it('rotates once across replicas; tokens signed before still verify, until they expire', async () => {
    const [k1, k2] = (await storedKeys()).map((k) => k.kid);
    clock.t = T0 + 50 * S;
    const before = await tokenFrom(stack.token);
    expect(decodeProtectedHeader(before).kid).toBe(k1);

    clock.t = T0 + 61 * S;
    // Both replicas find the rotation due at once; the advisory lock lets one act.
    await Promise.all([stack.token.service.keys.refresh(), second.service.keys.refresh()]);
    const keys = await storedKeys();
    expect(keys).toHaveLength(3);
    expect(keys[2]?.activates_at.getTime()).toBe(T0 + 120 * S);

    const after = await tokenFrom(second);
    expect(decodeProtectedHeader(after).kid).toBe(k2);
    expect(decodeProtectedHeader(await tokenFrom(stack.token)).kid).toBe(k2);
    await expect(verifier().verify(before)).resolves.toBeDefined();
    await expect(verifier().verify(after)).resolves.toBeDefined();

    // The retired key's token stops verifying once it expired (exp = T0+80 s).
    clock.t = T0 + 80 * S;
    await expect(verifier().verify(before)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verifier().verify(after)).resolves.toBeDefined();
  });

  it('unpublishes and deletes a retired key after its last token expired', async () => {
    const [k1] = (await storedKeys()).map((k) => k.kid);
    clock.t = T0 + 149 * S;
    await stack.token.service.keys.refresh();
    expect(await publishedKids(stack.token.base)).toContain(k1);
    // A round already running read the time before it moved on (the periodic
    // refresh does this at any moment): a refresh asked for afterwards must not
    // hand back that round's view.
    const earlier = stack.token.service.keys.refresh();
    clock.t = T0 + 150 * S;
    await stack.token.service.keys.refresh();
    await earlier;
    await second.service.keys.refresh();
    expect(await publishedKids(stack.token.base)).not.toContain(k1);
    expect(await publishedKids(second.base)).not.toContain(k1);
    expect((await storedKeys()).map((k) => k.kid)).not.toContain(k1);
  });

  it('a replica without the right key-encryption key cannot sign and is not ready', async () => {
    const wrong = await stack.addReplica({ encryptionKey: encryptionKeyEntry('kek-1') });
    const ready = await fetch(`${wrong.base}/readyz`);
    expect(ready.status).toBe(503);
    const report = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(report.checks['signing-keys']?.ok).toBe(false);
    expect(wrong.logs.some((line) => line.includes('signing key not loaded'))).toBe(true);
  });

  it('re-seals stored keys under a new key-encryption key', async () => {
    const rotated = await stack.addReplica({
      encryptionKey: encryptionKeyEntry('kek-2'),
      env: { NES_TOKEN_KEYS_PREVIOUS_ENCRYPTION_KEYS: kek1 },
    });
    expect((await storedKeys()).every((k) => k.kek_id === 'kek-2')).toBe(true);
    expect((await fetch(`${rotated.base}/readyz`)).status).toBe(200);
    await tokenFrom(rotated);
  });
});
