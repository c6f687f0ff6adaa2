import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alive, runCommand } from './processes.js';

/**
 * Network namespaces for extra DCs: LDAP's ports are fixed and the root
 * namespace's belong to the harness DC, so each pair of test DCs gets a
 * namespace, a veth pair and a private /24 (10.213.x.0) that exists only
 * there and on the veth's outer end.
 */

export interface Network {
  readonly name: string;
  ip(last: number): string;
  remove(): Promise<void>;
}

/**
 * A namespace with a veth pair to it and a private /24; inside, one address
 * per host (`[last octet, names]`), named in /etc/netns/<name>/hosts (which
 * `ip netns exec` mounts over /etc/hosts).
 */
export async function createNetwork(
  hosts: readonly (readonly [number, string])[],
): Promise<Network> {
  const id = randomBytes(2).toString('hex');
  const name = `nesds-${process.pid}-${id}`;
  const subnet = `10.213.${(Number.parseInt(id, 16) % 250) + 2}`;
  const outer = `nds${id}a`;
  const inner = `nds${id}b`;
  const ip = (last: number) => `${subnet}.${last}`;
  const hostsDir = join('/etc/netns', name);
  const remove = async () => {
    await runCommand('ip', ['netns', 'del', name]).catch(() => undefined);
    await runCommand('ip', ['link', 'del', outer]).catch(() => undefined);
    await rm(hostsDir, { recursive: true, force: true });
  };
  try {
    await runCommand('ip', ['netns', 'add', name]);
    await runCommand('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    await runCommand('ip', ['link', 'set', inner, 'netns', name]);
    await runCommand('ip', ['addr', 'add', `${ip(1)}/24`, 'dev', outer]);
    await runCommand('ip', ['link', 'set', outer, 'up']);
    const inside = (args: string[]) => runCommand('ip', ['netns', 'exec', name, 'ip', ...args]);
    for (const [last] of hosts) await inside(['addr', 'add', `${ip(last)}/24`, 'dev', inner]);
    await inside(['link', 'set', inner, 'up']);
    await inside(['link', 'set', 'lo', 'up']);
    await mkdir(hostsDir, { recursive: true });
    await writeFile(
      join(hostsDir, 'hosts'),
      ['127.0.0.1 localhost', ...hosts.map(([last, names]) => `${ip(last)} ${names}`)].join('\n') +
        '\n',
    );
  } catch (error) {
    await remove();
    throw error;
  }
  return { name, ip, remove };
}

/** Deletes namespaces (and their hosts files) left by runs whose process is gone. */
export async function removeStaleNamespaces(): Promise<void> {
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  for (const match of stdout.matchAll(/^(nesds-(\d+)-[0-9a-f]+)/gm)) {
    const [, name, pid] = match;
    if (!name || alive(Number(pid))) continue;
    await runCommand('ip', ['netns', 'del', name]).catch(() => undefined);
    await rm(join('/etc/netns', name), { recursive: true, force: true });
  }
}
