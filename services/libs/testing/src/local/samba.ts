import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { InfraError } from '../errors.js';
import { acquireLock, type ReleaseLock } from '../file-lock.js';
import type { LogLine } from '../log.js';
import { tcpAccepts, waitUntil } from '../net.js';
import { requireCommand, startProcess } from '../process.js';
import type { StartedServer } from '../server.js';
import type { AdInfra } from '../types.js';
import { runCommand } from './run-command.js';
import { renderSmbConf, TEST_DOMAIN } from './samba-conf.js';
import { ensureSambaTemplate } from './samba-template.js';

const SAMBA_HINT =
  'run scripts/setup.sh (installs Debian samba, samba-ad-dc, samba-ad-provision, winbind, krb5-user)';
/** Ports a DC binds on its address; all must be free there. */
const DC_PORTS = [389, 636, 88];
/** 127.0.0.1 first; other loopback addresses let test runs have a DC each. */
const CANDIDATE_ADDRESSES = [
  '127.0.0.1',
  ...Array.from({ length: 60 }, (_, i) => `127.0.10.${i + 1}`),
];

/**
 * Starts a Samba AD DC copied from the machine's template: LDAP 389 with
 * StartTLS, LDAPS 636 with a certificate for dc1.nes.test signed by the
 * template's CA, on the first loopback address no other run holds.
 */
export async function startLocalSamba(
  runDir: string,
  toolsDir: string,
  log: LogLine,
): Promise<StartedServer<AdInfra>> {
  const samba = requireCommand('samba', SAMBA_HINT);
  requireCommand('samba-tool', SAMBA_HINT);
  requireCommand('openssl', 'run scripts/setup.sh (installs Debian openssl)');
  requireCommand('setpriv', 'run scripts/setup.sh (installs Debian util-linux)');
  if (process.getuid?.() !== 0) {
    throw new InfraError(
      'the local Samba AD DC needs root (it binds ports 389/636): run as root, use ' +
        'NES_TEST_INFRA=containers or external, or leave AD out with NES_TEST_COMPONENTS=postgres,redis,kafka',
    );
  }
  const template = await ensureSambaTemplate(toolsDir, log);
  const { address, release } = await claimAddress();
  try {
    const dir = join(runDir, 'samba');
    await runCommand('cp', ['-a', template.dir, dir]);
    await Promise.all([mkdir(join(dir, 'log')), mkdir(join(dir, 'run'))]);
    const smbConfPath = join(dir, 'etc', 'smb.conf');
    await writeFile(smbConfPath, renderSmbConf(dir, address));
    const server = startProcess({
      name: 'samba',
      command: samba,
      args: ['--foreground', '--no-process-group', '-M', 'single', '-s', smbConfPath],
    });
    const ready = async (): Promise<boolean> =>
      (await tlsHandshakes(address, template.caCertPem)) && (await tcpAccepts(address, 389));
    try {
      await waitUntil(ready, {
        what: `samba LDAPS on ${address}:636`,
        timeoutMs: 60_000,
        process: server,
        intervalMs: 100,
      });
    } catch (error) {
      await server.stop('SIGKILL');
      // Samba logs to its file, not to the pipes: the run dir goes away, so quote it.
      const logTail = (await readFile(join(dir, 'log', 'samba.log'), 'utf8').catch(() => ''))
        .trim()
        .split('\n')
        .slice(-20)
        .join('\n');
      throw new InfraError(`${(error as Error).message}\nsamba.log:\n${logTail}`, { cause: error });
    }
    return {
      info: {
        url: `ldap://${address}:389`,
        ldapsUrl: `ldaps://${address}:636`,
        servername: TEST_DOMAIN.servername,
        caCertPem: template.caCertPem,
        baseDn: TEST_DOMAIN.baseDn,
        domain: TEST_DOMAIN.domain,
        realm: TEST_DOMAIN.realm,
        adminDn: TEST_DOMAIN.adminDn,
        adminPassword: template.adminPassword,
        smbConfPath,
      },
      stop: async () => {
        await server.stop('SIGTERM', 15_000);
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Takes the first candidate address whose DC ports are free and unclaimed. */
async function claimAddress(): Promise<{ address: string; release: ReleaseLock }> {
  const lockDir = join(tmpdir(), 'nes-infra-locks');
  await mkdir(lockDir, { recursive: true });
  for (const address of CANDIDATE_ADDRESSES) {
    const release = await acquireLock(join(lockDir, `samba-${address}.lock`), { wait: false });
    if (!release) continue;
    const free = await Promise.all(DC_PORTS.map((port) => portFree(address, port)));
    if (free.every(Boolean)) return { address, release };
    await release();
  }
  throw new InfraError(
    'no loopback address with free ports 389/636/88 for a Samba DC (127.0.0.1, 127.0.10.1-60)',
  );
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when LDAPS completes a handshake verified against the CA and
 * servername; false while nothing listens yet; a TLS failure (e.g. a bad
 * certificate) is thrown, so a timeout reports it.
 */
function tlsHandshakes(host: string, caCertPem: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port: 636,
      servername: TEST_DOMAIN.servername,
      ca: [caCertPem],
      timeout: 2000,
    });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') resolve(false);
      else reject(error);
    });
  });
}
