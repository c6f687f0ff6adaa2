import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Analyst API keys: the read-only credentials of the audit query API, for
 * analysts and their tools until analysts sign in through the directory.
 * Each configured entry is `name:sha256hex` — who holds the key (logged with
 * every query) and the SHA-256 of the key value. The service never stores a
 * key value.
 */
export interface AnalystKeyEntry {
  readonly name: string;
  readonly hash: Buffer;
}

/** Every analyst key starts with this, so it is told apart from a JWT at a glance. */
export const ANALYST_KEY_PREFIX = 'nesaud_';

/** Holder names: what a log line shows; `\` allowed for `DOMAIN\user`. */
const HOLDER = /^[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}$/;

/** Parses one `name:sha256hex` entry; returns why it is wrong otherwise. */
export function parseAnalystKeyEntry(entry: string): AnalystKeyEntry | string {
  const colon = entry.lastIndexOf(':');
  const name = colon < 0 ? '' : entry.slice(0, colon);
  const hex = colon < 0 ? '' : entry.slice(colon + 1).toLowerCase();
  if (!HOLDER.test(name)) {
    return 'expected name:sha256hex with a name of 1-64 letters, digits and ._@\\-';
  }
  if (!/^[0-9a-f]{64}$/.test(hex)) return `the hash of '${name}' must be 64 hex digits`;
  return { name, hash: Buffer.from(hex, 'hex') };
}

/**
 * The holder of `presented`, or undefined. Compares the key's hash with every
 * entry in constant time and never stops early.
 */
export function findAnalystKeyHolder(
  presented: string,
  entries: readonly AnalystKeyEntry[],
): string | undefined {
  const hash = createHash('sha256').update(presented, 'utf8').digest();
  let holder: string | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(hash, entry.hash) && holder === undefined) holder = entry.name;
  }
  return holder;
}

/** A fresh analyst key (256 random bits) and its configuration entry. */
export function generateAnalystKey(name: string): { key: string; entry: string } {
  if (!HOLDER.test(name)) throw new RangeError(`invalid analyst name '${name}'`);
  const key = `${ANALYST_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  return { key, entry: `${name}:${hash}` };
}
