import type { Executor } from '@nes/kit';
import type { directoryV1 } from '@nes/proto';
import { resolveGroups } from '../db/groups.js';
import type { MergedUser } from '../domain/merge-observations.js';
import { toProtoUser } from '../domain/user-view.js';

/** Proto users for merged users, resolving every group reference in one query. */
export async function protoUsers(
  db: Executor,
  users: readonly MergedUser[],
  domain: string,
): Promise<directoryV1.User[]> {
  const dns = [...new Set(users.flatMap((u) => u.attributes.groupDns))];
  const groups = new Map((await resolveGroups(db, dns)).map((g) => [g.distinguishedName, g]));
  return users.map((u) =>
    toProtoUser(
      u,
      u.attributes.groupDns.flatMap((dn) => {
        const group = groups.get(dn);
        return group ? [group] : [];
      }),
      domain,
    ),
  );
}
