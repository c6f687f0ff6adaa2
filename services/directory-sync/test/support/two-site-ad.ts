import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetwork, removeStaleNamespaces, type Network } from './netns.js';
import { exited, runCommand } from './processes.js';
import {
  BASE_DN,
  DCS,
  DOMAIN,
  ensureTemplate,
  PAIR_HOSTS,
  REALM,
  waitForLdaps,
  writeSmbConf,
  type DcAddress,
} from './samba-pair-template.js';

export type { DcAddress } from './samba-pair-template.js';

/**
 * Two Samba AD DCs of one domain, replicating, as two AD sites: DCA ("east")
 * provisioned, DCB ("west") joined to it with `samba-tool domain join`. Both
 * run inside a network namespace of their own (LDAP's ports are fixed, and
 * the root namespace's belong to the harness DC), on a private /24 that
 * exists only there and on the veth pair leading to it.
 *
 * Replication is in the test's hands: the DCs replicate only when
 * {@link TwoSiteAd.replicate} pulls changes (`drs replicate --local`), so a
 * test can make a change at one site and look at NES before the other site
 * has it — AD's replication lag, made deterministic.
 *
 * Provisioning and joining take ~40 s, so the pair is built once per machine
 * into a template under the harness' tools dir and copied for each run.
 */
export interface TwoSiteAd {
  readonly realm: string;
  readonly domain: string;
  readonly baseDn: string;
  readonly adminDn: string;
  readonly adminPassword: string;
  readonly caCertPem: string;
  readonly dcs: { readonly east: DcAddress; readonly west: DcAddress };
  /** Pulls every change of `from` into `to` (the domain partition), as AD replication would. */
  replicate(from: 'east' | 'west', to: 'east' | 'west'): Promise<void>;
  stop(): Promise<void>;
}

/** Whether this machine can run the pair: root, iproute2 and Samba. */
export function twoSiteAdAvailable(): boolean {
  return (
    process.getuid?.() === 0 &&
    ['/usr/sbin/samba', '/usr/bin/samba-tool', '/usr/bin/setpriv'].every(existsSync) &&
    (existsSync('/usr/sbin/ip') || existsSync('/usr/bin/ip') || existsSync('/sbin/ip'))
  );
}

/** Starts the pair (building the template first if this machine has none). */
export async function startTwoSiteAd(): Promise<TwoSiteAd> {
  await removeStaleNamespaces();
  const template = await ensureTemplate();
  const run = await mkdtemp(join(tmpdir(), 'nes-dir-2dc-'));
  const net = await createNetwork(PAIR_HOSTS);
  const processes: ChildProcess[] = [];
  const stop = async () => {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => exited(child, 5_000)));
    await net.remove();
    await rm(run, { recursive: true, force: true });
  };
  try {
    await runCommand('cp', [
      '-a',
      join(template.dir, 'a'),
      join(template.dir, 'b'),
      join(template.dir, 'tls'),
      run,
    ]);
    for (const site of ['east', 'west'] as const) {
      const dc = DCS[site];
      await writeSmbConf(join(run, dc.dir), dc.netbios, net.ip(dc.last), join(run, 'tls'), dc.host);
      processes.push(
        spawn(
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
            join(run, dc.dir, 'etc', 'smb.conf'),
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    const dcs = {
      east: address(net, 'east'),
      west: address(net, 'west'),
    };
    await Promise.all(Object.values(dcs).map((dc) => waitForLdaps(dc, template.caCertPem)));
    return {
      realm: REALM,
      domain: DOMAIN,
      baseDn: BASE_DN,
      adminDn: `CN=Administrator,CN=Users,${BASE_DN}`,
      adminPassword: template.adminPassword,
      caCertPem: template.caCertPem,
      dcs,
      replicate: async (from, to) => {
        await runCommand(
          'ip',
          [
            'netns',
            'exec',
            net.name,
            'samba-tool',
            'drs',
            'replicate',
            `${DCS[to].host}.${REALM.toLowerCase()}`,
            `${DCS[from].host}.${REALM.toLowerCase()}`,
            BASE_DN,
            '--local',
            '-s',
            join(run, DCS[to].dir, 'etc', 'smb.conf'),
            `--username=${DOMAIN}\\Administrator`,
            `--password=${template.adminPassword}`,
          ],
          [template.adminPassword],
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function address(net: Network, site: 'east' | 'west'): DcAddress {
  const dc = DCS[site];
  const ip = net.ip(dc.last);
  return {
    ip,
    servername: `${dc.host}.${REALM.toLowerCase()}`,
    ldapsUrl: `ldaps://${ip}:636`,
    netbios: dc.netbios,
  };
}
