import type { Logger } from '@nes/kit';
import type { DirectoryAdapter, SyncItem } from '../directory-adapter.js';
import { loadCursor, saveCursor, savePolicy } from '../db/cursors.js';
import { markGroupsDeleted } from '../db/groups.js';
import { missedByFullPass } from '../db/observations.js';
import { membersOfGroups } from '../db/users.js';
import {
  applyGone,
  applyGroups,
  applyUsers,
  type ApplyContext,
  type Source,
} from './apply-changes.js';

/** What one sync of a site did. */
export interface SiteSyncResult {
  readonly site: string;
  readonly dc: string;
  readonly kind: 'full' | 'incremental';
  /** Users whose merged record changed. */
  readonly changed: number;
  readonly durationMs: number;
}

/** Options of {@link syncSite}. */
export interface SyncSiteOptions {
  readonly directory: DirectoryAdapter;
  readonly apply: ApplyContext;
  readonly logger: Logger;
  /** A full resync is due when the last one is older than this. */
  readonly fullIntervalMs: number;
}

/**
 * One sync of one site, on the first DC that answers: a full pass when the
 * DC has no cursor, its database identity changed (a restore) or the full
 * interval passed; otherwise the changes since the DC's cursor. The cursor
 * moves only after every change was applied, so a failure repeats the
 * window (applying a view twice changes nothing).
 */
export async function syncSite(site: string, options: SyncSiteOptions): Promise<SiteSyncResult> {
  const started = performance.now();
  const { apply, directory } = options;
  const session = await directory.openSession(site);
  try {
    const cursor = await loadCursor(apply.pool, session.dc);
    const passStart = apply.clock();
    const full =
      cursor === undefined ||
      cursor.invocationId !== session.invocationId ||
      passStart.getTime() - cursor.fullSyncAt.getTime() >= options.fullIntervalMs ||
      session.highestUsn < cursor.highestUsn;
    const source: Source = { site, dc: session.dc, policy: session.policy };
    let changed = 0;
    const sink = async (item: SyncItem): Promise<void> => {
      if (item.kind === 'groups') await applyGroups(apply, item.groups);
      else if (item.kind === 'users') changed += await applyUsers(apply, source, item.users);
      else changed += await applyGone(apply, source, item.users);
    };
    await savePolicy(apply.pool, directory.domain, session.policy);
    if (full) {
      await session.fullSync(sink);
      const missed = await missedByFullPass(apply.pool, session.dc, site, passStart);
      if (missed.length > 0)
        await sink({ kind: 'gone', users: await session.classifyMissing(missed) });
    } else {
      await session.changesSince(
        cursor.highestUsn,
        {
          membersOf: (dns) => membersOfGroups(apply.pool, dns),
          groupDnsByGuid: (guids) => markGroupsDeleted(apply.pool, guids),
        },
        sink,
      );
    }
    await saveCursor(apply.pool, {
      dc: session.dc,
      site,
      invocationId: session.invocationId,
      highestUsn: session.highestUsn,
      fullSyncAt: full ? passStart : cursor.fullSyncAt,
    });
    const result: SiteSyncResult = {
      site,
      dc: session.dc,
      kind: full ? 'full' : 'incremental',
      changed,
      durationMs: Math.round(performance.now() - started),
    };
    const log = full || changed > 0 ? options.logger.info : options.logger.debug;
    log.call(options.logger, { ...result, usn: session.highestUsn.toString() }, 'site synced');
    return result;
  } finally {
    await session.close();
  }
}
