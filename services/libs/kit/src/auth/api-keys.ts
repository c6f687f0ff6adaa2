import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Static API keys, configured as `name:sha256hex` entries: who holds the key
 * (what an audit row or a log line shows) and the SHA-256 of the key value.
 * A service never stores a key value, only sees one in a request. Services
 * read the entries with `envApiKeyList()` and choose their own key prefix
 * (`nesadm_`, `nesaud_`) and generator.
 */
export interface ApiKeyEntry {
  readonly name: string;
  readonly hash: Buffer;
}

/** Holder names: 1–64 letters, digits and `._@\-`; `\` allowed for `DOMAIN\user`. */
export const API_KEY_HOLDER = /^[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}$/;

/** Parses one `name:sha256hex` entry; returns why it is wrong otherwise (never echoing the hash). */
export function parseApiKeyEntry(entry: string): ApiKeyEntry | string {
  const colon = entry.lastIndexOf(':');
  const name = colon < 0 ? '' : entry.slice(0, colon);
  const hex = colon < 0 ? '' : entry.slice(colon + 1).toLowerCase();
  if (!API_KEY_HOLDER.test(name)) {
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
export function findApiKeyHolder(
  presented: string,
  entries: readonly ApiKeyEntry[],
): string | undefined {
  const hash = createHash('sha256').update(presented, 'utf8').digest();
  let holder: string | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(hash, entry.hash) && holder === undefined) holder = entry.name;
  }
  return holder;
}
