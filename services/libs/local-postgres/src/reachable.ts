import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { OsUser } from './os-user.js';

/**
 * Whether `user` may traverse every directory from `/` down to `path` (the
 * execute bit that applies to it: owner, group or other). A clone under a
 * 0700 folder such as /root or a `mktemp -d` is not reachable by the
 * `postgres` user, whatever the permissions below it.
 */
export function isReachableBy(path: string, user: OsUser): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    let mode: number;
    let uid: number;
    let gid: number;
    try {
      ({ mode, uid, gid } = statSync(dir));
    } catch {
      // Not created yet: what matters is its nearest existing ancestor.
      if (dir === '/') return true;
      continue;
    }
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    if (dir === '/') return true;
  }
}
