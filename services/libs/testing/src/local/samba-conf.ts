import { join } from 'node:path';
import { TLS_FILES } from './samba-tls.js';

/** The test domain every harness-made DC serves. */
export const TEST_DOMAIN = {
  realm: 'NES.TEST',
  domain: 'NES',
  hostName: 'DC1',
  servername: 'dc1.nes.test',
  baseDn: 'DC=nes,DC=test',
  adminDn: 'CN=Administrator,CN=Users,DC=nes,DC=test',
} as const;

/**
 * Renders the DC's smb.conf for a copy of the template at `dir`, listening on
 * `address` only. Written whole (not patched from the provisioned one, which
 * inherits the host's /etc/samba/smb.conf) so every path stays inside `dir`.
 *
 * Samba keeps its default `ldap server require strong auth = yes`: simple
 * binds are refused without TLS, as on a hardened AD, so the tests see it.
 */
export function renderSmbConf(dir: string, address: string): string {
  const path = (relative: string): string => join(dir, relative);
  const global: [string, string][] = [
    ['netbios name', TEST_DOMAIN.hostName],
    ['realm', TEST_DOMAIN.realm],
    ['workgroup', TEST_DOMAIN.domain],
    ['server role', 'active directory domain controller'],
    ['server services', 'ldap, cldap, kdc'],
    ['idmap_ldb:use rfc2307', 'yes'],
    // A /8 mask makes Samba take any 127.x address as given; Linux routes all of
    // 127/8 to loopback, so each test run can have its own DC on ports 389/636.
    ['interfaces', `${address}/8`],
    ['bind interfaces only', 'yes'],
    ['ldap server require strong auth', 'yes'],
    ['tls enabled', 'yes'],
    ['tls keyfile', path(TLS_FILES.key)],
    ['tls certfile', path(TLS_FILES.cert)],
    ['tls cafile', path(TLS_FILES.ca)],
    ['binddns dir', path('bind-dns')],
    ['cache directory', path('cache')],
    ['lock directory', dir],
    ['state directory', path('state')],
    ['private dir', path('private')],
    ['pid directory', path('run')],
    ['ncalrpc dir', path('run/ncalrpc')],
    ['winbindd socket directory', path('run/winbindd')],
    ['logging', 'file'],
    ['log file', path('log/samba.log')],
    ['log level', '1'],
    ['max log size', '10000'],
  ];
  const section = (name: string, entries: [string, string][]): string =>
    [`[${name}]`, ...entries.map(([key, value]) => `\t${key} = ${value}`)].join('\n');
  return [
    '# Written by @nes/testing for a throwaway test DC.',
    section('global', global),
    section('sysvol', [
      ['path', path('state/sysvol')],
      ['read only', 'No'],
    ]),
    section('netlogon', [
      ['path', path('state/sysvol/nes.test/scripts')],
      ['read only', 'No'],
    ]),
    '',
  ].join('\n\n');
}
