import type { Client } from 'ldapts';
import { intervalToMs, parseInt64 } from '../domain/filetime.js';
import { guidFromBytes } from '../domain/guid-sid.js';
import { entryBytes, entryText } from './ad-entry.js';
import type { DcSnapshot } from './ad-session.js';

/** rootDSE: highestCommittedUSN, dsServiceName, defaultNamingContext. */
export async function readRootDse(client: Client) {
  const { searchEntries } = await client.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['highestCommittedUSN', 'dsServiceName', 'defaultNamingContext'],
  });
  const root = searchEntries[0];
  const usn = parseInt64(root ? entryText(root, 'highestCommittedUSN') : undefined);
  const service = root ? entryText(root, 'dsServiceName') : undefined;
  const domainRoot = root ? entryText(root, 'defaultNamingContext') : undefined;
  if (usn === undefined || !service || !domainRoot) {
    // Not an LDAP result: the pool reports it as this DC being unavailable.
    throw new Error('rootDSE lacks highestCommittedUSN, dsServiceName or defaultNamingContext');
  }
  return { usn, service, domainRoot };
}

/** What a sync session needs: the DC's database identity, its USN and the domain policy. */
export async function readSnapshot(client: Client): Promise<DcSnapshot> {
  const root = await readRootDse(client);
  const ntds = await client.search(root.service, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['invocationId'],
    explicitBufferAttributes: ['invocationId'],
  });
  const invocation = ntds.searchEntries[0]
    ? entryBytes(ntds.searchEntries[0], 'invocationId')
    : undefined;
  if (invocation?.length !== 16) throw new Error('NTDS settings lack invocationId');
  const domain = await client.search(root.domainRoot, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['lockoutDuration'],
  });
  const lockout = domain.searchEntries[0]
    ? entryText(domain.searchEntries[0], 'lockoutDuration')
    : undefined;
  return {
    invocationId: guidFromBytes(invocation),
    highestUsn: root.usn,
    domainRoot: root.domainRoot,
    policy: { lockoutDurationMs: intervalToMs(lockout) },
  };
}
