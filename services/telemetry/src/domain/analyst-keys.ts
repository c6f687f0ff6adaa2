import { createHash, randomBytes } from 'node:crypto';

/**
 * Analyst API keys: the read-only credentials of the audit query API, for
 * analysts and their tools until analysts sign in through the directory.
 * Each configured entry is `name:sha256hex` — who holds the key (logged with
 * every query) and the SHA-256 of the key value; @nes/kit parses the entries
 * and finds a key's holder. The service never stores a key value.
 *
 * This file needs node:crypto only, so that `pnpm analyst-key` runs it
 * straight from the sources.
 */

/** Every analyst key starts with this, so it is told apart from a JWT at a glance. */
export const ANALYST_KEY_PREFIX = 'nesaud_';

/** Holder names, as @nes/kit's `API_KEY_HOLDER` accepts them; `\` allowed for `DOMAIN\user`. */
const HOLDER = /^[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}$/;

/** A fresh analyst key (256 random bits) and its configuration entry. */
export function generateAnalystKey(name: string): { key: string; entry: string } {
  if (!HOLDER.test(name)) throw new RangeError(`invalid analyst name '${name}'`);
  const key = `${ANALYST_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  return { key, entry: `${name}:${hash}` };
}
