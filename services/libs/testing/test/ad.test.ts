import { Client, InvalidCredentialsError, StrongAuthRequiredError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  adLdapsClient,
  adTlsOptions,
  createAdGroup,
  createAdOu,
  createAdUser,
  getAdInfra,
  getInfra,
  runSambaTool,
  setAdPassword,
  withAdAdmin,
  type AdInfra,
} from '../src/index.js';

/** Binds as `dn` over LDAPS; resolves to the AD sub-error code (`52e`, `533`, …) or 'ok'. */
async function bindResult(ad: AdInfra, dn: string, password: string): Promise<string> {
  const client = adLdapsClient(ad);
  try {
    await client.bind(dn, password);
    return 'ok';
  } catch (error) {
    if (!(error instanceof InvalidCredentialsError)) throw error;
    return /data ([0-9a-f]+),/.exec(error.message)?.[1] ?? error.message;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

describe('ad (Samba AD DC)', () => {
  it('binds as admin over LDAPS, verifying the CA by servername', async () => {
    const ad = getAdInfra();
    const base = await withAdAdmin(ad, async (client) => {
      const { searchEntries } = await client.search(ad.baseDn, {
        scope: 'base',
        attributes: ['dc'],
      });
      return searchEntries[0]?.dn;
    });
    expect(base?.toLowerCase()).toBe(ad.baseDn.toLowerCase());
  });

  it('refuses LDAPS without the CA or under another host name', async () => {
    const ad = getAdInfra();
    const noCa = new Client({ url: ad.ldapsUrl, tlsOptions: { servername: ad.servername } });
    await expect(noCa.bind(ad.adminDn, ad.adminPassword)).rejects.toThrow(/certificate/i);
    const wrongName = new Client({
      url: ad.ldapsUrl,
      tlsOptions: { ...adTlsOptions(ad), servername: 'dc9.example.test' },
    });
    await expect(wrongName.bind(ad.adminDn, ad.adminPassword)).rejects.toThrow(
      /altnames|does not match/i,
    );
  });

  it('binds after StartTLS on the plain port, and refuses a plain simple bind', async () => {
    const ad = getAdInfra();
    const tls = new Client({ url: ad.url });
    await tls.startTLS(adTlsOptions(ad));
    await tls.bind(ad.adminDn, ad.adminPassword);
    await tls.unbind();

    const plain = new Client({ url: ad.url });
    await expect(plain.bind(ad.adminDn, ad.adminPassword)).rejects.toBeInstanceOf(
      StrongAuthRequiredError,
    );
    await plain.unbind().catch(() => undefined);
  });

  it('creates users whose binds report AD states', async () => {
    const ad = getAdInfra();
    const ou = await createAdOu(ad);
    const group = await createAdGroup(ad, { parentDn: ou });
    const [ok, disabled, mustChange, expired] = await Promise.all([
      createAdUser(ad, { parentDn: ou, memberOf: [group.dn], attributes: { givenName: 'Ada' } }),
      createAdUser(ad, { parentDn: ou, disabled: true }),
      createAdUser(ad, { parentDn: ou, mustChangePassword: true }),
      createAdUser(ad, { parentDn: ou, accountExpired: true }),
    ]);
    expect(ok.logonName).toBe(`NES\\${ok.sAMAccountName}`);
    expect(await bindResult(ad, ok.userPrincipalName, ok.password)).toBe('ok');
    expect(await bindResult(ad, ok.dn, 'wrong-password')).toBe('52e');
    expect(await bindResult(ad, disabled.dn, disabled.password)).toBe('533');
    expect(await bindResult(ad, mustChange.dn, mustChange.password)).toBe('773');
    expect(await bindResult(ad, expired.dn, expired.password)).toBe('701');

    const memberOf = await withAdAdmin(ad, async (client) => {
      const { searchEntries } = await client.search(ok.dn, {
        scope: 'base',
        attributes: ['memberOf', 'givenName'],
      });
      return searchEntries[0];
    });
    expect(memberOf?.['memberOf']).toBe(group.dn);
    expect(memberOf?.['givenName']).toBe('Ada');

    await setAdPassword(ad, ok.dn, 'Changed-Pw-1');
    expect(await bindResult(ad, ok.dn, 'Changed-Pw-1')).toBe('ok');
  });

  it('applies the test password policy: locked (775) after 3 bad binds', async () => {
    const ad = getAdInfra();
    const user = await createAdUser(ad);
    for (let i = 0; i < 3; i++) expect(await bindResult(ad, user.dn, 'nope')).toBe('52e');
    expect(await bindResult(ad, user.dn, user.password)).toBe('775');
  });

  it('runs samba-tool against the DC in local mode, and says why not elsewhere', async () => {
    const ad = getAdInfra();
    if (!ad.smbConfPath) {
      expect(getInfra().mode).not.toBe('local');
      await expect(runSambaTool(['user', 'list'])).rejects.toThrow(/local mode/);
      return;
    }
    const { stdout } = await runSambaTool(['domain', 'passwordsettings', 'show']);
    expect(stdout).toMatch(/Account lockout threshold \(attempts\): 3/);
    expect(stdout).toMatch(/Password complexity: off/);
    const [user, aged] = await Promise.all([createAdUser(ad), createAdUser(ad)]);
    await runSambaTool(['user', 'disable', user.sAMAccountName]);
    expect(await bindResult(ad, user.dn, user.password)).toBe('533');
    // Set 50 days ago, past the default 42-day maximum age: expired (532).
    await runSambaTool(['user', 'setpassword', aged.sAMAccountName, '--newpassword=Aged-Pw-1'], {
      faketime: '-50d',
    });
    expect(await bindResult(ad, aged.dn, 'Aged-Pw-1')).toBe('532');
  });
});
