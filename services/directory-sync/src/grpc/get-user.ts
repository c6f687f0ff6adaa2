import { NotFoundError, parseMessage, type UnaryHandler } from '@nes/kit';
import type { directoryV1 } from '@nes/proto';
import type { ServiceContext } from '../context.js';
import { findUserByGuid, findUserByName } from '../db/users.js';
import { downLevelName } from '../domain/account-name.js';
import { getUserRequest } from './requests.js';
import { protoUsers } from './user-response.js';

/**
 * GetUser: a user from the synced copy by objectGUID, DOMAIN\user or UPN.
 * Removed users are returned with state DELETED (the record NES last held);
 * NOT_FOUND when NES never knew the user.
 */
export function getUser(
  ctx: ServiceContext,
): UnaryHandler<directoryV1.GetUserRequest, directoryV1.GetUserResponse> {
  return async (message) => {
    const { lookup } = parseMessage(getUserRequest, message);
    let user;
    let what: string;
    if (lookup.$case === 'guid') {
      what = `guid '${lookup.value}'`;
      user = await findUserByGuid(ctx.pool, lookup.value);
    } else if (lookup.value.kind === 'down_level') {
      what = `account '${downLevelName(lookup.value.domain, lookup.value.samAccountName)}'`;
      user = await findUserByName(ctx.pool, lookup.value);
    } else {
      what = `upn '${lookup.value.upn}'`;
      user = await findUserByName(ctx.pool, { upn: lookup.value.upn });
    }
    if (!user) throw new NotFoundError(`no user with ${what}`, { code: 'user_not_found' });
    const [view] = await protoUsers(ctx.pool, [user], ctx.directory.domain);
    return { user: view };
  };
}
