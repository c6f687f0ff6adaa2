#!/usr/bin/env node
/**
 * Prints a fresh administrator API key and the NES_REG_ADMIN_API_KEYS entry
 * for it:
 *
 *   pnpm --filter @nes/registration admin-key alice
 *
 * Self-contained (node:crypto only) so that Node runs it straight from the
 * sources. Give the key to its holder once; configure only the entry.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The prefix of every key value, so that secret scanners can find leaked keys. */
export const ADMIN_KEY_PREFIX = 'nesadm_';

/** A new key value and its configuration entry for holder `name`. */
export function generateAdminKey(name: string): { key: string; entry: string } {
  const key = `${ADMIN_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  return { key, entry: `${name}:${hash}` };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}$/;

if (import.meta.main) {
  const name = process.argv[2] ?? '';
  if (!NAME.test(name)) {
    process.stderr.write(
      'usage: admin-key <name>   (1-64 letters, digits and ._@\\- ; the name is recorded as created_by)\n',
    );
    process.exitCode = 2;
  } else {
    const { key, entry } = generateAdminKey(name);
    process.stdout.write(
      `API key for ${name} (shown once; send it as "Authorization: Bearer <key>"):\n  ${key}\n\n` +
        `Add this entry to NES_REG_ADMIN_API_KEYS (comma-separated):\n  ${entry}\n`,
    );
  }
}
