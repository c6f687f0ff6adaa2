import { directoryV1 } from '@nes/proto';
import {
  adLdapsClient,
  createAdOu,
  createAdUser,
  createTestDatabase,
  setAdPassword,
  type AdInfra,
  type AdUser,
  type TestDatabase,
} from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badPwdCount,
  modifyEntry,
  outboxEvents,
  removeCaFiles,
  startDirectorySync,
  type Started,
} from './support/harness.js';
import { startTcpProxy, type TcpProxy } from '@nes/testing';
import { startTwoSiteAd, twoSiteAdAvailable, type TwoSiteAd } from './support/two-site-ad.js';

const { PasswordValidationResult: Result, UserState } = directoryV1;

/** Whether a simple bind as `dn` succeeds at the DC (each failure costs a bad attempt). */
async function bindsAs(ad: AdInfra, dn: string, password: string): Promise<boolean> {
  const client = adLdapsClient(ad);
  try {
    await client.bind(dn, password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * Two DCs of one domain replicating as two AD sites ("east" = DCA, "west" =
 * DCB, joined with samba-tool), replication held back until the test pulls
 * it. A change made at one site reaches NES — and its events — before AD has
 * replicated it; the lagging site can neither roll it back nor make NES
 * accept the replaced password.
 */
describe.skipIf(!twoSiteAdAvailable())('two AD sites with replication lag', () => {
  let pair: TwoSiteAd;
  let database: TestDatabase;
  let started: Started;
  let westProxy: TcpProxy;
  let east: AdInfra;
  let west: AdInfra;
  let ou: string;
  let user: AdUser;

  beforeAll(async () => {
    pair = await startTwoSiteAd();
    const asInfra = (dc: TwoSiteAd['dcs']['east']): AdInfra => ({
      url: `ldap://${dc.ip}:389`,
      ldapsUrl: dc.ldapsUrl,
      servername: dc.servername,
      caCertPem: pair.caCertPem,
      baseDn: pair.baseDn,
      domain: pair.domain,
      realm: pair.realm,
      adminDn: pair.adminDn,
      adminPassword: pair.adminPassword,
    });
    east = asInfra(pair.dcs.east);
    west = asInfra(pair.dcs.west);
    ou = await createAdOu(east);
    user = await createAdUser(east, { parentDn: ou });
    await pair.replicate('east', 'west');
    // West is reached through a proxy the test can take down.
    westProxy = await startTcpProxy({ host: pair.dcs.west.ip, port: 636 });
    database = await createTestDatabase('dir_multisite');
    started = await startDirectorySync(database, {
      ad: east,
      baseDn: ou,
      sites: [
        {
          name: 'east',
          dcs: [{ url: pair.dcs.east.ldapsUrl, servername: pair.dcs.east.servername }],
        },
        {
          name: 'west',
          dcs: [
            { url: `ldaps://127.0.0.1:${westProxy.port}`, servername: pair.dcs.west.servername },
          ],
        },
      ],
      env: { NES_DIR_AD_HEALTH_INTERVAL_MS: '3600000' },
    });
    const rounds = await started.service.scheduler.runOnce();
    expect(rounds.map((r) => [r.site, r.status])).toEqual([
      ['east', 'synced'],
      ['west', 'synced'],
    ]);
  }, 180_000);

  afterAll(async () => {
    await started?.stop();
    await westProxy?.close();
    await database?.drop();
    await pair?.stop();
    await removeCaFiles();
  });

  const eventsFor = async (type: string) =>
    (await outboxEvents(started.db)).filter(
      (e) =>
        e.type === type &&
        (e.data['user'] as { samAccountName?: string }).samAccountName === user.sAMAccountName,
    );

  it('sees the user at both sites, each DC with its own cursor', async () => {
    const { rows } = await started.db.query<{ dc: string; site: string }>(
      'SELECT dc, site FROM sync_cursor ORDER BY site',
    );
    expect(rows).toEqual([
      { dc: pair.dcs.east.servername, site: 'east' },
      { dc: pair.dcs.west.servername, site: 'west' },
    ]);
    const { rows: views } = await started.db.query<{ site: string }>(
      'SELECT site FROM user_observation ORDER BY site',
    );
    expect(views.map((v) => v.site)).toEqual(['east', 'west']);
  });

  it('emits a password change made at the west site at once, before east has it', async () => {
    const newPassword = `Pw1-west-${Date.now()}`;
    const setFrom = Date.now() - 1000; // pwdLastSet: the DC's clock, whole seconds here
    await setAdPassword(west, user.dn, newPassword);
    // East has not replicated it: the old password still works there.
    await expect(bindsAs(east, user.dn, user.password)).resolves.toBe(true);
    await expect(bindsAs(east, user.dn, newPassword)).resolves.toBe(false);

    await started.service.scheduler.runOnce();
    const changed = await eventsFor('nes.directory.password-changed.v1');
    expect(changed).toHaveLength(1);
    // It carries the time the password was set at west. (Not necessarily west as
    // `user.site`: that names the DC whose record of the user is freshest overall,
    // and the successful bind at east above may have written east's replicated
    // lastLogonTimestamp after the change at west.)
    const data = changed[0]?.data as { user: { pwdLastSet: string }; previousPwdLastSet: string };
    expect(Date.parse(data.user.pwdLastSet)).toBeGreaterThanOrEqual(setFrom);
    expect(Date.parse(data.previousPwdLastSet)).toBeLessThan(Date.parse(data.user.pwdLastSet));

    // The new password is checked where it already is.
    const ok = await started.client.validatePassword({
      account: user.logonName,
      password: newPassword,
    });
    expect(ok).toMatchObject({ result: Result.OK, dc: pair.dcs.west.servername });

    // West unreachable: east, which lags, accepts the old password — NES knows
    // it was replaced and says so, rather than letting it be stored.
    await westProxy.down();
    const stale = await started.client.validatePassword({
      account: user.logonName,
      password: user.password,
    });
    expect(stale).toMatchObject({ result: Result.STALE_PASSWORD, dc: pair.dcs.east.servername });
    await westProxy.up();

    // Once east replicates, nothing new is announced: the change was seen already.
    await pair.replicate('west', 'east');
    await started.service.scheduler.runOnce();
    expect(await eventsFor('nes.directory.password-changed.v1')).toHaveLength(1);
    user = { ...user, password: newPassword };
  });

  it('takes a disable at east at once, and the lagging west cannot undo it', async () => {
    const before = await badPwdCount(east, user.dn);
    await modifyEntry(east, user.dn, { userAccountControl: '514' });
    await started.service.scheduler.runOnce();
    const disabled = await eventsFor('nes.directory.user-state-changed.v1');
    expect(disabled.at(-1)?.data).toMatchObject({
      previousState: 'USER_STATE_ACTIVE',
      user: { state: 'USER_STATE_DISABLED', site: 'east' },
    });

    // West still shows the account enabled; a full re-read of west must not flip it back.
    await started.db.query(`DELETE FROM sync_cursor WHERE site = 'west'`);
    const [, westRound] = await started.service.scheduler.runOnce();
    expect(westRound).toMatchObject({ site: 'west', kind: 'full' });
    const { user: merged } = await started.client.getUser({
      lookup: { $case: 'account', value: user.logonName },
    });
    expect(merged?.state).toBe(UserState.DISABLED);
    expect(await eventsFor('nes.directory.user-state-changed.v1')).toHaveLength(disabled.length);

    await pair.replicate('east', 'west');
    await started.service.scheduler.runOnce();
    expect(await eventsFor('nes.directory.user-state-changed.v1')).toHaveLength(disabled.length);
    expect(await badPwdCount(east, user.dn)).toBe(before);
  });
});
