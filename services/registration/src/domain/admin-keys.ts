import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Administrator API keys, until the console signs administrators in through
 * the directory. Each configured entry is `name:sha256hex`: the name of the
 * key's holder (written to created_by/modified_by) and the SHA-256 of the key
 * value (`nesadm_…`, made by `pnpm --filter @nes/registration admin-key`).
 * The service never sees a key value except in a request.
 */
export interface AdminKeyEntry {
  readonly name: string;
  readonly hash: Buffer;
}

/** Holder names: what an audit row shows; `\` allowed for `DOMAIN\user`. */
export const ADMIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}$/;

/** Parses one `name:sha256hex` entry; returns why it is wrong otherwise. */
export function parseAdminKeyEntry(entry: string): AdminKeyEntry | string {
  const colon = entry.lastIndexOf(':');
  const name = colon < 0 ? '' : entry.slice(0, colon);
  const hex = colon < 0 ? '' : entry.slice(colon + 1).toLowerCase();
  if (!ADMIN_NAME.test(name)) {
    return 'expected name:sha256hex with a name of 1-64 letters, digits and ._@\\-';
  }
  if (!/^[0-9a-f]{64}$/.test(hex)) return `the hash of '${name}' must be 64 hex digits`;
  return { name, hash: Buffer.from(hex, 'hex') };
}

/**
 * The holder of `presented`, or undefined. Compares the key's hash with
 * every entry in constant time and never stops early, so timing reveals
 * neither whether nor where a key matched.
 */
export function findAdminKeyHolder(
  presented: string,
  entries: readonly AdminKeyEntry[],
): string | undefined {
  const hash = createHash('sha256').update(presented, 'utf8').digest();
  let holder: string | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(hash, entry.hash) && holder === undefined) holder = entry.name;
  }
  return holder;
}
