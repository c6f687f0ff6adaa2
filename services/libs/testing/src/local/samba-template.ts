import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock } from '../file-lock.js';
import { elapsedMs, type LogLine } from '../log.js';
import { runCommand } from './run-command.js';
import { renderSmbConf, TEST_DOMAIN } from './samba-conf.js';
import { generateDcCertificates, TLS_FILES } from './samba-tls.js';

/** A provisioned domain, copied (never used in place) for each test run. */
export interface SambaTemplate {
  dir: string;
  adminPassword: string;
  caCertPem: string;
}

/** Bump when the template's content changes: old templates are then rebuilt. */
const TEMPLATE_NAME = 'samba-template-v1';
const PASSWORD_FILE = 'nes-admin-password';
/** Rebuild when the DC certificate expires sooner than this. */
const MIN_CERT_LIFE_MS = 30 * 24 * 3600 * 1000;

/**
 * Returns the Samba template under `toolsDir`, provisioning it first when
 * missing (about 10 s, once per machine; concurrent runs wait for one build).
 */
export async function ensureSambaTemplate(toolsDir: string, log: LogLine): Promise<SambaTemplate> {
  const dir = join(toolsDir, TEMPLATE_NAME);
  const ready = await readTemplate(dir);
  if (ready) return ready;
  await mkdir(toolsDir, { recursive: true });
  const release = await acquireLock(`${dir}.lock`, { wait: true, timeoutMs: 180_000 });
  try {
    const built = await readTemplate(dir);
    if (built) return built;
    const started = performance.now();
    log(`provisioning the Samba AD template in ${dir} (once per machine)`);
    await buildTemplate(dir);
    log(`Samba AD template provisioned in ${elapsedMs(started)} ms`);
    const template = await readTemplate(dir);
    if (!template) throw new Error(`Samba template at ${dir} is incomplete after provisioning`);
    return template;
  } finally {
    await release?.();
  }
}

async function readTemplate(dir: string): Promise<SambaTemplate | undefined> {
  try {
    const adminPassword = (await readFile(join(dir, PASSWORD_FILE), 'utf8')).trim();
    const caCertPem = await readFile(join(dir, TLS_FILES.ca), 'utf8');
    const cert = new X509Certificate(await readFile(join(dir, TLS_FILES.cert)));
    if (Date.parse(cert.validTo) - Date.now() < MIN_CERT_LIFE_MS) return undefined;
    return adminPassword ? { dir, adminPassword, caCertPem } : undefined;
  } catch {
    return undefined;
  }
}

async function buildTemplate(dir: string): Promise<void> {
  const work = `${dir}.tmp-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  // Upper, lower, digit and symbol: passes the complexity check provisioning applies.
  const adminPassword = `Nes1-${randomBytes(18).toString('base64url')}`;
  const { realm, domain, hostName } = TEST_DOMAIN;
  const provision = words(
    `domain provision --server-role=dc --dns-backend=NONE --use-rfc2307 --realm=${realm} ` +
      `--domain=${domain} --host-name=${hostName} --option=interfaces=127.0.0.1/8`,
  );
  await runCommand(
    'samba-tool',
    [
      ...provision,
      '--option=bind interfaces only=yes',
      `--targetdir=${work}`,
      `--adminpass=${adminPassword}`,
    ],
    { secretArgs: [adminPassword], timeoutMs: 180_000 },
  );
  await generateDcCertificates(work, TEST_DOMAIN.servername);
  const smbConf = join(work, 'etc', 'smb.conf');
  await writeFile(smbConf, renderSmbConf(work, '127.0.0.1'));
  // Test policy: lockout after 3 bad binds, passwords reusable and changeable at once.
  const policy = words(
    'domain passwordsettings set --complexity=off --history-length=0 --min-pwd-age=0 ' +
      '--account-lockout-threshold=3',
  );
  await runCommand('samba-tool', [...policy, '-s', smbConf]);
  await writeFile(join(work, PASSWORD_FILE), `${adminPassword}\n`, { mode: 0o600 });
  await rm(dir, { recursive: true, force: true });
  await rename(work, dir);
}

/** Splits a constant command line (no paths, no quoting) into arguments. */
function words(text: string): string[] {
  return text.split(' ');
}
