import { parseMessage, type UnaryHandler } from '@nes/kit';
import type { directoryV1 } from '@nes/proto';
import type { ServiceContext } from '../context.js';
import { listUsers as listUserRows } from '../db/users.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { listUsersRequest } from './requests.js';
import { protoUsers } from './user-response.js';

/** Page size when the caller asks for none. */
export const DEFAULT_PAGE_SIZE = 50;
/** Larger page sizes are capped to this (never an error, per PageRequest). */
export const MAX_PAGE_SIZE = 500;

/** ListUsers: present users by account name, filtered by a case-insensitive prefix, paged by cursor. */
export function listUsers(
  ctx: ServiceContext,
): UnaryHandler<directoryV1.ListUsersRequest, directoryV1.ListUsersResponse> {
  return async (message) => {
    const request = parseMessage(listUsersRequest, message);
    const query = request.query.trim();
    const size = Math.min(request.page?.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const token = request.page?.pageToken ?? '';
    const after = token === '' ? undefined : decodePageToken(token, query);
    const rows = await listUserRows(ctx.pool, { query, after, limit: size + 1 });
    const page = rows.slice(0, size);
    const last = page.at(-1);
    const nextPageToken =
      rows.length > size && last
        ? encodePageToken(
            { name: last.attributes.samAccountName.toLowerCase(), guid: last.guid },
            query,
          )
        : '';
    return {
      users: await protoUsers(ctx.pool, page, ctx.directory.domain),
      page: { nextPageToken },
    };
  };
}
