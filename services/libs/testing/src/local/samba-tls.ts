import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

/** Files a DC's TLS needs, as paths inside its directory. */
export const TLS_FILES = { ca: 'tls/ca.pem', cert: 'tls/cert.pem', key: 'tls/key.pem' } as const;

/**
 * Makes a small CA and a server certificate for `servername` (with a
 * subjectAltName, which Node's hostname check requires; Samba's own
 * self-signed certificate has none). The CA key is deleted once it has signed:
 * nothing else is ever signed with it.
 */
export async function generateDcCertificates(dir: string, servername: string): Promise<void> {
  if (!/^[a-z0-9.-]+$/.test(servername)) throw new Error(`bad DC host name '${servername}'`);
  const tls = join(dir, 'tls');
  await mkdir(tls, { recursive: true });
  // Constant commands over relative names (cwd is the tls dir): split on spaces is safe.
  const openssl = (command: string): Promise<unknown> =>
    runCommand('openssl', command.split(' '), { cwd: tls });
  await openssl(
    'req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=nes-test-ca -keyout ca.key -out ca.pem ' +
      '-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign',
  );
  await openssl(
    `req -newkey rsa:2048 -nodes -subj /CN=${servername} -keyout key.pem -out server.csr`,
  );
  const domain = servername.split('.').slice(1).join('.');
  await writeFile(
    join(tls, 'server.ext'),
    [
      `subjectAltName=DNS:${servername}${domain ? `,DNS:${domain}` : ''}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  await openssl(
    'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 ' +
      '-extfile server.ext -out cert.pem',
  );
  // Samba refuses a key file readable by others.
  await chmod(join(tls, 'key.pem'), 0o600);
  await Promise.all(
    ['ca.key', 'ca.srl', 'server.csr', 'server.ext'].map((name) =>
      rm(join(tls, name), { force: true }),
    ),
  );
}
