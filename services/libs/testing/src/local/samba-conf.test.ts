import { describe, expect, it } from 'vitest';
import { renderSmbConf } from './samba-conf.js';

describe('renderSmbConf', () => {
  const conf = renderSmbConf('/run/x/samba', '127.0.10.3');
  const paths = [...conf.matchAll(/= (\/\S*)/g)].map((match) => match[1] ?? '');

  it('keeps every path inside the DC directory', () => {
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) expect(path.startsWith('/run/x/samba')).toBe(true);
  });

  it('listens on the given loopback address only, with TLS and strong auth', () => {
    expect(conf).toMatch(/^\tinterfaces = 127\.0\.10\.3\/8$/m);
    expect(conf).toMatch(/^\tbind interfaces only = yes$/m);
    expect(conf).toMatch(/^\tserver services = ldap, cldap, kdc$/m);
    expect(conf).toMatch(/^\ttls certfile = \/run\/x\/samba\/tls\/cert\.pem$/m);
    expect(conf).toMatch(/^\tldap server require strong auth = yes$/m);
  });

  it('declares the test domain', () => {
    expect(conf).toMatch(/^\trealm = NES\.TEST$/m);
    expect(conf).toMatch(/^\tworkgroup = NES$/m);
  });
});
