import type { Logger } from '@nes/kit';
import { AndFilter, EqualityFilter, FilterParser, OrFilter, type Entry, type Filter } from 'ldapts';
import type {
  DirectorySession,
  GoneUser,
  SyncHooks,
  SyncSink,
  UserRecord,
} from '../directory-adapter.js';
import type { StatePolicy } from '../domain/account-state.js';
import { guidToBytes } from '../domain/guid-sid.js';
import { equals } from '../domain/ldap-filter.js';
import { scopeFilter } from './scope-filter.js';
import type { DcPool } from './dc-pool.js';
import {
  BINARY_ATTRIBUTES,
  entryText,
  EntryError,
  GROUP_ATTRIBUTES,
  readGroupEntry,
  readGuidAndUsn,
  readUserEntry,
  USER_ATTRIBUTES,
} from './ad-entry.js';
import { searchPages, type PagedSearch } from './search.js';

/** What is synced: where users live, which of them, and the users group. */
export interface SyncScope {
  readonly baseDns: readonly string[];
  readonly userFilter: string;
  readonly usersGroupDn: string | undefined;
  readonly adminsGroupDn: string | undefined;
  readonly pageSize: number;
  readonly domain: string;
}

/** What a session learned about its DC when it opened. */
export interface DcSnapshot {
  readonly invocationId: string;
  readonly highestUsn: bigint;
  readonly domainRoot: string;
  readonly policy: StatePolicy;
}

/** GUIDs per `(|(objectGUID=…)…)` filter. */
const GUID_BATCH = 50;

/** Every object class AD gives users (computers are users too: objectCategory tells them apart). */
const ANY_USER = '(&(objectCategory=person)(objectClass=user))';

/**
 * A sync session on one DC, over its service-account pool. Incremental reads
 * are bounded to (afterUsn, highestUsn], the window the cursor covers, so an
 * object changed during the session is left whole to the next one.
 */
export class AdSession implements DirectorySession {
  readonly invocationId: string;
  readonly highestUsn: bigint;
  readonly policy: StatePolicy;
  readonly site: string;
  private readonly pool: DcPool;
  private readonly scope: SyncScope;
  private readonly snapshot: DcSnapshot;
  private readonly logger: Logger;

  constructor(site: string, pool: DcPool, scope: SyncScope, snapshot: DcSnapshot, logger: Logger) {
    this.site = site;
    this.pool = pool;
    this.scope = scope;
    this.snapshot = snapshot;
    this.logger = logger;
    this.invocationId = snapshot.invocationId;
    this.highestUsn = snapshot.highestUsn;
    this.policy = snapshot.policy;
  }

  get dc(): string {
    return this.pool.dc.id;
  }

  async fullSync(sink: SyncSink): Promise<void> {
    await this.groups('(objectClass=group)', sink);
    for (const base of this.scope.baseDns) {
      await this.users(base, this.inScope(''), sink);
    }
  }

  async changesSince(afterUsn: bigint, hooks: SyncHooks, sink: SyncSink): Promise<void> {
    const window = `(&(uSNChanged>=${afterUsn + 1n})(uSNChanged<=${this.highestUsn}))`;
    const changedGroups = await this.groups(`(&(objectClass=group)${window})`, sink);

    const deletedGroups: string[] = [];
    await this.pages(
      {
        base: this.snapshot.domainRoot,
        filter: `(&(isDeleted=TRUE)(|(objectClass=user)(objectClass=group))${window})`,
        attributes: ['objectGUID', 'uSNChanged', 'objectClass'],
        showDeleted: true,
      },
      async (entries) => {
        const gone: GoneUser[] = [];
        for (const entry of entries) {
          const id = readGuidAndUsn(entry);
          if (!id) continue;
          if (isGroup(entry)) deletedGroups.push(id.guid);
          else gone.push({ ...id, presence: 'deleted' });
        }
        if (gone.length > 0) await sink({ kind: 'gone', users: gone });
      },
    );

    const seen = new Set<string>();
    for (const base of this.scope.baseDns) {
      for (const user of await this.users(base, this.inScope(window), sink)) seen.add(user);
    }

    // Users changed anywhere in the domain but not found in scope: moved out,
    // filtered out, or left the users group. NES ignores the ones it never had.
    await this.pages(
      {
        base: this.snapshot.domainRoot,
        filter: `(&${ANY_USER}${window})`,
        attributes: ['objectGUID', 'uSNChanged'],
      },
      async (entries) => {
        const gone = entries
          .map(readGuidAndUsn)
          .filter((id): id is NonNullable<typeof id> => id !== undefined && !seen.has(id.guid))
          .map((id): GoneUser => ({ ...id, presence: 'out_of_scope' }));
        if (gone.length > 0) await sink({ kind: 'gone', users: gone });
      },
    );

    // Membership lives on the group: a changed group means its members (as
    // NES knew them, and as they are now) must be read again.
    const groupDns = [...changedGroups, ...(await hooks.groupDnsByGuid(deletedGroups))];
    if (groupDns.length === 0) return;
    for (const dn of groupDns) {
      for (const base of this.scope.baseDns) {
        const members = await this.users(base, this.inScope(equals('memberOf', dn)), sink, seen);
        for (const guid of members) seen.add(guid);
      }
    }
    const known = (await hooks.membersOf(groupDns)).filter((guid) => !seen.has(guid));
    const reread = await this.usersByGuid(known);
    if (reread.length > 0) await sink({ kind: 'users', users: reread });
    const found = new Set(reread.map((u) => u.guid));
    const missing = known.filter((guid) => !found.has(guid));
    if (missing.length > 0)
      await sink({ kind: 'gone', users: await this.classifyMissing(missing) });
  }

  async classifyMissing(guids: readonly string[]): Promise<GoneUser[]> {
    const result = new Map<string, GoneUser>();
    for (const batch of chunks(guids, GUID_BATCH)) {
      await this.pages(
        {
          base: this.snapshot.domainRoot,
          filter: guidFilter(batch),
          attributes: ['objectGUID', 'uSNChanged', 'isDeleted'],
          showDeleted: true,
        },
        (entries) => {
          for (const entry of entries) {
            const id = readGuidAndUsn(entry);
            if (!id) continue;
            const deleted = entryText(entry, 'isDeleted')?.toUpperCase() === 'TRUE';
            result.set(id.guid, { ...id, presence: deleted ? 'deleted' : 'out_of_scope' });
          }
          return Promise.resolve();
        },
      );
    }
    // Not even a tombstone left (garbage-collected): deleted.
    return guids.map(
      (guid) => result.get(guid) ?? { guid, usnChanged: 0n, presence: 'deleted' as const },
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Users in scope with these GUIDs. */
  private async usersByGuid(guids: readonly string[]): Promise<UserRecord[]> {
    const found: UserRecord[] = [];
    for (const batch of chunks(guids, GUID_BATCH)) {
      for (const base of this.scope.baseDns) {
        const filter = new AndFilter({
          filters: [FilterParser.parseString(this.inScope('')), guidFilter(batch)],
        });
        await this.users(base, filter, async (item) => {
          if (item.kind === 'users') found.push(...item.users);
          return Promise.resolve();
        });
      }
    }
    return found;
  }

  /** The scope filter (user filter, users and admins groups) and `extra`. */
  private inScope(extra: string): string {
    return scopeFilter(this.scope, extra);
  }

  /** Reads users under `base` matching `filter`; returns their GUIDs. */
  private async users(
    base: string,
    filter: string | Filter,
    sink: SyncSink,
    skip?: ReadonlySet<string>,
  ): Promise<string[]> {
    const guids: string[] = [];
    await this.pages(
      { base, filter, attributes: USER_ATTRIBUTES, binary: BINARY_ATTRIBUTES },
      async (entries) => {
        const users: UserRecord[] = [];
        for (const entry of entries) {
          try {
            const user = readUserEntry(entry, this.scope.domain);
            if (skip?.has(user.guid)) continue;
            users.push(user);
            guids.push(user.guid);
          } catch (error) {
            if (!(error instanceof EntryError)) throw error;
            this.logger.warn({ reason: error.message }, 'skipped an entry that is not a user');
          }
        }
        if (users.length > 0) await sink({ kind: 'users', users });
      },
    );
    return guids;
  }

  /** Reads groups matching `filter` domain-wide; returns their DNs. */
  private async groups(filter: string, sink: SyncSink): Promise<string[]> {
    const dns: string[] = [];
    await this.pages(
      {
        base: this.snapshot.domainRoot,
        filter,
        attributes: GROUP_ATTRIBUTES,
        binary: ['objectGUID'],
      },
      async (entries) => {
        const groups = entries.flatMap((entry) => {
          try {
            return [readGroupEntry(entry)];
          } catch {
            return [];
          }
        });
        dns.push(...groups.map((g) => g.distinguishedName));
        if (groups.length > 0) await sink({ kind: 'groups', groups });
      },
    );
    return dns;
  }

  private pages(
    search: Omit<PagedSearch, 'pageSize' | 'binary'> & { binary?: readonly string[] },
    onPage: (entries: Entry[]) => Promise<void>,
  ): Promise<void> {
    return this.pool.use((client) =>
      searchPages(
        client,
        { binary: ['objectGUID'], ...search, pageSize: this.scope.pageSize },
        onPage,
      ),
    );
  }
}

function isGroup(entry: Entry): boolean {
  const classes = entry['objectClass'] ?? entry['objectclass'];
  const list = Array.isArray(classes) ? classes : [classes];
  return list.some((c) => String(c).toLowerCase() === 'group');
}

/**
 * `(|(objectGUID=…)…)` for canonical GUIDs, built as filter objects: ldapts
 * parses `\xx` escapes in filter strings into characters and re-encodes
 * them as UTF-8, which corrupts every byte above 0x7f of a binary value.
 */
function guidFilter(guids: readonly string[]): Filter {
  return new OrFilter({
    filters: guids.map(
      (guid) => new EqualityFilter({ attribute: 'objectGUID', value: guidToBytes(guid) }),
    ),
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
