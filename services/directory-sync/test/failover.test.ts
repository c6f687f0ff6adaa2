import { createServer, type Server } from 'node:net';
import { directoryV1 } from '@nes/proto';
import {
  createAdUser,
  createTestDatabase,
  getAdInfra,
  type AdUser,
  type TestDatabase,
} from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badPwdCount,
  freePort,
  harnessDc,
  isolate,
  startDirectorySync,
  type Started,
} from './support/harness.js';
import { startTcpProxy, type TcpProxy } from '@nes/testing';

const { PasswordValidationResult: Result } = directoryV1;

/**
 * One site, three DCs in order: a port that refuses connections, a DC whose
 * certificate does not match the configured host name (TLS must fail, not be
 * waved through), then the real DC over StartTLS. Sync and password checks
 * must land on the third, and a wrong password must still cost one bind.
 */
describe('DC failover within a site', () => {
  const ad = getAdInfra();
  let env: Awaited<ReturnType<typeof isolate>>;
  let started: Started;
  let user: AdUser;
  let silent: Server;

  beforeAll(async () => {
    env = await isolate('dir_failover');
    user = await createAdUser(ad, { parentDn: env.ou });
    const refusing = await freePort();
    // A DC that accepts TCP and never answers: the connect timeout must bound it.
    silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const silentPort = typeof address === 'object' && address ? address.port : 0;
    const plainHost = new URL(ad.url).host;
    started = await startDirectorySync(env.database, {
      baseDn: env.ou,
      sites: [
        {
          name: 'hq',
          dcs: [
            { url: `ldaps://127.0.0.1:${refusing}`, name: 'refusing' },
            { url: `ldaps://127.0.0.1:${silentPort}`, name: 'silent' },
            harnessDc(ad, { name: 'wrong-name', servername: 'dc9.nes.test' }),
            { url: `ldap://${plainHost}`, servername: ad.servername, name: 'real-starttls' },
          ],
        },
      ],
      // Long enough for a TLS handshake with a busy DC (CI shares two cores), so the
      // wrong-name DC fails on its certificate rather than on the clock.
      env: { NES_DIR_AD_CONNECT_TIMEOUT_MS: '3000' },
    });
  });

  afterAll(async () => {
    await started?.stop();
    silent?.close();
    await env?.cleanup();
  });

  it('syncs through the first DC that answers', async () => {
    const [round] = await started.service.scheduler.runOnce();
    expect(round).toMatchObject({ status: 'synced', kind: 'full', dc: 'real-starttls' });
    const found = await started.client.getUser({
      lookup: { $case: 'account', value: user.logonName },
    });
    expect(found.user?.dc).toBe('real-starttls');
    const health = started.service.context.directory.health();
    expect(health.map((h) => [h.dc, h.up])).toEqual([
      ['refusing', false],
      ['silent', false],
      ['wrong-name', false],
      ['real-starttls', true],
    ]);
    expect(health.find((h) => h.dc === 'wrong-name')?.error).toMatch(/altnames|certificate/i);
  });

  it('checks passwords on the first DC that answers', async () => {
    expect(
      (await started.client.validatePassword({ account: user.logonName, password: user.password }))
        .result,
    ).toBe(Result.OK);
    const before = await badPwdCount(ad, user.dn);
    const answer = await started.client.validatePassword({
      account: user.logonName,
      password: 'wrong-once',
    });
    expect(answer).toMatchObject({ result: Result.INVALID_PASSWORD, dc: 'real-starttls' });
    expect(await badPwdCount(ad, user.dn)).toBe(before + 1);
  });

  it('reports per-DC health on /metrics and stays ready while one DC answers', async () => {
    const base = `http://127.0.0.1:${started.service.httpPort}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/nes_directory_dc_up\{[^}]*site="hq"[^}]*dc="refusing"[^}]*\} 0/);
    expect(metrics).toMatch(/nes_directory_dc_up\{[^}]*dc="real-starttls"[^}]*\} 1/);
    expect(metrics).toMatch(
      /nes_directory_binds_total\{[^}]*site="hq"[^}]*result="invalid_password"[^}]*\} 1/,
    );
    expect(metrics).toMatch(/nes_directory_sync_duration_seconds_count\{[^}]*kind="full"[^}]*\} 1/);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
  });

  describe('when a DC goes down after its last health check', () => {
    let proxied: Started;
    let proxy: TcpProxy;
    let victim: AdUser;
    let database: TestDatabase;

    beforeAll(async () => {
      victim = await createAdUser(ad, { parentDn: env.ou });
      const ldaps = new URL(ad.ldapsUrl);
      proxy = await startTcpProxy({ host: ldaps.hostname, port: Number(ldaps.port || 636) });
      database = await createTestDatabase('dir_failover2');
      // The same DC twice: through the proxy first, then directly. A wrong
      // password tried on both would count two bad attempts on the one DC.
      proxied = await startDirectorySync(database, {
        baseDn: env.ou,
        sites: [
          {
            name: 'hq',
            dcs: [
              {
                url: `ldaps://127.0.0.1:${proxy.port}`,
                servername: ad.servername,
                name: 'via-proxy',
              },
              harnessDc(ad, { name: 'direct' }),
            ],
          },
        ],
        env: { NES_DIR_AD_HEALTH_INTERVAL_MS: '3600000' },
      });
      await proxied.service.scheduler.runOnce();
    });

    afterAll(async () => {
      await proxied?.stop();
      await database?.drop();
      await proxy?.close();
    });

    it('answers a wrong password from the first DC, never asking the second', async () => {
      const before = await badPwdCount(ad, victim.dn);
      const answer = await proxied.client.validatePassword({
        account: victim.logonName,
        password: 'nope-1',
      });
      expect(answer).toMatchObject({ result: Result.INVALID_PASSWORD, dc: 'via-proxy' });
      expect(await badPwdCount(ad, victim.dn)).toBe(before + 1);
    });

    it('moves on to the next DC when the first refuses connections, still with one bind', async () => {
      const health = () => proxied.service.context.directory.health().map((h) => [h.dc, h.up]);
      expect(health()).toEqual([
        ['via-proxy', true],
        ['direct', true],
      ]);
      await proxy.down();
      const before = await badPwdCount(ad, victim.dn);
      const answer = await proxied.client.validatePassword({
        account: victim.logonName,
        password: 'nope-2',
      });
      expect(answer).toMatchObject({ result: Result.INVALID_PASSWORD, dc: 'direct' });
      expect(await badPwdCount(ad, victim.dn)).toBe(before + 1);
      expect(health()).toEqual([
        ['via-proxy', false],
        ['direct', true],
      ]);
      const [round] = await proxied.service.scheduler.runOnce();
      expect(round).toMatchObject({ status: 'synced', dc: 'direct' });
      await proxy.up();
    });
  });
});
