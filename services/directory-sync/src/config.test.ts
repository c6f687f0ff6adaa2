import { ConfigError } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const sites = JSON.stringify([
  {
    name: 'east',
    dcs: [{ url: 'ldaps://dc1.east.nes.test' }, { url: 'ldap://dc2.east.nes.test:3389' }],
  },
  {
    name: 'west',
    dcs: [{ url: 'ldaps://10.0.0.5', servername: 'dc1.west.nes.test', name: 'west-1' }],
  },
]);

const ad = {
  NES_DIR_DATABASE_URL: 'postgres://nes:pw@db:5432/nes',
  NES_DIR_DIRECTORY_KIND: 'ad',
  NES_DIR_AD_SITES: sites,
  NES_DIR_AD_DOMAIN: 'NES',
  NES_DIR_AD_BIND_DN: 'CN=svc-nes,OU=Service,DC=nes,DC=test',
  NES_DIR_AD_BIND_PASSWORD: 'svc-secret-value',
  NES_DIR_AD_CA_FILE: '/etc/nes/ad-ca.pem',
  NES_DIR_AD_BASE_DNS: 'OU=Staff,DC=nes,DC=test;OU=Contractors\\;Temps,DC=nes,DC=test',
};

/** The problems of a config that must fail, as "VARIABLE: message". */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads sites, DCs and their TLS mode', () => {
    const config = loadConfig(ad);
    expect(config.directory.kind).toBe('ad');
    if (config.directory.kind !== 'ad') return;
    expect(config.directory.ad.sites).toEqual([
      {
        name: 'east',
        dcs: [
          {
            id: 'dc1.east.nes.test',
            host: 'dc1.east.nes.test',
            port: 636,
            security: 'ldaps',
            servername: 'dc1.east.nes.test',
          },
          {
            id: 'dc2.east.nes.test',
            host: 'dc2.east.nes.test',
            port: 3389,
            security: 'starttls',
            servername: 'dc2.east.nes.test',
          },
        ],
      },
      {
        name: 'west',
        dcs: [
          {
            id: 'west-1',
            host: '10.0.0.5',
            port: 636,
            security: 'ldaps',
            servername: 'dc1.west.nes.test',
          },
        ],
      },
    ]);
    expect(config.directory.ad.baseDns).toEqual([
      'OU=Staff,DC=nes,DC=test',
      'OU=Contractors\\;Temps,DC=nes,DC=test',
    ]);
    expect(config.directory.ad.userFilter).toBe('(&(objectCategory=person)(objectClass=user))');
  });

  it('names the variable of every problem', () => {
    const found = problems({
      ...ad,
      NES_DIR_AD_SITES: '[{"name":"east","dcs":[{"url":"http://dc1"}]}]',
      NES_DIR_AD_BASE_DNS: 'OU=Staff,DC=nes;not a dn',
      NES_DIR_AD_USER_FILTER: '(&(objectClass=user)',
      NES_DIR_AD_USERS_GROUP_DN: 'CN=,DC=x',
      NES_DIR_AD_DOMAIN: 'NOT A DOMAIN',
      NES_DIR_AD_PAGE_SIZE: '0',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^NES_DIR_AD_SITES: \[0\]\.\[dcs\]\.\[0\]\.\[url\] expected an ldap/),
        expect.stringMatching(/^NES_DIR_AD_BASE_DNS: item 2: expected a distinguished name/),
        expect.stringMatching(/^NES_DIR_AD_USER_FILTER: expected an LDAP filter/),
        expect.stringMatching(/^NES_DIR_AD_USERS_GROUP_DN: expected a distinguished name/),
        expect.stringMatching(/^NES_DIR_AD_DOMAIN: expected a NetBIOS domain name/),
        expect.stringMatching(/^NES_DIR_AD_PAGE_SIZE: expected integer/),
      ]),
    );
  });

  it('explains bad site JSON', () => {
    expect(problems({ ...ad, NES_DIR_AD_SITES: '{not json' })).toEqual([
      "NES_DIR_AD_SITES: expected a JSON array of sites, got '{not json'",
    ]);
    expect(problems({ ...ad, NES_DIR_AD_SITES: '[]' })).toEqual([
      "NES_DIR_AD_SITES: at least one site, got '[]'",
    ]);
    const dup = JSON.stringify([
      { name: 'east', dcs: [{ url: 'ldaps://dc1' }] },
      { name: 'EAST', dcs: [{ url: 'ldaps://dc1' }] },
    ]);
    expect(problems({ ...ad, NES_DIR_AD_SITES: dup })).toEqual([
      expect.stringMatching(/^NES_DIR_AD_SITES: \[1\]\.\[name\] duplicate site 'EAST'/),
      expect.stringMatching(/^NES_DIR_AD_SITES: \[1\]\.\[dcs\]\.\[0\] duplicate DC 'dc1'/),
    ]);
    const mismatch = JSON.stringify([
      { name: 'e', dcs: [{ url: 'ldap://dc1', security: 'ldaps' }] },
    ]);
    expect(problems({ ...ad, NES_DIR_AD_SITES: mismatch })).toEqual([
      expect.stringMatching(/security\] 'ldaps' does not fit a ldap:\/\/ URL/),
    ]);
  });

  it('requires the directory kind, the AD settings for AD, and a CA for TLS', () => {
    const { NES_DIR_DIRECTORY_KIND: _kind, ...noKind } = ad;
    expect(problems(noKind)).toContain('NES_DIR_DIRECTORY_KIND: required');
    expect(
      problems({ NES_DIR_DATABASE_URL: ad.NES_DIR_DATABASE_URL, NES_DIR_DIRECTORY_KIND: 'ad' }),
    ).toEqual(['NES_DIR_AD_SITES: required when the directory kind is ad']);
    const { NES_DIR_AD_CA_FILE: _ca, ...noCa } = ad;
    expect(problems(noCa)).toEqual(['NES_DIR_AD_CA_FILE: required for ldaps and starttls DCs']);
    const plain = JSON.stringify([{ name: 'lab', dcs: [{ url: 'ldap://dc1', security: 'none' }] }]);
    expect(loadConfig({ ...noCa, NES_DIR_AD_SITES: plain }).directory.kind).toBe('ad');
  });

  it('never prints the service account password', () => {
    const found = problems({ ...ad, NES_DIR_AD_BIND_PASSWORD: 'x'.repeat(2000) });
    expect(found).toEqual(['NES_DIR_AD_BIND_PASSWORD: expected at most 1024 characters']);
  });

  it('refuses typos and AD settings for the demo directory', () => {
    expect(problems({ ...ad, NES_DIR_AD_BASEDN: 'DC=x' })).toEqual([
      'NES_DIR_AD_BASEDN: unknown variable (not read by this service)',
    ]);
    expect(problems({ ...ad, NES_DIR_DIRECTORY_KIND: 'demo' })).toEqual([
      "NES_DIR_DIRECTORY_KIND: NES_DIR_AD_* is set but the directory kind is demo, got 'demo'",
    ]);
    const demo = loadConfig({
      NES_DIR_DATABASE_URL: ad.NES_DIR_DATABASE_URL,
      NES_DIR_DIRECTORY_KIND: 'demo',
    });
    expect(demo.directory).toEqual({ kind: 'demo', file: undefined });
  });
});
