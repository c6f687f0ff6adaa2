import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { loadInfraConfig } from '@nes/testing';
import { createNetwork } from './netns.js';
import { exited, lock, runCommand } from './processes.js';

/** Where one DC listens. */
export interface DcAddress {
  readonly ip: string;
  readonly servername: string;
  readonly ldapsUrl: string;
  readonly netbios: string;
}

const TEMPLATE = 'directory-sync-two-dc-v1';
export const REALM = 'MS.TEST';
export const DOMAIN = 'MS';
export const BASE_DN = 'DC=ms,DC=test';
export const DCS = {
  east: { netbios: 'DCA', host: 'dca', dir: 'a', last: 2 },
  west: { netbios: 'DCB', host: 'dcb', dir: 'b', last: 3 },
} as const;

export interface Template {
  readonly dir: string;
  readonly adminPassword: string;
  readonly caCertPem: string;
}

async function readTemplate(dir: string): Promise<Template | undefined> {
  try {
    const adminPassword = (await readFile(join(dir, 'admin-password'), 'utf8')).trim();
    const caCertPem = await readFile(join(dir, 'tls', 'ca.pem'), 'utf8');
    return adminPassword ? { dir, adminPassword, caCertPem } : undefined;
  } catch {
    return undefined;
  }
}

/** The template pair under the tools dir, built on first use (under a lock file). */
export async function ensureTemplate(): Promise<Template> {
  const dir = join(loadInfraConfig().toolsDir, TEMPLATE);
  const ready = await readTemplate(dir);
  if (ready) return ready;
  await mkdir(loadInfraConfig().toolsDir, { recursive: true });
  const release = await lock(`${dir}.lock`);
  try {
    const built = await readTemplate(dir);
    if (built) return built;
    const work = `${dir}.tmp-${process.pid}`;
    await rm(work, { recursive: true, force: true });
    await buildTemplate(work);
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
    const template = await readTemplate(dir);
    if (!template) throw new Error(`two-DC template at ${dir} is incomplete`);
    return template;
  } finally {
    await release();
  }
}

/** Provisions DCA, starts it in a namespace, joins DCB to it, stops it. */
async function buildTemplate(work: string): Promise<void> {
  const password = `Ms1-${randomBytes(15).toString('base64url')}`;
  await mkdir(work, { recursive: true });
  await makeCertificates(join(work, 'tls'));
  const net = await createNetwork(PAIR_HOSTS);
  let dca: ChildProcess | undefined;
  try {
    const a = DCS.east;
    const b = DCS.west;
    await runCommand(
      'samba-tool',
      [
        'domain',
        'provision',
        '--server-role=dc',
        '--dns-backend=NONE',
        '--use-rfc2307',
        `--realm=${REALM}`,
        `--domain=${DOMAIN}`,
        `--host-name=${a.netbios}`,
        `--targetdir=${join(work, a.dir)}`,
        `--adminpass=${password}`,
        `--option=interfaces=${net.ip(a.last)}`,
        '--option=bind interfaces only=yes',
      ],
      [password],
    );
    // Test policy: passwords reusable and changeable at once; lockout after 3.
    await runCommand('samba-tool', [
      'domain',
      'passwordsettings',
      'set',
      '--complexity=off',
      '--history-length=0',
      '--min-pwd-age=0',
      '--account-lockout-threshold=3',
      '-s',
      join(work, a.dir, 'etc', 'smb.conf'),
    ]);
    await writeSmbConf(join(work, a.dir), a.netbios, net.ip(a.last), join(work, 'tls'), a.host);
    dca = spawn(
      'ip',
      [
        'netns',
        'exec',
        net.name,
        'setpriv',
        '--pdeathsig',
        'SIGKILL',
        'samba',
        '--foreground',
        '--no-process-group',
        '-M',
        'single',
        '-s',
        join(work, a.dir, 'etc', 'smb.conf'),
      ],
      { stdio: 'ignore' },
    );
    await waitForLdaps(
      {
        ip: net.ip(a.last),
        servername: `${a.host}.${REALM.toLowerCase()}`,
        ldapsUrl: '',
        netbios: a.netbios,
      },
      await readFile(join(work, 'tls', 'ca.pem'), 'utf8'),
    );
    await runCommand(
      'ip',
      [
        'netns',
        'exec',
        net.name,
        'samba-tool',
        'domain',
        'join',
        REALM.toLowerCase(),
        'DC',
        `--username=${DOMAIN}\\Administrator`,
        `--password=${password}`,
        `--server=${net.ip(a.last)}`,
        `--targetdir=${join(work, b.dir)}`,
        '--dns-backend=NONE',
        `--option=netbios name=${b.netbios}`,
        `--option=interfaces=${net.ip(b.last)}`,
        '--option=bind interfaces only=yes',
      ],
      [password],
    );
    await writeFile(join(work, 'admin-password'), `${password}\n`, { mode: 0o600 });
  } finally {
    dca?.kill('SIGTERM');
    if (dca) await exited(dca, 10_000);
    await net.remove();
  }
}

/** A CA and one certificate per DC (with the subjectAltName Node checks). */
async function makeCertificates(tls: string): Promise<void> {
  await mkdir(tls, { recursive: true });
  const openssl = (args: string[]) => runCommand('openssl', args, [], tls);
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=nes-two-site-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  for (const dc of Object.values(DCS)) {
    const name = `${dc.host}.${REALM.toLowerCase()}`;
    await openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${dc.host}.key`,
      '-out',
      `${dc.host}.csr`,
    ]);
    await writeFile(
      join(tls, `${dc.host}.ext`),
      [
        `subjectAltName=DNS:${name}`,
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
      ].join('\n'),
    );
    await openssl([
      'x509',
      '-req',
      '-in',
      `${dc.host}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '825',
      '-extfile',
      `${dc.host}.ext`,
      '-out',
      `${dc.host}.pem`,
    ]);
    await chmod(join(tls, `${dc.host}.key`), 0o600);
  }
  await rm(join(tls, 'ca.key'));
}

/**
 * smb.conf of one DC: every path inside its directory, AD services only
 * (rpc and drepl for replication), periodic replication effectively off.
 */
export async function writeSmbConf(
  dir: string,
  netbios: string,
  ip: string,
  tls: string,
  host: string,
): Promise<void> {
  await Promise.all([
    mkdir(join(dir, 'log'), { recursive: true }),
    mkdir(join(dir, 'run'), { recursive: true }),
  ]);
  const global: [string, string][] = [
    ['netbios name', netbios],
    ['realm', REALM],
    ['workgroup', DOMAIN],
    ['server role', 'active directory domain controller'],
    ['server services', 'rpc, nbt, ldap, cldap, kdc, drepl, kcc'],
    ['idmap_ldb:use rfc2307', 'yes'],
    ['interfaces', ip],
    ['bind interfaces only', 'yes'],
    ['tls enabled', 'yes'],
    ['tls keyfile', join(tls, `${host}.key`)],
    ['tls certfile', join(tls, `${host}.pem`)],
    ['tls cafile', join(tls, 'ca.pem')],
    ['binddns dir', join(dir, 'bind-dns')],
    ['cache directory', join(dir, 'cache')],
    ['lock directory', dir],
    ['state directory', join(dir, 'state')],
    ['private dir', join(dir, 'private')],
    ['pid directory', join(dir, 'run')],
    ['ncalrpc dir', join(dir, 'run', 'ncalrpc')],
    ['winbindd socket directory', join(dir, 'run', 'winbindd')],
    ['logging', 'file'],
    ['log file', join(dir, 'log', 'samba.log')],
    ['log level', '1'],
    // Replication happens when the test says so: no periodic pulls (the first
    // one comes 15 s after start by default), no change notifications to the
    // partner (sent 5 s after a change by default).
    ['dreplsrv:periodic_startup_interval', '86400'],
    ['dreplsrv:periodic_interval', '86400'],
    ['dreplsrv:notify_interval', '86400'],
    ['kccsrv:periodic_interval', '86400'],
  ];
  const text = [
    '[global]',
    ...global.map(([k, v]) => `\t${k} = ${v}`),
    '[sysvol]',
    `\tpath = ${join(dir, 'state', 'sysvol')}`,
    '\tread only = No',
    '[netlogon]',
    `\tpath = ${join(dir, 'state', 'sysvol', REALM.toLowerCase(), 'scripts')}`,
    '\tread only = No',
    '',
  ].join('\n');
  await mkdir(join(dir, 'etc'), { recursive: true });
  await writeFile(join(dir, 'etc', 'smb.conf'), text);
}

/** Waits until the DC completes a verified TLS handshake on 636. */
export async function waitForLdaps(dc: DcAddress, ca: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tlsConnect({
        host: dc.ip,
        port: 636,
        servername: dc.servername,
        ca: [ca],
        timeout: 2000,
      });
      socket.once('secureConnect', () => (socket.destroy(), resolve(true)));
      socket.once('timeout', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`DC ${dc.servername} (${dc.ip}) did not start LDAPS within 60 s`);
    await sleep(200);
  }
}

/** The pair's hosts for {@link createNetwork}: `[last octet, "dca.ms.test dca"]`. */
export const PAIR_HOSTS: readonly (readonly [number, string])[] = Object.values(DCS).map((dc) => [
  dc.last,
  `${dc.host}.${REALM.toLowerCase()} ${dc.host}`,
]);
